import { setTimeout as sleep } from 'node:timers/promises';
import { submission, SERVICE } from '../../bench/scenarios/submissions.js';

/** The demo front desk the crash test submits as (the bench's submissions scenario seeds the same kind). */
export const DESK = { clientId: 'crash-cab-front-desk', organisation: 'CN/GOV/110000-CAB/front-desk' };
export const SCOPES = ['registration:apply'];

export interface TrialOutcome {
  /** Application ids the server answered 2xx for: each must exist after the crash. */
  readonly acknowledged: readonly string[];
  /** Requests cut by the kill: their outcome is unknown, either way is correct. */
  readonly unknown: number;
  /** Answers other than 2xx before the kill: a sign the load itself is wrong. */
  readonly refused: readonly string[];
}

/**
 * Several clients submit complete applications, one after another each, as fast as the server
 * answers, until `killAt` resolves; a client stops at its first cut connection. Person numbers
 * come from `nextPerson` so no two submissions share a person's open draft.
 */
export async function submitUntilKilled(input: {
  readonly baseUrl: string;
  readonly token: string;
  readonly clients: number;
  readonly nextPerson: () => number;
  readonly kill: () => void;
  readonly killAfterMs: number;
}): Promise<TrialOutcome> {
  const url = `${input.baseUrl}/govstack/registration/services/${SERVICE}/applications`;
  const headers = { authorization: `Bearer ${input.token}`, 'information-mediator-client': DESK.organisation, 'content-type': 'application/json', accept: 'application/json' };
  const acknowledged: string[] = [];
  const refused: string[] = [];
  let unknown = 0;
  let killed = false;
  const client = async () => {
    while (!killed) {
      let response: Response;
      try {
        response = await fetch(url, { method: 'POST', headers, body: submission(input.nextPerson()) });
      } catch {
        unknown += 1;
        return;
      }
      let text: string;
      try {
        text = await response.text();
      } catch {
        // Headers arrived but the body was cut: not an acknowledgement.
        unknown += 1;
        return;
      }
      if (response.ok) {
        const fileId = (JSON.parse(text) as { fileId?: string }).fileId;
        if (!fileId) throw new Error(`a 2xx answer without a fileId: ${text.slice(0, 300)}`);
        acknowledged.push(fileId);
      } else if (!killed) {
        refused.push(`${response.status} ${text.slice(0, 200)}`);
      }
    }
  };
  const running = Array.from({ length: input.clients }, () => client());
  await sleep(input.killAfterMs);
  killed = true;
  input.kill();
  await Promise.all(running);
  return { acknowledged, unknown, refused };
}
