import type { Resolve, ResolvedAddress } from './pinned.js';

/**
 * A resolver for tests that answers from a table and counts its calls; no real DNS. A name's list
 * holds its answers in turn (the last one repeats), so a test can make a name resolve to another
 * address the second time it is looked up (DNS rebinding). A name not in the table fails as
 * `getaddrinfo` does, with ENOTFOUND.
 */
export function fakeResolver(answers: Record<string, readonly (readonly ResolvedAddress[])[]>): Resolve & { calls: string[] } {
  const calls: string[] = [];
  const resolve = (hostname: string): Promise<readonly ResolvedAddress[]> => {
    const n = calls.filter((c) => c === hostname).length;
    calls.push(hostname);
    const list = answers[hostname];
    const answer = list?.[Math.min(n, list.length - 1)];
    return answer ? Promise.resolve(answer) : Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
  };
  return Object.assign(resolve, { calls });
}

export const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });
export const v6 = (address: string): ResolvedAddress => ({ address, family: 6 });
