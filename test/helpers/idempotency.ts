import { sql, type Kysely } from 'kysely';
import { expect } from 'vitest';

/**
 * The checks every write with an Idempotency-Key passes (issue 9, ADR 31), for table-driven tests:
 * the same request twice answers the same with `Idempotent-Replayed: true` and writes nothing more
 * (whatever `counts` counts: rows, audit records, jobs, messages); the answer is the same again when
 * only the result was kept (lost before it was sent); the key with another request is 422; the
 * same request twice at once writes as much as one (the other gets the first answer or 409).
 */
export interface Answered {
  readonly statusCode: number;
  readonly body: string;
  readonly headers: Record<string, unknown>;
  json<T = unknown>(): T;
}

export interface IdempotentWrite<R> {
  /** The request of a round (0: one after the other, 1: twice at once), on things arranged without a key. */
  readonly arrange: (round: number) => Promise<R>;
  /** The same operation as another request. */
  readonly other: (req: R) => R | Promise<R>;
  readonly status: number;
  readonly key: string;
  readonly send: (req: R, key?: string) => Promise<Answered>;
  /** Everything the write may write, counted. */
  readonly counts: () => Promise<Record<string, number>>;
  readonly db: Kysely<object>;
}

/** Counts the rows of each table (names from the test's own constant list). */
export async function countRows(db: Kysely<object>, tables: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of tables) out[table] = Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(db)).rows[0]?.n);
  return out;
}

const delta = (from: Record<string, number>, to: Record<string, number>) => Object.fromEntries(Object.keys(to).map((k) => [k, (to[k] ?? 0) - (from[k] ?? 0)]));

export async function expectIdempotentWrite<R>(c: IdempotentWrite<R>): Promise<void> {
  const req = await c.arrange(0);
  const before = await c.counts();
  const first = await c.send(req, c.key);
  expect(first.statusCode, first.body).toBe(c.status);
  expect(first.headers['idempotent-replayed']).toBeUndefined();
  const after = await c.counts();
  expect(after, 'the first request writes').not.toEqual(before);

  const again = await c.send(req, c.key);
  expect(again.statusCode, again.body).toBe(c.status);
  expect(again.headers['idempotent-replayed']).toBe('true');
  expect(again.body).toBe(first.body);
  // The answer lost before it was kept: the replay makes it again from the kept result.
  await sql`update kernel_idempotency_keys set response_status = null, response_body = null where key = ${c.key}`.execute(c.db);
  const rendered = await c.send(req, c.key);
  expect(rendered.statusCode).toBe(c.status);
  expect(rendered.headers['idempotent-replayed']).toBe('true');
  expect(rendered.body).toBe(first.body);

  const other = await c.send(await c.other(req), c.key);
  expect(other.statusCode, other.body).toBe(422);
  expect(String(other.headers['content-type'])).toContain('application/problem+json');
  expect(other.json()).toMatchObject({ status: 422, code: 'TB_IDEMPOTENCY_KEY_REUSED' });
  expect(await c.counts()).toEqual(after);

  // Twice at once: one writes, the other gets its answer or 409 while it is in flight.
  const req2 = await c.arrange(1);
  const base = await c.counts();
  const answers = await Promise.all([c.send(req2, `${c.key}-2`), c.send(req2, `${c.key}-2`)]);
  const ok = answers.filter((a) => a.statusCode === c.status);
  expect(ok.length, answers.map((a) => a.body).join('\n')).toBeGreaterThanOrEqual(1);
  for (const a of ok) expect(a.body).toBe(ok[0]!.body);
  for (const a of answers.filter((x) => x.statusCode !== c.status)) expect(a.json()).toMatchObject({ status: 409, code: 'TB_IDEMPOTENCY_IN_FLIGHT' });
  expect(delta(base, await c.counts())).toEqual(delta(before, after));
}
