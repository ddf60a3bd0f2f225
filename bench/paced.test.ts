import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { pacedSends } from './lib/paced.js';

describe('the steady open loop (bench/lib/paced.ts)', () => {
  it('starts every operation the rate and duration ask for, each once, without waiting for earlier ones', async () => {
    const started: number[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const result = await pacedSends({ rate: 200, seconds: 0.1 }, async (n) => {
      started.push(n);
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await sleep(40); // longer than the gap between sends: an open loop keeps sending
      inFlight -= 1;
      return true;
    });
    expect(started).toEqual([...Array(20).keys()]);
    expect(result.ok).toBe(20);
    expect(result.failed).toBe(0);
    expect(mostInFlight).toBeGreaterThan(1);
  });

  it('counts a false answer and a rejection as failed, never in the latencies', async () => {
    const result = await pacedSends({ rate: 100, seconds: 0.1 }, (n) => (n === 3 ? Promise.reject(new Error('refused')) : Promise.resolve(n % 2 === 0)));
    expect(result.ok + result.failed).toBe(10);
    expect(result.failed).toBe(5); // the odd ones: 1, 3 (rejected), 5, 7, 9
  });

  it('times each operation from when it was sent, so the time it takes is what is measured', async () => {
    const result = await pacedSends({ rate: 50, seconds: 0.2 }, async () => {
      await sleep(25);
      return true;
    });
    expect(result.ok).toBe(10);
    expect(result.p50Ms).toBeGreaterThanOrEqual(24);
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
  });
});
