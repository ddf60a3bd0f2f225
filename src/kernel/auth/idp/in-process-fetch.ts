import type { FastifyInstance } from 'fastify';
import type { CustomFetch } from 'openid-client';

/**
 * A fetch for openid-client that hands requests to the built-in IdP through `app.inject`: the
 * server never calls itself over the network, and tests need no listening socket. Only URLs
 * under the issuer are allowed; anything else is a programming error.
 */
export function inProcessFetch(app: Pick<FastifyInstance, 'inject'>, issuer: string): CustomFetch {
  const base = new URL(issuer);
  return async (url, options) => {
    const target = new URL(url);
    if (target.origin !== base.origin || !target.pathname.startsWith(base.pathname)) {
      throw new Error(`in-process fetch refuses ${target.origin}${target.pathname}: not under ${issuer}`);
    }
    const body = options.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof URLSearchParams)) {
      throw new Error('in-process fetch sends only string or form bodies');
    }
    const response = await app.inject({
      method: options.method as 'GET' | 'POST',
      url: `${target.pathname}${target.search}`,
      headers: { ...options.headers, host: target.host },
      ...(body !== undefined && body !== null ? { payload: body.toString() } : {}),
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, String(v));
    }
    const empty = response.statusCode === 204 || response.statusCode === 304;
    return new Response(empty ? null : new Uint8Array(response.rawPayload), { status: response.statusCode, headers });
  };
}
