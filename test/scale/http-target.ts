import { request } from 'node:http';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Injectable } from '../../src/kernel/auth/test-kit.js';

interface ParsedCookie { name: string; value: string; path?: string; maxAge?: number; expires?: Date }

/** One Set-Cookie header, as a browser reads it (only what the test browser looks at). */
export function parseSetCookie(header: string): ParsedCookie {
  const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
  const eq = pair.indexOf('=');
  const cookie: ParsedCookie = { name: eq < 0 ? pair : pair.slice(0, eq), value: eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1)) };
  for (const attribute of attributes) {
    const [key = '', value = ''] = attribute.split('=');
    const name = key.toLowerCase();
    if (name === 'path') cookie.path = value;
    else if (name === 'max-age') cookie.maxAge = Number(value);
    else if (name === 'expires') cookie.expires = new Date(value);
  }
  return cookie;
}

/**
 * The test browser's transport (src/kernel/auth/test-kit.ts) over real HTTP to one address on
 * 127.0.0.1: an instance directly, or the balancer. The Host header the test browser sets (the
 * public URL's) goes as it is, as a browser's would through a TCP balancer. Every request opens a
 * new connection, so through the round-robin balancer consecutive requests reach different
 * instances.
 */
export function httpTarget(port: number): Injectable {
  return {
    inject: (options: InjectOptions) => new Promise<LightMyRequestResponse>((resolve, reject) => {
      if (typeof options.url !== 'string') throw new Error('httpTarget takes a URL path as a string');
      const payload = typeof options.payload === 'string' ? options.payload : undefined;
      const headers = { ...(options.headers as Record<string, string>), ...(payload !== undefined ? { 'content-length': String(Buffer.byteLength(payload)) } : {}) };
      const req = request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.url, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const setCookie = res.headers['set-cookie'] ?? [];
          // Only the fields the test browser reads; the rest of light-my-request's response is not needed.
          resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body, payload: body, cookies: setCookie.map(parseSetCookie) } as unknown as LightMyRequestResponse);
        });
      });
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    }),
  };
}
