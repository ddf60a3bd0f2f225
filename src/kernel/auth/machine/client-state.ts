import type { Kysely } from 'kysely';
import { machineDb, selectClient } from './store.js';

/** How long an instance trusts that a client is still enabled before reading it again. */
export const CLIENT_STATE_SECONDS = 5;
const MAX_ENTRIES = 10_000;
/** The checks of this process, by database: a change made here is seen by them at once. */
const inProcess = new WeakMap<object, Set<Map<string, number>>>();

/**
 * After a client was disabled in this process (and the change committed): its tokens are refused
 * here from the next call. Other instances read the client again within CLIENT_STATE_SECONDS.
 */
export function forgetClientState(db: object, clientId: string): void {
  for (const known of inProcess.get(db) ?? []) known.delete(clientId);
}

/**
 * Whether an access token's client is still enabled: a disabled client's tokens are refused
 * within seconds on every instance, not only when they expire (minutes later). The answer
 * "enabled" is kept for CLIENT_STATE_SECONDS; "disabled" or "gone" is never kept, so enabling it
 * again takes effect at the next call. Reads of one client at the same moment share one query.
 */
export function createClientStateCheck(db: Kysely<object>) {
  const enabledUntil = new Map<string, number>();
  const siblings = inProcess.get(db) ?? new Set<Map<string, number>>();
  inProcess.set(db, siblings);
  siblings.add(enabledUntil);
  const reading = new Map<string, Promise<boolean>>();
  return {
    /** Known enabled at `atMs` without asking the database (the hot path: one map lookup). */
    knownEnabled: (clientId: string, atMs: number): boolean => (enabledUntil.get(clientId) ?? 0) > atMs,

    async isEnabled(clientId: string, atMs: number): Promise<boolean> {
      if ((enabledUntil.get(clientId) ?? 0) > atMs) return true;
      let read = reading.get(clientId);
      if (!read) {
        read = selectClient(machineDb(db), clientId).then((row) => row?.enabled === true).finally(() => reading.delete(clientId));
        reading.set(clientId, read);
      }
      const enabled = await read;
      if (!enabled) enabledUntil.delete(clientId);
      else {
        if (enabledUntil.size >= MAX_ENTRIES) enabledUntil.clear();
        enabledUntil.set(clientId, atMs + CLIENT_STATE_SECONDS * 1000);
      }
      return enabled;
    },
  };
}
