import { performance } from 'node:perf_hooks';
import type { Db } from '../../kernel/db/index.js';
import { newId } from '../../kernel/ids.js';
import type { JobQueue } from '../../kernel/jobs/index.js';
import { errorSpec, TongbanError } from '../../kernel/http/index.js';
import './errors.js';
import { FAILURE_CODES, type Forwarder } from './forward.js';
import { sha256, type MessageLog } from './message-log.js';
import { memberIdOf, parseSubsystemId } from './ids.js';
import type { PersonDirectory } from './memo.js';
import { eventItem, PUSH_QUEUE } from './pubsub-api.js';
import { pushFailure } from './pubsub-failures.js';
import { eventReads } from './pubsub-reads.js';
import type { MediatorStore } from './store.js';
import type { PubSubStore } from './store-pubsub.js';

export interface PushDeps {
  readonly db: Db;
  readonly jobs: Pick<JobQueue, 'enqueue' | 'register' | 'every'>;
  readonly now: () => Date;
  readonly registry: Pick<MediatorStore, 'getService' | 'getMember'>;
  readonly store: PubSubStore;
  readonly forwarder: Forwarder;
  readonly log: MessageLog;
  /** The provider timeout of a service that sets none. */
  readonly timeoutMs: number;
  /** ID number → account id: a pushed event naming a person is audited as a read of their data. */
  readonly people?: PersonDirectory | undefined;
  /** Each push attempt, once logged: counted in /metrics as an exchange with the push service. */
  readonly observe?: (push: PushMeasure) => void;
}

/** What /metrics counts of one push attempt, as of an exchange. */
export interface PushMeasure {
  readonly serviceId: string;
  readonly known: true;
  readonly status: number;
  readonly error: TongbanError | undefined;
  readonly seconds: number;
}

export interface PushJob { readonly subscriptionId: string; readonly eventId: string }

/** The next try of a refused or failed push: 5 s doubling to 5 min, while the delivery lives. */
export const retryDelayMs = (attempts: number): number => Math.min(5_000 * 2 ** Math.min(attempts, 10), 300_000);
/** A FIFO push waits this long for the older event ahead of it. */
const FIFO_WAIT_MS = 2_000;
export const PRUNE_QUEUE = 'mediator.event-prune';
/** Events nobody is still to receive are deleted once this old: long enough for a publisher to read their status. */
export const KEEP_EVENTS_MS = 7 * 24 * 3_600_000;

/**
 * Push delivery (ADR 53): one durable job per delivery POSTs the event (the spec's EventItem) to
 * the subscriber's registered push service through the mediator's pooled client, and writes that
 * exchange to the message log. Until the delivery's TTL it is tried again (a new job, so the
 * queue's attempts are left for the database being down); a FIFO subscription's event waits for
 * the older ones. Delivery is at least once: a subscriber recognises a repeat by the event id.
 */
export function registerPushDelivery(deps: PushDeps): void {
  const { store, now } = deps;
  const recipientOf = async (subscriber: string) => {
    const ref = parseSubsystemId(subscriber);
    const member = ref ? await deps.registry.getMember(memberIdOf(ref)) : undefined;
    return { id: subscriber, agency: member?.agency ?? subscriber };
  };
  const later = (job: PushJob, delayMs: number) => deps.jobs.enqueue(deps.db, PUSH_QUEUE, job, { runAt: new Date(now().getTime() + delayMs) });

  deps.jobs.register<PushJob>(PUSH_QUEUE, async (job) => {
    const [subscription, delivery, event] = await Promise.all([store.subscriptionById(job.subscriptionId), store.delivery(job.subscriptionId, job.eventId), store.event(job.eventId)]);
    // Cancelled, turned to pull, confirmed, stopped or expired meanwhile: nothing left to push.
    if (!subscription || subscription.delivery !== 'PUSH' || subscription.push_service === null || !delivery || delivery.state !== 'pending' || !event) return;
    if (delivery.expires_at.getTime() <= now().getTime()) return;
    if (subscription.fifo && (await store.olderPending(subscription.id, delivery.seq, now()))) {
      await later(job, FIFO_WAIT_MS);
      return;
    }
    const service = await deps.registry.getService(subscription.push_service);
    if (!service) {
      await store.recordFailure(subscription.id, event.id, pushFailure('gone', subscription.push_service ?? ''), now());
      return;
    }
    const messageId = newId();
    const body = Buffer.from(JSON.stringify(eventItem(event)));
    const started = performance.now();
    const answer = await deps.forwarder.forward({
      url: service.base_url, method: 'POST', body, timeoutMs: service.timeout_ms ?? deps.timeoutMs,
      headers: {
        'content-type': 'application/json', 'x-road-id': messageId, 'x-road-client': event.publisher,
        'x-govstack-event-type': event.event_type, 'x-govstack-event-id': event.id,
      },
    });
    const ms = Math.round(performance.now() - started);
    const ok = answer.kind === 'answer' && answer.status >= 200 && answer.status < 300;
    const outcome = answer.kind === 'answer' ? 'ok' : FAILURE_CODES[answer.kind];
    const status = answer.kind === 'answer' ? answer.status : errorSpec(outcome)?.status ?? 502;
    const response = answer.kind === 'answer' ? answer.body : undefined;
    // A push the subscriber accepted is its read of the people the event names; a refused one is taken as not received.
    const reads = ok ? await eventReads(deps.people, await recipientOf(subscription.subscriber), event, 'PUSH', undefined) : [];
    await deps.log.write({
      at: now(), messageId, requestId: undefined, client: event.publisher, service: service.id, method: 'POST', path: '/', userId: undefined, issue: undefined,
      status, outcome, requestDigest: sha256(body), responseDigest: sha256(response), requestBytes: body.length, responseBytes: response?.length ?? 0,
      durationMs: ms, providerMs: ms,
    }, reads);
    deps.observe?.({
      serviceId: service.id, known: true, status, seconds: (performance.now() - started) / 1000,
      error: answer.kind === 'answer' ? undefined : new TongbanError(outcome, { detail: answer.reason }),
    });
    if (ok) {
      await store.markDelivered(subscription.id, event.id, now());
      return;
    }
    await store.recordFailure(subscription.id, event.id, answer.kind === 'answer' ? pushFailure('status', String(answer.status)) : pushFailure(answer.kind, answer.reason), now());
    await later(job, retryDelayMs(delivery.attempts));
  });

  deps.jobs.register(PRUNE_QUEUE, async () => {
    await store.pruneEvents(new Date(now().getTime() - KEEP_EVENTS_MS), now());
  });
  deps.jobs.every(PRUNE_QUEUE, 3_600_000, {});
}
