import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

/** 256 ids' worth of random bytes, filled at once. */
const POOL_BYTES = 16 * 256;
let pool = Buffer.alloc(0);
let used = POOL_BYTES;
/** The last id's time and counter, so ids made in the same millisecond still sort in order (RFC 9562, method 1). */
const state = { msecs: -Infinity, seq: 0 };

/**
 * A UUIDv7, as `uuid`'s own `v7()` makes it (time-ordered, monotonic within this process), but
 * from a pool of random bytes filled 256 ids at a time. `uuid` asks the system for 16 bytes per
 * id; on the mediator's path (three ids per exchange) that one system call was about 4 % of an
 * exchange's CPU (docs/performance.md, fifth pass). The bytes are the same CSPRNG's.
 */
export function newId(): string {
  if (used === POOL_BYTES) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    used = 0;
  }
  const random = pool.subarray(used, used + 16);
  used += 16;
  const now = Date.now();
  if (now > state.msecs) {
    // A fresh 31-bit counter from the random bytes, as uuid seeds it, at each new millisecond.
    state.seq = (((random[6] ?? 0) & 0x7f) << 24) | ((random[7] ?? 0) << 16) | ((random[8] ?? 0) << 8) | (random[9] ?? 0);
    state.msecs = now;
  } else {
    state.seq = (state.seq + 1) | 0;
    if (state.seq === 0) state.msecs++;
  }
  return v7({ random, msecs: state.msecs, seq: state.seq });
}

/**
 * A UUID in its text form (any version, either case): what every id of ours looks like. Checked
 * before an id from a URL or a form reaches a `uuid` column, where PostgreSQL would refuse the
 * cast with an error instead of finding nothing.
 */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
