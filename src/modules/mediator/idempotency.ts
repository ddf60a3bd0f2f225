import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import { IdempotencyErrors, KEY_PATTERN, REPLAYED_HEADER } from '../../kernel/idempotency/index.js';
import type { Credentials } from './discovery.js';
import { credentialsOf, header } from './credentials.js';
import type { ExchangeResult } from './exchange.js';
import { sha256 } from '../../kernel/digest.js';

/**
 * Idempotency-Key on mediated writes (issue 9, ADR 31): a POST, PUT, PATCH or DELETE through /r1
 * (exchanges and the PubSub API, ADR 53) with the header is forwarded once per (authenticated client subsystem, key); a retry gets the
 * provider's first answer again (`Idempotent-Replayed: true`, the first exchange's X-Road-Id)
 * instead of a second call to the provider. The key is claimed before forwarding (the provider
 * call is outside any transaction), so a retry while the first is on its way is 409; the answer is
 * kept once it arrived. When the mediator refused or the provider timed out or could not be
 * reached, the claim is let go: the retry is forwarded (the provider's own idempotency, if any, is
 * the end-to-end guard for a timeout). A claim left by a crashed instance is taken over after
 * STALE_MS. Keys live in the kernel's table (kernel_idempotency_keys), caller `subsystem:<id>`.
 */

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const KEY = new RegExp(KEY_PATTERN);
/** Longer than any provider timeout: a claim this old without an answer belongs to a crashed call. */
const STALE_MS = 5 * 60_000;

/**
 * The Idempotency-Key the provider receives for a client's keyed write: a digest of the client
 * subsystem and its key. It is the same on every retry of that write, so a provider with its own
 * idempotency settles a call whose outcome the mediator could not know (a timeout); and it differs
 * between clients, so a provider that keys by its caller (the mediator) never gives one client's
 * answer to another's equal key. Undefined for a read or without a valid key.
 */
export function providerKey(method: string, clientId: string, key: string | undefined): string | undefined {
  if (key === undefined || !WRITES.has(method) || !KEY.test(key)) return undefined;
  return sha256(`${clientId}\n${key}`, 'base64url');
}

interface KeyRow {
  caller: string; key: string; operation: string; fingerprint: string; result: unknown;
  response_status: number | null; response_headers: unknown; response_body: string | null; created_at: Date; expires_at: Date;
}
type Tables = { kernel_idempotency_keys: KeyRow };

export interface ExchangeIdempotencyDeps {
  readonly kernel: Pick<Kernel, 'db' | 'now' | 'config'>;
  readonly authenticate: (credentials: Credentials) => Promise<{ instance: string; memberClass: string; member: string; subsystem: string }>;
}


export function createExchangeIdempotency(deps: ExchangeIdempotencyDeps) {
  const q = (): Kysely<Tables> => deps.kernel.db.withTables<Tables>();

  const replayed = (row: KeyRow): ExchangeResult => {
    const headers = (row.response_headers ?? {}) as Record<string, string>;
    const { 'x-road-id': messageId = '', ...rest } = headers;
    return {
      messageId, serviceId: row.operation, client: undefined, status: row.response_status ?? 200, headers: { ...rest, [REPLAYED_HEADER]: 'true' },
      body: Buffer.from(row.response_body ?? '', 'base64'), seconds: 0, known: true,
    };
  };

  return {
    /**
     * Runs `exchange` at most once per key for a keyed write; anything else runs it as before.
     * The client is authenticated first (a replay is only ever for the subsystem that made the
     * call); a request that fails authentication goes to `exchange`, which refuses and logs it.
     */
    async around(request: FastifyRequest, exchange: () => Promise<ExchangeResult>): Promise<ExchangeResult> {
      const key = header(request, 'idempotency-key');
      // A body over the limit was not read (the exchange's BODY_TOO_LARGE symbol): the exchange refuses it (413) and logs it, key or not.
      if (key === undefined || !WRITES.has(request.method) || typeof request.body === 'symbol') return exchange();
      if (!KEY.test(key)) {
        throw new TongbanError('TB_KERNEL_VALIDATION', { fields: [{ pointer: '/headers/idempotency-key', message: 'kernel.error.fieldInvalid', detail: 'must be 8 to 128 of A-Z a-z 0-9 _ . : -' }] });
      }
      let client: string;
      try {
        const ref = await deps.authenticate(credentialsOf(request));
        client = `subsystem:${ref.instance}/${ref.memberClass}/${ref.member}/${ref.subsystem}`;
      } catch {
        return exchange();
      }
      const operation = `${request.method} ${request.url.split('?')[0] ?? ''}`;
      // /r1 exchanges read their bodies as bytes; the PubSub API's are parsed JSON (ADR 53).
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body === undefined ? '' : JSON.stringify(request.body));
      const fingerprint = createHash('sha256').update(`${request.method}\n${request.url}\n${header(request, 'content-type') ?? ''}\n`).update(body).digest('hex');
      const now = deps.kernel.now();
      const expiresAt = new Date(now.getTime() + deps.kernel.config.idempotency.ttlHours * 3_600_000);
      await q().deleteFrom('kernel_idempotency_keys').where('caller', '=', client).where('key', '=', key).where('expires_at', '<=', now).execute();
      const claimed = await q().insertInto('kernel_idempotency_keys').values({
        caller: client, key, operation, fingerprint, result: null, response_status: null, response_headers: null, response_body: null, created_at: now, expires_at: expiresAt,
      }).onConflict((oc) => oc.columns(['caller', 'key']).doNothing()).returning('key').execute();
      if (claimed.length === 0) {
        const row = await q().selectFrom('kernel_idempotency_keys').selectAll().where('caller', '=', client).where('key', '=', key).executeTakeFirst();
        if (row && row.fingerprint !== fingerprint) throw new TongbanError(IdempotencyErrors.TB_IDEMPOTENCY_KEY_REUSED, { detail: `This Idempotency-Key was used for another request (${row.operation})` });
        if (row && row.response_status !== null) return replayed(row);
        // On its way still, unless the instance that claimed it died: then this call takes it over.
        const taken = row ? await q().updateTable('kernel_idempotency_keys').set({ created_at: now })
          .where('caller', '=', client).where('key', '=', key).where('response_status', 'is', null).where('created_at', '<', new Date(now.getTime() - STALE_MS)).executeTakeFirst() : undefined;
        if (!taken || taken.numUpdatedRows === 0n) throw new TongbanError(IdempotencyErrors.TB_IDEMPOTENCY_IN_FLIGHT, { headers: { 'retry-after': '1' } });
      }
      let result: ExchangeResult;
      try {
        result = await exchange();
      } catch (error) {
        await q().deleteFrom('kernel_idempotency_keys').where('caller', '=', client).where('key', '=', key).execute();
        throw error;
      }
      if (result.error) {
        await q().deleteFrom('kernel_idempotency_keys').where('caller', '=', client).where('key', '=', key).execute();
        return result;
      }
      await q().updateTable('kernel_idempotency_keys').set({
        response_status: result.status, response_headers: sql<never>`cast(${JSON.stringify({ ...result.headers, 'x-road-id': result.messageId })} as jsonb)`, response_body: result.body.toString('base64'),
      }).where('caller', '=', client).where('key', '=', key).execute();
      return result;
    },
  };
}

export type ExchangeIdempotency = ReturnType<typeof createExchangeIdempotency>;
