import type { Translate } from '../../ui/index.js';
import './pubsub-messages.js';

/** Why a push to a subscriber failed. */
export type PushFailureKind = 'status' | 'timeout' | 'unreachable' | 'too-large' | 'gone';

const TEXTS: Readonly<Record<PushFailureKind, string>> = {
  status: 'mediator.pubsub.pushError.status',
  timeout: 'mediator.pubsub.pushError.timeout',
  unreachable: 'mediator.pubsub.pushError.unreachable',
  'too-large': 'mediator.pubsub.pushError.tooLarge',
  gone: 'mediator.pubsub.pushError.gone',
};
const STORED = /^(status|timeout|unreachable|too-large|gone):(.*)$/s;

/**
 * A failed push as stored with its delivery: `kind:value` (the status, the milliseconds or bytes
 * of the limit, the network error's code, the push service), so the page words it in the reader's
 * language rather than showing the forwarder's English.
 */
export function pushFailure(kind: PushFailureKind, detail: string): string {
  const value = kind === 'timeout' || kind === 'too-large' ? (/\d+/.exec(detail)?.[0] ?? detail) : detail;
  return `${kind}:${value}`;
}

/** A stored failure in the reader's words; one stored before this form, as it was written. */
export function pushFailureText(stored: string, t: Translate): string {
  const match = STORED.exec(stored);
  return match ? t(TEXTS[match[1] as PushFailureKind], { value: match[2] ?? '' }) : stored;
}
