import type { Kysely } from 'kysely';
import { machineDb, selectClient } from './store.js';

/** How long an instance trusts what it read of a client (enabled, its scopes) before reading it again. */
export const CLIENT_STATE_SECONDS = 5;
const MAX_ENTRIES = 10_000;

/** What a token's client may still do: the scopes it is allowed now. */
export interface ClientState { readonly scopes: ReadonlySet<string> }
interface Known extends ClientState { readonly until: number }

/** The checks of this process, by database: a change made here is seen by them at once. */
const inProcess = new WeakMap<object, Set<Map<string, Known>>>();

/**
 * After a client was changed in this process (and the change committed): its tokens are checked
 * against the database at their next call here. Other instances read the client again within
 * CLIENT_STATE_SECONDS.
 */
export function forgetClientState(db: object, clientId: string): void {
  for (const known of inProcess.get(db) ?? []) known.delete(clientId);
}

/**
 * Whether an access token's client is still enabled, and which scopes it still has: a disabled
 * client's tokens, and a scope taken away from a client, are refused within seconds on every
 * instance, not only when the tokens expire (minutes later). An enabled client's state is kept for
 * CLIENT_STATE_SECONDS; "disabled" or "gone" is never kept, so enabling it again takes effect at
 * the next call. Reads of one client at the same moment share one query.
 */
export function createClientStateCheck(db: Kysely<object>) {
  const known = new Map<string, Known>();
  const siblings = inProcess.get(db) ?? new Set<Map<string, Known>>();
  inProcess.set(db, siblings);
  siblings.add(known);
  const reading = new Map<string, Promise<ClientState | undefined>>();
  return {
    /** The state known at `atMs` without asking the database (the hot path: one map lookup). */
    known(clientId: string, atMs: number): ClientState | undefined {
      const entry = known.get(clientId);
      return entry && entry.until > atMs ? entry : undefined;
    },

    /** The client's state read from the database; undefined when it is disabled or gone. */
    async read(clientId: string, atMs: number): Promise<ClientState | undefined> {
      let read = reading.get(clientId);
      if (!read) {
        read = selectClient(machineDb(db), clientId)
          .then((row) => (row?.enabled ? { scopes: new Set(row.scopes) } : undefined))
          .finally(() => reading.delete(clientId));
        reading.set(clientId, read);
      }
      const state = await read;
      if (!state) known.delete(clientId);
      else {
        if (known.size >= MAX_ENTRIES) known.clear();
        known.set(clientId, { ...state, until: atMs + CLIENT_STATE_SECONDS * 1000 });
      }
      return state;
    },
  };
}
