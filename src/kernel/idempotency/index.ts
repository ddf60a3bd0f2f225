import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql, type Kysely } from 'kysely';
import { Type } from 'typebox';
import { canonicalJson } from '../audit/canonical.js';
import type { Kernel } from '../context.js';
import type { MigrationSource } from '../db/index.js';
import { TongbanError } from '../http/errors.js';
import type { JobQueue } from '../jobs/types.js';
import { IdempotencyErrors } from './errors.js';
import './messages.js';
import { sha256 } from '../digest.js';

/**
 * `Idempotency-Key` on every call that creates something (issue 9, ADR 31), after the IETF draft
 * "The Idempotency-Key HTTP Header Field": the same key from the same caller with the same
 * request gets the first answer again (with `Idempotent-Replayed: true`) and creates nothing;
 * the same key with another request is 422; while the first is still in its transaction, 409.
 *
 * The row is written by the service, in the transaction that creates (`withIdempotency`), so a
 * lost answer can never leave a creation without its key or a key without its creation. The
 * route (`idempotentAnswer`) looks the key up first, runs the service with a claim, and keeps
 * the answer it sent beside the row so a replay is byte for byte the first answer.
 */

export { IdempotencyErrors } from './errors.js';

export const idempotencyMigrations: MigrationSource = {
  name: 'kernel_idempotency',
  folder: fileURLToPath(new URL('./migrations', import.meta.url)),
};

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
export const KEY_PATTERN = '^[A-Za-z0-9_.:-]{8,128}$';
const KEY = new RegExp(KEY_PATTERN);

/** The header in a route's schema: validated by Fastify and shown in /openapi.json. */
export const idempotencyKeyHeader = Type.Optional(Type.String({
  minLength: 8, maxLength: 128, pattern: KEY_PATTERN,
  description: 'Idempotency-Key (8–128 of A–Z a–z 0–9 _ . : -). A retry with the same key and the same request gets the first answer again, '
    + 'with `Idempotent-Replayed: true`, and creates nothing; the same key with another request is 422 (TB_IDEMPOTENCY_KEY_REUSED); '
    + 'while the first is still being processed, 409 (TB_IDEMPOTENCY_IN_FLIGHT). Keys are kept 24 hours (ADR 31).',
}));
export const idempotencyHeaders = Type.Object({ [IDEMPOTENCY_HEADER]: idempotencyKeyHeader });

/** What a service needs to record the key in its own transaction. */
export interface IdempotencyClaim {
  /** `client:<id>` or `account:<id>`; keys of different callers never meet. */
  readonly caller: string;
  readonly key: string;
  /** `POST /route/:pattern`. */
  readonly operation: string;
  /** SHA-256 of the operation, the path parameters, the query and the body (canonical JSON). */
  readonly fingerprint: string;
  readonly now: Date;
  readonly expiresAt: Date;
}

interface KeyRow {
  caller: string; key: string; operation: string; fingerprint: string; result: unknown;
  response_status: number | null; response_headers: unknown; response_body: string | null;
  created_at: Date; expires_at: Date;
}
type Tables = { kernel_idempotency_keys: KeyRow };
type Executor = Kysely<object>;
const q = (executor: Executor): Kysely<Tables> => executor.withTables<Tables>();
const jsonb = (value: unknown) => sql<never>`cast(${JSON.stringify(value ?? null)} as jsonb)`;

/** Raised inside the service's transaction when the key was already used: the transaction rolls back, the route answers from the row. */
export class IdempotentReplay extends Error {
  constructor() { super('Idempotency-Key already used'); }
}

async function find(executor: Executor, caller: string, key: string, now: Date): Promise<KeyRow | undefined> {
  return q(executor).selectFrom('kernel_idempotency_keys').selectAll().where('caller', '=', caller).where('key', '=', key).where('expires_at', '>', now).executeTakeFirst();
}

/**
 * Runs `work` in the caller's transaction `trx` with the key recorded beside what it creates.
 * Without a claim it only runs `work`. The first statement takes a transaction-scoped advisory
 * lock on (caller, key): another transaction holding it means the same request is in flight (409).
 * A key already recorded raises IdempotentReplay, which rolls back whatever `work` would do.
 */
export async function withIdempotency<R>(trx: Executor, claim: IdempotencyClaim | undefined, work: () => Promise<R>): Promise<R> {
  if (!claim) return work();
  const lock = await sql<{ got: boolean }>`select pg_try_advisory_xact_lock(hashtextextended(${`${claim.caller}\n${claim.key}`}, 0)) as got`.execute(trx);
  if (lock.rows[0]?.got !== true) throw new TongbanError(IdempotencyErrors.TB_IDEMPOTENCY_IN_FLIGHT, { headers: { 'retry-after': '1' } });
  if (await find(trx, claim.caller, claim.key, claim.now)) throw new IdempotentReplay();
  // An expired row of the same key (not yet cleaned up) makes way.
  await q(trx).deleteFrom('kernel_idempotency_keys').where('caller', '=', claim.caller).where('key', '=', claim.key).execute();
  const result = await work();
  await q(trx).insertInto('kernel_idempotency_keys').values({
    caller: claim.caller, key: claim.key, operation: claim.operation, fingerprint: claim.fingerprint, result: jsonb(result),
    response_status: null, response_headers: null, response_body: null, created_at: claim.now, expires_at: claim.expiresAt,
  }).execute();
  return result;
}

/** The answer a route sends: kept beside the key and replayed as it was. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

type IdempotencyKernel = Pick<Kernel, 'db' | 'now' | 'config'>;

/** Who calls: the machine client, else the signed-in account; undefined for anonymous calls (no keys). */
export function callerOf(request: FastifyRequest): string | undefined {
  const client = (request as { client?: { clientId: string } | null }).client;
  if (client) return `client:${client.clientId}`;
  if (request.principal) return `account:${request.principal.accountId}`;
  return undefined;
}

/** `also`: what else the request is (e.g. a header that names whom it is about); absent, the fingerprint is as before. */
export function fingerprintOf(operation: string, request: Pick<FastifyRequest, 'params' | 'query' | 'body'>, also?: unknown): string {
  const material = canonicalJson({ operation, params: request.params ?? null, query: request.query ?? null, body: request.body ?? null, ...(also === undefined ? {} : { also }) });
  return sha256(material, 'hex');
}

/** The claim of a request that sent an Idempotency-Key, or undefined (no key, or nobody to key it to). */
export function claimOf(kernel: IdempotencyKernel, request: FastifyRequest, caller: string | undefined = callerOf(request), also?: unknown, body?: unknown): IdempotencyClaim | undefined {
  const raw = request.headers[IDEMPOTENCY_HEADER];
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (key === undefined || caller === undefined) return undefined;
  if (!KEY.test(key)) {
    throw new TongbanError('TB_KERNEL_VALIDATION', { fields: [{ pointer: '/headers/idempotency-key', message: 'kernel.error.fieldInvalid', detail: 'must be 8 to 128 of A-Z a-z 0-9 _ . : -' }] });
  }
  const operation = `${request.method} ${request.routeOptions.url ?? request.url}`;
  const now = kernel.now();
  const hashed = body === undefined ? request : { params: request.params, query: request.query, body };
  return { caller, key, operation, fingerprint: fingerprintOf(operation, hashed, also), now, expiresAt: new Date(now.getTime() + kernel.config.idempotency.ttlHours * 3_600_000) };
}

function send(reply: FastifyReply, answer: Answer, replayed: boolean): FastifyReply {
  if (answer.headers) void reply.headers(answer.headers);
  if (replayed) void reply.header(REPLAYED_HEADER, 'true');
  return reply.code(answer.status).send(answer.body);
}

async function keepAnswer(kernel: IdempotencyKernel, claim: IdempotencyClaim, answer: Answer): Promise<void> {
  await q(kernel.db).updateTable('kernel_idempotency_keys').set({
    response_status: answer.status, response_headers: jsonb(answer.headers ?? {}), response_body: JSON.stringify(answer.body ?? null),
  }).where('caller', '=', claim.caller).where('key', '=', claim.key).execute();
}

/** The first answer of a recorded key: as it was sent, or (if it was lost before being kept) rendered again from the result. */
async function replay<R>(kernel: IdempotencyKernel, reply: FastifyReply, claim: IdempotencyClaim, row: KeyRow, render: (result: R) => Promise<Answer> | Answer): Promise<FastifyReply> {
  if (row.fingerprint !== claim.fingerprint) {
    throw new TongbanError(IdempotencyErrors.TB_IDEMPOTENCY_KEY_REUSED, { detail: `This Idempotency-Key was used for another request (${row.operation})` });
  }
  if (row.response_status !== null && row.response_body !== null) {
    return send(reply, { status: row.response_status, body: JSON.parse(row.response_body) as unknown, headers: (row.response_headers ?? {}) as Record<string, string> }, true);
  }
  const answer = await render(row.result as R);
  await keepAnswer(kernel, claim, answer);
  return send(reply, answer, true);
}

/**
 * A creating route with Idempotency-Key: `run` calls the service with the claim (or undefined
 * when no key was sent: the route behaves as before), `render` turns the service's result into
 * the answer. On a replay `render` gets the result as kept (JSON: dates are strings), so it
 * should read ids and plain values only. `options.body` stands for the body in the fingerprint
 * where the parsed body is not plain data (a multipart upload: its file's name, type and hash).
 */
export async function idempotentAnswer<R>(
  kernel: IdempotencyKernel, request: FastifyRequest, reply: FastifyReply,
  run: (claim: IdempotencyClaim | undefined) => Promise<R>, render: (result: R) => Promise<Answer> | Answer,
  options: { caller?: string; also?: unknown; body?: unknown } = {},
): Promise<FastifyReply> {
  const claim = claimOf(kernel, request, options.caller ?? callerOf(request), options.also, options.body);
  if (!claim) return send(reply, await render(await run(undefined)), false);
  const before = await find(kernel.db, claim.caller, claim.key, claim.now);
  if (before) return replay(kernel, reply, claim, before, render);
  let result: R;
  try {
    result = await run(claim);
  } catch (error) {
    // Lost a race with the same key (it committed first), or a step before the service's
    // transaction refused what the first request has just done: the first answer stands.
    if (error instanceof TongbanError && error.code === IdempotencyErrors.TB_IDEMPOTENCY_IN_FLIGHT) throw error;
    const after = await find(kernel.db, claim.caller, claim.key, claim.now);
    if (after) return replay(kernel, reply, claim, after, render);
    if (error instanceof IdempotentReplay) throw new TongbanError(IdempotencyErrors.TB_IDEMPOTENCY_IN_FLIGHT, { headers: { 'retry-after': '1' }, cause: error });
    throw error;
  }
  const answer = await render(JSON.parse(JSON.stringify(result ?? null)) as R);
  await keepAnswer(kernel, claim, answer);
  return send(reply, answer, false);
}

/** Looks a key up (for modules that de-duplicate outside a service transaction, like the mediator). */
export const findKey = find;

export const IDEMPOTENCY_CLEANUP_QUEUE = 'kernel.idempotency-cleanup';
const CLEANUP_EVERY_MS = 60 * 60_000;

/** Deletes expired keys; returns how many. */
export async function deleteExpiredKeys(db: Executor, now: Date): Promise<number> {
  const result = await q(db).deleteFrom('kernel_idempotency_keys').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The durable hourly cleanup of expired keys (one job per hour across every instance). */
export function registerIdempotencyCleanup(kernel: { db: Executor; now: () => Date; jobs: JobQueue }): void {
  kernel.jobs.register(IDEMPOTENCY_CLEANUP_QUEUE, async () => { await deleteExpiredKeys(kernel.db, kernel.now()); });
  kernel.jobs.every(IDEMPOTENCY_CLEANUP_QUEUE, CLEANUP_EVERY_MS, {});
}
