import { setTimeout as sleep } from 'node:timers/promises';
import { submission, SERVICE } from '../../bench/scenarios/submissions.js';

/** The demo front desk the crash test submits as (the bench's submissions scenario seeds the same kind). */
export const DESK = { clientId: 'crash-cab-front-desk', organisation: 'CN/GOV/110000-CAB/front-desk' };
export const SCOPES = ['registration:apply'];

/** What one kind of request came to in a trial. */
export interface KindOutcome {
  /** Ids the server answered 2xx for (application fileIds, mediator X-Road-Ids): each must exist after the crash. */
  readonly acknowledged: readonly string[];
  /** Requests cut by the kill, or answered with an error once it came: their outcome is unknown, either way is correct. */
  readonly unknown: number;
}

export interface TrialOutcome {
  readonly submissions: KindOutcome;
  readonly mediated: KindOutcome;
  /** PubSub publications (event ids): each acknowledged event must be stored. */
  readonly published: KindOutcome;
  /** Answers other than 2xx before the kill: a sign the load itself is wrong. */
  readonly refused: readonly string[];
}

/** One request of the load: where it goes, and the id a 2xx answer acknowledges (or why there is none). */
interface RequestKind {
  send(): Promise<Response>;
  acknowledgedId(response: Response, text: string): string;
}

/**
 * Several clients submit complete applications, and others make mediated calls, one after another
 * each, as fast as the server answers, until the kill; a client stops at its first cut connection,
 * or at its first answer after the kill. Person numbers come from `nextPerson` so no two
 * submissions share a person's open draft.
 */
export async function loadUntilKilled(input: {
  readonly baseUrl: string;
  readonly token: string;
  readonly clients: number;
  readonly nextPerson: () => number;
  /** Mediated calls by the demo civil affairs system (none without). */
  readonly mediated?: { readonly clients: number; readonly url: string; readonly headers: Readonly<Record<string, string>> };
  /** One client publishing PubSub events as the demo civil affairs system (none without). */
  readonly published?: { readonly url: string; readonly headers: Readonly<Record<string, string>>; readonly body: (n: number) => string };
  readonly kill: () => void | Promise<void>;
  readonly killAfterMs: number;
}): Promise<TrialOutcome> {
  const url = `${input.baseUrl}/govstack/registration/services/${SERVICE}/applications`;
  const headers = { authorization: `Bearer ${input.token}`, 'information-mediator-client': DESK.organisation, 'content-type': 'application/json', accept: 'application/json' };
  const submit: RequestKind = {
    send: () => fetch(url, { method: 'POST', headers, body: submission(input.nextPerson()) }),
    acknowledgedId: (_response, text) => {
      const fileId = (JSON.parse(text) as { fileId?: string }).fileId;
      if (!fileId) throw new Error(`a 2xx answer without a fileId: ${text.slice(0, 300)}`);
      return fileId;
    },
  };
  const mediated = input.mediated;
  const call: RequestKind | undefined = mediated && {
    send: () => fetch(mediated.url, { headers: { ...mediated.headers } }),
    acknowledgedId: (response, text) => {
      const id = response.headers.get('x-road-id');
      if (!id) throw new Error(`a 2xx mediated answer without X-Road-Id: ${text.slice(0, 300)}`);
      return id;
    },
  };
  const published = input.published;
  let publication = 0;
  const publish: RequestKind | undefined = published && {
    send: () => fetch(published.url, { method: 'POST', headers: { ...published.headers }, body: published.body(publication++) }),
    acknowledgedId: (_response, text) => {
      const id = (JSON.parse(text) as { id?: string }).id;
      if (!id) throw new Error(`a 2xx publication without an event id: ${text.slice(0, 300)}`);
      return id;
    },
  };
  const refused: string[] = [];
  let killed = false;
  const client = async (kind: RequestKind, into: { acknowledged: string[]; unknown: number }) => {
    while (!killed) {
      let response: Response;
      let text: string;
      try {
        response = await kind.send();
        // Headers may arrive and the body be cut: not an acknowledgement.
        text = await response.text();
      } catch {
        into.unknown += 1;
        return;
      }
      if (response.ok) into.acknowledged.push(kind.acknowledgedId(response, text));
      else if (killed) into.unknown += 1;
      else refused.push(`${response.status} ${text.slice(0, 200)}`);
    }
  };
  const submissions = { acknowledged: [] as string[], unknown: 0 };
  const calls = { acknowledged: [] as string[], unknown: 0 };
  const events = { acknowledged: [] as string[], unknown: 0 };
  const running = [
    ...Array.from({ length: input.clients }, () => client(submit, submissions)),
    ...(call && mediated ? Array.from({ length: mediated.clients }, () => client(call, calls)) : []),
    ...(publish ? [client(publish, events)] : []),
  ];
  await sleep(input.killAfterMs);
  killed = true;
  await input.kill();
  await Promise.all(running);
  return { submissions, mediated: calls, published: events, refused };
}
