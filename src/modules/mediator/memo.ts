import type { MachineClient } from '../../kernel/auth/machine/index.js';
import { sha256 } from '../../kernel/digest.js';

const MAX_ENTRIES = 10_000;

/**
 * Verified access tokens, by SHA-256 of the token, until the token's own `exp`: a calling system
 * reuses its token for minutes, and the Ed25519 verification is the largest CPU cost of an exchange
 * after the log (docs/adr/0016-mediator-performance.md). Only tokens that verified are kept; the
 * token itself is not (its hash is). Verification reads nothing revocable from the database, so a
 * cached answer is the answer verification would give until `exp`.
 */
export function createTokenCache(now: () => Date) {
  const entries = new Map<string, { readonly client: MachineClient; readonly expMs: number }>();
  return async (token: string, verify: (token: string) => Promise<MachineClient>): Promise<MachineClient> => {
    const key = sha256(token, 'base64url');
    const at = now().getTime();
    const hit = entries.get(key);
    if (hit && hit.expMs > at) return hit.client;
    if (hit) entries.delete(key);
    const client = await verify(token);
    const expMs = expiryOf(token);
    if (expMs !== undefined && expMs > at) {
      if (entries.size >= MAX_ENTRIES) entries.clear();
      entries.set(key, { client, expMs });
    }
    return client;
  };
}

/** `exp` of a JWT that has just verified, in milliseconds. */
function expiryOf(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** The people register through a port: the identity service's `accountByIdNumber`. */
export interface PersonDirectory {
  /** The account id of the person with this resident ID number, if they have an account. */
  accountIdOf(idNumber: string): Promise<string | undefined>;
}

const FOUND_MS = 5 * 60_000;
const NOT_FOUND_MS = 5_000;

/**
 * ID number → account id, cached: an account's id never changes once it exists, so found ones are
 * kept for minutes; a missing one only for seconds (the person may sign up).
 */
export function cachedDirectory(directory: PersonDirectory): PersonDirectory {
  const entries = new Map<string, { readonly until: number; readonly value: Promise<string | undefined> }>();
  return {
    accountIdOf(idNumber) {
      const at = Date.now();
      const hit = entries.get(idNumber);
      if (hit && hit.until > at) return hit.value;
      if (entries.size >= MAX_ENTRIES) entries.clear();
      const value = directory.accountIdOf(idNumber);
      const entry = { until: at + FOUND_MS, value };
      entries.set(idNumber, entry);
      value.then((id) => {
        if (id === undefined && entries.get(idNumber) === entry) entries.set(idNumber, { until: at + NOT_FOUND_MS, value });
      }, () => { if (entries.get(idNumber) === entry) entries.delete(idNumber); });
      return value;
    },
  };
}
