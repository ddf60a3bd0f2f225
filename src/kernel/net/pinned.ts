import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { Agent, request } from 'undici';
import { isInternalAddress, isInternalHost } from './internal-address.js';

/**
 * Outbound calls to an address an API client chose (a callback URI, a webhook): the host name is
 * resolved once, every address it resolves to is checked, and the connection goes to those
 * checked addresses only, so a DNS answer that changes after the check (rebinding) is never used.
 * TLS still verifies the certificate for the host name in the URL (undici sends it as servername).
 */

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** The DNS port: every address of a host name. Tests pass their own; the default asks the system resolver. */
export type Resolve = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export const systemResolve: Resolve = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

export type Destination =
  | { readonly kind: 'checked'; readonly addresses: readonly ResolvedAddress[] }
  /** The host name is internal as written, or resolves to an internal address: trying again will not help. */
  | { readonly kind: 'internal' }
  /** No address (NXDOMAIN, DNS down): may be temporary. */
  | { readonly kind: 'unresolved'; readonly reason: string };

/**
 * Resolves the URL's host. With `refuseInternal` (production), any internal address among the
 * answers refuses the whole host: a name with one public and one internal address could be
 * connected to either.
 */
export async function resolveDestination(url: URL, options: { resolve: Resolve; refuseInternal: boolean }): Promise<Destination> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (options.refuseInternal && isInternalHost(host)) return { kind: 'internal' };
  let addresses: readonly ResolvedAddress[];
  try {
    addresses = await options.resolve(host);
  } catch (e) {
    return { kind: 'unresolved', reason: (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.name : 'lookup failed') };
  }
  if (addresses.length === 0) return { kind: 'unresolved', reason: 'ENOTFOUND' };
  if (options.refuseInternal && addresses.some((a) => isInternalAddress(a.address))) return { kind: 'internal' };
  return { kind: 'checked', addresses };
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for net/tls.connect that answers only the checked addresses, whatever name it is asked. */
export function pinnedLookup(addresses: readonly ResolvedAddress[]) {
  return (_hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
    const first = wanted[0];
    if (!first) {
      callback(Object.assign(new Error('no checked address of this family'), { code: 'ENOTFOUND' }), []);
      return;
    }
    if (options.all === true) callback(null, wanted.map((a) => ({ address: a.address, family: a.family })));
    else callback(null, first.address, first.family);
  };
}

export interface PinnedPost {
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly timeoutMs: number;
}

/**
 * POSTs to the URL over a connection to the checked addresses only; redirects are not followed
 * (a 3xx is the answer). The answer's body is discarded: nothing of it reaches the caller or the
 * logs. Throws when no answer comes (connection refused, timeout).
 */
export async function postPinned(url: URL, addresses: readonly ResolvedAddress[], post: PinnedPost): Promise<{ status: number }> {
  const agent = new Agent({ connect: { lookup: pinnedLookup(addresses) } });
  try {
    const res = await request(url, { dispatcher: agent, method: 'POST', headers: post.headers, body: post.body, signal: AbortSignal.timeout(post.timeoutMs) });
    await res.body.dump().catch(() => undefined);
    return { status: res.statusCode };
  } finally {
    await agent.close().catch(() => undefined);
  }
}
