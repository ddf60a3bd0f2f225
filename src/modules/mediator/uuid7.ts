import { randomFillSync } from 'node:crypto';

/**
 * UUIDv7 (RFC 9562) for the ids an exchange makes (its message id, its log record's and its audit
 * record's): 48 bits of Unix milliseconds, version 7, a 12-bit counter (`rand_a`, seeded at random
 * each millisecond and counted up within it, so ids made in one process sort in the order made),
 * the variant and 62 random bits. The random bytes come from a pool filled 4 kB at a time by the
 * CSPRNG (as `crypto.randomUUID` does), not from one `getRandomValues` call per id: the `uuid`
 * package's v7 took ~5 µs of CPU per id, this one a fraction of that (docs/performance.md).
 */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;
let lastMs = -1;
let counter = 0;
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function random(bytes: number): number {
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const at = offset;
  offset += bytes;
  return at;
}

export function uuidv7(now: number = Date.now()): string {
  let ms = now;
  if (ms > lastMs) {
    // A new millisecond: the counter starts at a random value in its lower half (room to count up).
    const at = random(2);
    counter = ((pool[at] ?? 0) << 8 | (pool[at + 1] ?? 0)) & 0x7ff;
    lastMs = ms;
  } else {
    // The same millisecond (or the clock went back): count up; past 12 bits, borrow the next millisecond.
    counter += 1;
    if (counter > 0xfff) {
      lastMs += 1;
      counter = 0;
    }
    ms = lastMs;
  }
  const r = random(8);
  const high = Math.floor(ms / 0x1000000);
  const low = ms % 0x1000000;
  const h = (n: number) => HEX[n & 0xff] as string;
  return `${h(high >>> 16)}${h(high >>> 8)}${h(high)}${h(low >>> 16)}-${h(low >>> 8)}${h(low)}-${h(0x70 | (counter >>> 8))}${h(counter)}-`
    + `${h(0x80 | ((pool[r] ?? 0) & 0x3f))}${h(pool[r + 1] ?? 0)}-${h(pool[r + 2] ?? 0)}${h(pool[r + 3] ?? 0)}${h(pool[r + 4] ?? 0)}${h(pool[r + 5] ?? 0)}${h(pool[r + 6] ?? 0)}${h(pool[r + 7] ?? 0)}`;
}
