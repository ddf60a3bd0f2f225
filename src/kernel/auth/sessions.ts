import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { sha256 } from '../digest.js';

type SessionTables = {
  kernel_session: {
    id_hash: string;
    account_id: string;
    created_at: Date;
    last_seen_at: Date;
    idle_expires_at: Date;
    expires_at: Date;
    issuer: string;
    id_token: string | null;
    authenticated_at: Date | null;
  };
  kernel_signin_attempt: {
    id_hash: string;
    state: string;
    nonce: string;
    code_verifier: string;
    return_to: string;
    created_at: Date;
    expires_at: Date;
  };
};

export interface SessionTimeouts {
  /** Signed out after this long without a request. */
  readonly idleMs: number;
  /** Signed out this long after signing in, however active. */
  readonly absoluteMs: number;
}

export const DEFAULT_TIMEOUTS: SessionTimeouts = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };

/** A sign-in must come back from the identity provider within this time. */
const ATTEMPT_MS = 15 * 60_000;

/** Writing last-seen on every request would make each page view a write; a minute is precise enough. */
const TOUCH_EVERY_MS = 60_000;

export interface Session {
  readonly accountId: string;
  readonly issuer: string;
  readonly idToken: string | undefined;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  /** When the person last proved who they are to the identity provider, if it said (`auth_time`). */
  readonly authenticatedAt: Date | undefined;
}

/** One of a person's live sessions as they see it: never its id, only a handle to end it by. */
export interface SessionSummary {
  /** The first 16 hex digits of the SHA-256 of the session id: names it on the page, cannot be used as it. */
  readonly handle: string;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  /** The earlier of the idle and the absolute timeout. */
  readonly endsAt: Date;
  readonly current: boolean;
}

const HANDLE = /^[0-9a-f]{16}$/;
/** The handle of a session id, as `SessionSummary.handle`. */
export const sessionHandle = (id: string): string => hashOf(id).slice(0, 16);

export interface SigninAttempt {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly returnTo: string;
}

/** A fresh random id for a cookie: 256 bits, URL-safe. */
export function newSecretId(): string {
  return randomBytes(32).toString('base64url');
}

function hashOf(id: string): string {
  return sha256(id, 'hex');
}

export function createSessionStore(database: Db, now: () => Date, timeouts: SessionTimeouts = DEFAULT_TIMEOUTS) {
  const db = database.withTables<SessionTables>();
  const later = (from: Date, ms: number) => new Date(from.getTime() + ms);

  return {
    timeouts,

    /** Starts a session under a new id (never a caller's): the id is returned once, for the cookie. */
    async create(input: { accountId: string; issuer: string; idToken: string | undefined; authenticatedAt?: Date | undefined }): Promise<{ id: string; expiresAt: Date }> {
      const id = newSecretId();
      const at = now();
      const expiresAt = later(at, timeouts.absoluteMs);
      await db.insertInto('kernel_session').values({
        id_hash: hashOf(id),
        account_id: input.accountId,
        created_at: at,
        last_seen_at: at,
        idle_expires_at: later(at, timeouts.idleMs),
        expires_at: expiresAt,
        issuer: input.issuer,
        id_token: input.idToken ?? null,
        authenticated_at: input.authenticatedAt ?? null,
      }).execute();
      return { id, expiresAt };
    },

    /**
     * The live session with this id; an expired one is deleted and reads as none. `onEnded` hears
     * why there is none (unknown id, idle or absolute timeout), for the security log.
     */
    async find(id: string, onEnded?: (why: 'unknown' | 'idle-timeout' | 'absolute-timeout', accountId?: string) => void): Promise<Session | undefined> {
      const idHash = hashOf(id);
      const row = await db.selectFrom('kernel_session').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
      if (!row) {
        onEnded?.('unknown');
        return undefined;
      }
      const at = now();
      if (row.idle_expires_at <= at || row.expires_at <= at) {
        await db.deleteFrom('kernel_session').where('id_hash', '=', idHash).execute();
        onEnded?.(row.expires_at <= at ? 'absolute-timeout' : 'idle-timeout', row.account_id);
        return undefined;
      }
      if (at.getTime() - row.last_seen_at.getTime() >= TOUCH_EVERY_MS) {
        await db.updateTable('kernel_session')
          .set({ last_seen_at: at, idle_expires_at: later(at, timeouts.idleMs) })
          .where('id_hash', '=', idHash)
          .execute();
      }
      return {
        accountId: row.account_id, issuer: row.issuer, idToken: row.id_token ?? undefined, createdAt: row.created_at, expiresAt: row.expires_at,
        authenticatedAt: row.authenticated_at ?? undefined,
      };
    },

    async destroy(id: string): Promise<void> {
      await db.deleteFrom('kernel_session').where('id_hash', '=', hashOf(id)).execute();
    },

    /** Ends every session of an account (e.g. when it is disabled). */
    async destroyAllFor(accountId: string): Promise<number> {
      const result = await db.deleteFrom('kernel_session').where('account_id', '=', accountId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /** An account's live sessions, the most recently used first; `currentId` is the caller's own. */
    async listFor(accountId: string, currentId: string): Promise<SessionSummary[]> {
      const current = hashOf(currentId);
      const rows = await db.selectFrom('kernel_session').select(['id_hash', 'created_at', 'last_seen_at', 'idle_expires_at', 'expires_at'])
        .where('account_id', '=', accountId).where(sql<Date>`least(idle_expires_at, expires_at)`, '>', now())
        .orderBy('last_seen_at', 'desc').orderBy('id_hash').execute();
      return rows.map((r) => ({
        handle: r.id_hash.slice(0, 16), createdAt: r.created_at, lastSeenAt: r.last_seen_at,
        endsAt: r.idle_expires_at < r.expires_at ? r.idle_expires_at : r.expires_at, current: r.id_hash === current,
      }));
    },

    /** Ends one of an account's sessions other than `currentId` by its handle; false when it has none such. */
    async endOne(accountId: string, handle: string, currentId: string): Promise<boolean> {
      if (!HANDLE.test(handle)) return false;
      const result = await db.deleteFrom('kernel_session').where('account_id', '=', accountId)
        .where('id_hash', 'like', `${handle}%`).where('id_hash', '!=', hashOf(currentId)).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    /** Ends every session of an account but `currentId`; how many. */
    async endOthers(accountId: string, currentId: string): Promise<number> {
      const result = await db.deleteFrom('kernel_session').where('account_id', '=', accountId).where('id_hash', '!=', hashOf(currentId)).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /** Ends every session of every account (an operator's answer to a breach); how many. */
    async destroyAll(): Promise<number> {
      const result = await db.deleteFrom('kernel_session').executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async startAttempt(attempt: SigninAttempt): Promise<string> {
      const id = newSecretId();
      const at = now();
      await db.insertInto('kernel_signin_attempt').values({
        id_hash: hashOf(id),
        state: attempt.state,
        nonce: attempt.nonce,
        code_verifier: attempt.codeVerifier,
        return_to: attempt.returnTo,
        created_at: at,
        expires_at: later(at, ATTEMPT_MS),
      }).execute();
      return id;
    },

    /** Reads and deletes the attempt: a callback can be used once. */
    async takeAttempt(id: string): Promise<SigninAttempt | undefined> {
      const row = await db.deleteFrom('kernel_signin_attempt').where('id_hash', '=', hashOf(id)).returningAll().executeTakeFirst();
      if (!row || row.expires_at <= now()) return undefined;
      return { state: row.state, nonce: row.nonce, codeVerifier: row.code_verifier, returnTo: row.return_to };
    },

    /** Deletes expired sessions and attempts; run by a periodic job. */
    async prune(): Promise<number> {
      const at = now();
      // A session timed out for being idle is refused at once (find) but its row stays until the
      // session's absolute end (12 hours at most): until then a form its person posts after the
      // timeout is kept for them (ADR 55, "Since then"), not only when no prune came between.
      const sessions = await db.deleteFrom('kernel_session').where('expires_at', '<=', at).executeTakeFirst();
      const attempts = await db.deleteFrom('kernel_signin_attempt').where('expires_at', '<=', at).executeTakeFirst();
      return Number(sessions.numDeletedRows) + Number(attempts.numDeletedRows);
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
