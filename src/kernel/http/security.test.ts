import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../config/index.js';
import { cspDirectives, serializeCsp } from './csp.js';
import { errorHandlerPlugin } from './index.js';
import { CSRF_FIELD, securityPlugin } from './security.js';

type SecurityConfig = Pick<Config, 'publicUrl' | 'oidc' | 'limits'>;

const baseConfig: SecurityConfig = {
  publicUrl: 'http://127.0.0.1:3000',
  oidc: { kind: 'builtin' },
  limits: { bodyBytes: 2048, uploadBytes: 4096, apiRequestsPerMinute: 3, signInAttemptsPerMinute: 2 },
};

const apps: FastifyInstance[] = [];
afterEach(async () => { await Promise.all(apps.splice(0).map((a) => a.close())); });

async function build(config: SecurityConfig = baseConfig, clientKey?: Parameters<typeof securityPlugin>[1]['clientKey']) {
  const app = Fastify({ bodyLimit: config.limits.bodyBytes });
  apps.push(app);
  await app.register(errorHandlerPlugin);
  await app.register(cookie, { secret: 'a-test-cookie-secret-of-32-characters!' });
  await app.register(formbody);
  await app.register(securityPlugin, { config, ...(clientKey ? { clientKey } : {}) });
  app.get('/form', { config: { page: true } }, async (_request, reply) => {
    const token = reply.generateCsrf();
    return reply.type('text/html').send(`<form method="post"><input type="hidden" name="${CSRF_FIELD}" value="${token}"></form>`);
  });
  app.post('/form', { config: { page: true } }, (request) => ({ got: request.body }));
  app.post('/api/things', (request) => ({ got: request.body }));
  app.get('/api/things', () => ({ things: [] }));
  app.get('/api/paged', { schema: { querystring: { type: 'object', properties: { offset: { type: 'integer', minimum: 0, maximum: 1_000_000 } } } } }, (request) => ({ got: request.query }));
  app.post('/upload', async (request) => {
    const body = request.body as Record<string, { filename?: string; toBuffer?: () => Promise<Buffer> }>;
    const file = body.document;
    return { filename: file?.filename, bytes: (await file?.toBuffer?.())?.length };
  });
  app.post('/sign-in', { config: { rateLimit: { max: config.limits.signInAttemptsPerMinute, timeWindow: 60_000 } } }, () => ({ ok: true }));
  return app;
}

/** A form page's token and the signed secret cookie that goes with it. */
async function tokenAndCookie(app: FastifyInstance): Promise<{ token: string; cookie: string }> {
  const page = await app.inject({ url: '/form' });
  const token = /value="([^"]+)"/.exec(page.body)?.[1];
  const setCookie = page.cookies.find((c) => c.name === 'tb_csrf');
  if (!token || !setCookie) throw new Error('the form page gave no CSRF token or cookie');
  return { token, cookie: `tb_csrf=${setCookie.value}` };
}

function multipartBody(boundary: string, parts: { name: string; value: string; filename?: string }[]): string {
  return parts.map((p) => [
    `--${boundary}`,
    p.filename ? `Content-Disposition: form-data; name="${p.name}"; filename="${p.filename}"` : `Content-Disposition: form-data; name="${p.name}"`,
    ...(p.filename ? ['Content-Type: application/pdf'] : []),
    '',
    p.value,
  ].join('\r\n')).join('\r\n') + `\r\n--${boundary}--\r\n`;
}

function expectProblem(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json()).toMatchObject({ status, code });
}

describe('security headers', () => {
  it('sends the strict CSP and the other headers on pages and on JSON alike', async () => {
    const app = await build();
    for (const res of [await app.inject({ url: '/form' }), await app.inject({ url: '/api/things' })]) {
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("style-src 'self';");
      expect(csp).toContain("img-src 'self' data:");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("form-action 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['permissions-policy']).toContain('camera=()');
    }
  });

  it('upgrades insecure requests on https and lets forms post to an external sign-in provider', async () => {
    const config: SecurityConfig = {
      ...baseConfig,
      publicUrl: 'https://tongban.example.gov',
      oidc: { kind: 'external', issuer: 'https://id.example.gov/realms/citizens', clientId: 'tb', clientSecret: 's' },
    };
    const csp = String((await (await build(config)).inject({ url: '/api/things' })).headers['content-security-policy']);
    expect(csp).toContain("form-action 'self' https://id.example.gov;");
    expect(csp).toMatch(/upgrade-insecure-requests$/);
    expect(serializeCsp(cspDirectives(config))).toBe(csp);
  });
});

describe('CSRF', () => {
  it('refuses a form post without a token, and with a token from another session', async () => {
    const app = await build();
    const bare = await app.inject({ method: 'POST', url: '/form', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, payload: 'name=Li' });
    expectProblem(bare, 403, 'TB_KERNEL_CSRF');
    const { token } = await tokenAndCookie(app);
    const { cookie: otherCookie } = await tokenAndCookie(app);
    const crossed = await app.inject({
      method: 'POST', url: '/form', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: otherCookie },
      payload: `name=Li&${CSRF_FIELD}=${encodeURIComponent(token)}`,
    });
    expectProblem(crossed, 403, 'TB_KERNEL_CSRF');
    const plain = await app.inject({ method: 'POST', url: '/api/things', headers: { 'content-type': 'text/plain' }, payload: '{"name":"Li"}' });
    expectProblem(plain, 403, 'TB_KERNEL_CSRF');
  });

  it('accepts a form post with its token, in the body or the header', async () => {
    const app = await build();
    const { token, cookie: jar } = await tokenAndCookie(app);
    const ok = await app.inject({
      method: 'POST', url: '/form', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar },
      payload: `name=Li&${CSRF_FIELD}=${encodeURIComponent(token)}`,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ got: { name: 'Li' } });
    const viaHeader = await app.inject({
      method: 'POST', url: '/form', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar, 'x-csrf-token': token }, payload: 'name=Li',
    });
    expect(viaHeader.statusCode).toBe(200);
  });

  it('checks multipart forms too, reading the token from the form field', async () => {
    const app = await build();
    const { token, cookie: jar } = await tokenAndCookie(app);
    const boundary = 'tbBoundary';
    const headers = { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie: jar };
    const file = { name: 'document', filename: 'id.pdf', value: '%PDF-1.7 tiny' };
    const refused = await app.inject({ method: 'POST', url: '/upload', headers, payload: multipartBody(boundary, [file]) });
    expectProblem(refused, 403, 'TB_KERNEL_CSRF');
    const ok = await app.inject({ method: 'POST', url: '/upload', headers, payload: multipartBody(boundary, [{ name: CSRF_FIELD, value: token }, file]) });
    expect(ok.json()).toEqual({ filename: 'id.pdf', bytes: file.value.length });
  });

  it('exempts JSON and Bearer API calls, which no cross-site form can make', async () => {
    const app = await build();
    expect((await app.inject({ method: 'POST', url: '/api/things', payload: { name: 'Li' } })).statusCode).toBe(200);
    const bearer = await app.inject({
      method: 'POST', url: '/form', headers: { authorization: 'Bearer abc', 'content-type': 'application/x-www-form-urlencoded' }, payload: 'name=Li',
    });
    expect(bearer.statusCode).toBe(200);
    const basic = await app.inject({
      method: 'POST', url: '/form', headers: { authorization: 'Basic YTpi', 'content-type': 'application/x-www-form-urlencoded' }, payload: 'name=Li',
    });
    expectProblem(basic, 403, 'TB_KERNEL_CSRF');
  });
});

describe('limits', () => {
  it('answers 429 with Retry-After once an API caller exceeds its rate, counting per IP', async () => {
    const app = await build();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await app.inject({ url: '/api/things' }));
    expect(answers.slice(0, 3).map((r) => r.statusCode)).toEqual([200, 200, 200]);
    const limited = answers[3]!;
    expectProblem(limited, 429, 'TB_KERNEL_RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await app.inject({ url: '/api/things', remoteAddress: '10.0.0.9' })).statusCode).toBe(200);
    // Pages are not API paths: no default limit there.
    for (let i = 0; i < 5; i++) expect((await app.inject({ url: '/form' })).statusCode).toBe(200);
  });

  it('counts per API client when the auth layer names one', async () => {
    const app = await build(baseConfig, (request) => (request.headers['x-test-client'] as string | undefined));
    for (let i = 0; i < 3; i++) await app.inject({ url: '/api/things', headers: { 'x-test-client': 'agency-a' } });
    expectProblem(await app.inject({ url: '/api/things', headers: { 'x-test-client': 'agency-a' } }), 429, 'TB_KERNEL_RATE_LIMITED');
    expect((await app.inject({ url: '/api/things', headers: { 'x-test-client': 'agency-b' } })).statusCode).toBe(200);
  });

  it('applies a route-level limit (sign-in) with the same problem answer', async () => {
    const app = await build();
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await app.inject({ method: 'POST', url: '/sign-in', payload: {} })).statusCode);
    expect(codes).toEqual([200, 200, 429]);
    const limited = await app.inject({ method: 'POST', url: '/sign-in', payload: {} });
    expectProblem(limited, 429, 'TB_KERNEL_RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('answers an oversize JSON body and an oversize upload with 413 problem+json', async () => {
    const app = await build();
    const big = await app.inject({ method: 'POST', url: '/api/things', payload: { text: 'x'.repeat(3000) } });
    expectProblem(big, 413, 'TB_KERNEL_BODY_TOO_LARGE');
    const { token, cookie: jar } = await tokenAndCookie(app);
    const boundary = 'tbBoundary';
    const upload = await app.inject({
      method: 'POST', url: '/upload', headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie: jar },
      payload: multipartBody(boundary, [{ name: CSRF_FIELD, value: token }, { name: 'document', filename: 'big.pdf', value: 'y'.repeat(5000) }]),
    });
    expectProblem(upload, 413, 'TB_KERNEL_BODY_TOO_LARGE');
  });
});

describe('broken multipart bodies', () => {
  // @fastify/multipart parses every multipart request, on any route; busboy's parse errors carry
  // no status code and a bad JSON field carries 406: each is the client's mistake, a 400, never a 500.
  const cases: [string, Record<string, string>, string][] = [
    ['no boundary', { 'content-type': 'multipart/form-data' }, 'x'],
    ['a truncated body', { 'content-type': 'multipart/form-data; boundary=tbBoundary' }, '--tbBoundary\r\nContent-Disposition: form-data; name="note"\r\n\r\nhal'],
    ['a boundary longer than busboy searches for', { 'content-type': `multipart/form-data; boundary=${'b'.repeat(300)}` }, 'x'],
    ['a JSON field that is not JSON', { 'content-type': 'multipart/form-data; boundary=tbBoundary' }, '--tbBoundary\r\nContent-Disposition: form-data; name="data"\r\nContent-Type: application/json\r\n\r\n{nope\r\n--tbBoundary--\r\n'],
  ];
  it.each(cases)('answers %s with 400 problem+json on an API route and on a page form', async (_name, headers, payload) => {
    const errors: unknown[] = [];
    const app = await build();
    app.addHook('onError', (_request, _reply, error, done) => { errors.push(error); done(); });
    expectProblem(await app.inject({ method: 'POST', url: '/api/things', headers, payload }), 400, 'TB_KERNEL_VALIDATION');
    const { cookie: jar } = await tokenAndCookie(app);
    expectProblem(await app.inject({ method: 'POST', url: '/form', headers: { ...headers, cookie: jar }, payload }), 400, 'TB_KERNEL_VALIDATION');
    expect(errors).toHaveLength(2);
  });

  it('answers any other unmapped 4xx from a plugin as 400, not 500', async () => {
    const app = await build();
    app.get('/api/teapot', () => { throw Object.assign(new Error('short and stout'), { statusCode: 418 }); });
    expectProblem(await app.inject({ url: '/api/teapot' }), 400, 'TB_KERNEL_VALIDATION');
  });
});

describe('NUL characters in a body', () => {
  it('refuses NUL in JSON, urlencoded and multipart text with 400 and the fields\' pointers, and leaves file bytes alone', async () => {
    const app = await build();
    const json = await app.inject({ method: 'POST', url: '/api/things', payload: { name: 'ok', items: [{ 'a/b': 'x\u0000y' }] } });
    expectProblem(json, 400, 'TB_KERNEL_VALIDATION');
    expect(json.json<{ errors: { pointer: string }[] }>().errors).toEqual([expect.objectContaining({ pointer: '/items/0/a~1b' })]);

    const { token, cookie: jar } = await tokenAndCookie(app);
    const form = await app.inject({
      method: 'POST', url: '/form', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar },
      payload: `${CSRF_FIELD}=${encodeURIComponent(token)}&persona=citizen%00`,
    });
    expect(form.statusCode).toBe(400);

    const boundary = 'tbBoundary';
    const headers = { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie: jar };
    const field = await app.inject({ method: 'POST', url: '/upload', headers, payload: multipartBody(boundary, [{ name: CSRF_FIELD, value: token }, { name: 'note', value: 'a\u0000b' }]) });
    expectProblem(field, 400, 'TB_KERNEL_VALIDATION');
    expect(field.json<{ errors: { pointer: string }[] }>().errors).toEqual([expect.objectContaining({ pointer: '/note' })]);
    const bytes = '%PDF-1.7 \u0000\u0000 binary';
    const file = await app.inject({ method: 'POST', url: '/upload', headers, payload: multipartBody(boundary, [{ name: CSRF_FIELD, value: token }, { name: 'document', filename: 'id.pdf', value: bytes }]) });
    expect(file.json()).toEqual({ filename: 'id.pdf', bytes: bytes.length });
  });
});

describe('numbers that are not finite', () => {
  it('refuses Infinity made by type coercion of a query (1e309 passes integer and maximum in Ajv) or by JSON.parse of a body, with 400 and the pointers', async () => {
    const app = await build();
    const query = await app.inject({ url: '/api/paged?offset=1e309' });
    expectProblem(query, 400, 'TB_KERNEL_VALIDATION');
    expect(query.json<{ errors: { pointer: string }[] }>().errors).toEqual([expect.objectContaining({ pointer: '/query/offset' })]);
    const body = await app.inject({ method: 'POST', url: '/api/things', headers: { 'content-type': 'application/json' }, payload: '{"amounts":[1,-1e309]}' });
    expectProblem(body, 400, 'TB_KERNEL_VALIDATION');
    expect(body.json<{ errors: { pointer: string }[] }>().errors).toEqual([expect.objectContaining({ pointer: '/amounts/1' })]);
    // Finite numbers, large or small, pass as before (from another address: the API rate here is 3 a minute).
    expect((await app.inject({ url: '/api/paged?offset=1e5' })).json()).toEqual({ got: { offset: 100000 } });
    expect((await app.inject({ method: 'POST', url: '/api/things', remoteAddress: '127.0.0.2', payload: { amounts: [1.5e300, -2] } })).json()).toEqual({ got: { amounts: [1.5e300, -2] } });
  });

  it('looks at a multipart body\'s field values only: its parts link to each other (a cycle) and carry streams', async () => {
    const app = await build();
    const { token, cookie: jar } = await tokenAndCookie(app);
    const boundary = 'tbBoundary';
    const fields = Array.from({ length: 12 }, (_, i) => ({ name: `field${i}`, value: i % 2 === 0 ? '1e309' : `text ${i}` }));
    const res = await app.inject({
      method: 'POST', url: '/upload', headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie: jar },
      payload: multipartBody(boundary, [{ name: CSRF_FIELD, value: token }, ...fields, { name: 'document', filename: 'id.pdf', value: '%PDF-1.7 x' }]),
    });
    expect(res.json()).toEqual({ filename: 'id.pdf', bytes: 10 });
  });
});

describe('client addresses behind a balancer (TONGBAN_TRUST_PROXY)', () => {
  const production = { NODE_ENV: 'production', TONGBAN_PUBLIC_URL: 'https://tongban.example.gov', TONGBAN_SESSION_SECRET: 's'.repeat(32), TONGBAN_AUDIT_SIGNING_KEY: 'k'.repeat(40), TONGBAN_ACCESS_TOKEN_SIGNING_KEY: 't'.repeat(40), TONGBAN_CERTIFICATE_WRAPPING_KEY: 'w'.repeat(43), TONGBAN_PAYMENTS_WEBHOOK_SECRET: 'p'.repeat(32) };
  async function behind(env: Record<string, string>) {
    const config = loadConfig({ ...env, TONGBAN_API_RATE_PER_MINUTE: '3' });
    const app = Fastify({ trustProxy: config.trustProxy });
    apps.push(app);
    await app.register(errorHandlerPlugin);
    await app.register(cookie, { secret: 'a-test-cookie-secret-of-32-characters!' });
    await app.register(securityPlugin, { config });
    app.get('/api/ip', (request) => ({ ip: request.ip }));
    const ipOf = async (remoteAddress: string, forwardedFor?: string) =>
      ((await app.inject({ url: '/api/ip', remoteAddress, ...(forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {}) })).json<{ ip: string }>()).ip;
    return { app, ipOf };
  }

  it('believes no X-Forwarded-For by default outside production', async () => {
    const { ipOf } = await behind({});
    expect(await ipOf('10.0.0.5', '203.0.113.7')).toBe('10.0.0.5');
  });

  it('in production believes a balancer on a private network, and never what a client wrote in front', async () => {
    const { ipOf } = await behind(production);
    expect(await ipOf('10.0.0.5', '203.0.113.7')).toBe('203.0.113.7');
    expect(await ipOf('10.0.0.5', '198.51.100.1, 203.0.113.7')).toBe('203.0.113.7');
    // A client reaching the instance directly cannot name its own address.
    expect(await ipOf('198.51.100.9', '203.0.113.7')).toBe('198.51.100.9');
  });

  it('believes only the balancers it is told about, and off believes none', async () => {
    const { ipOf } = await behind({ ...production, TONGBAN_TRUST_PROXY: '10.0.0.5, 192.0.2.0/24' });
    expect(await ipOf('10.0.0.5', '203.0.113.7')).toBe('203.0.113.7');
    expect(await ipOf('192.0.2.77', '203.0.113.8')).toBe('203.0.113.8');
    expect(await ipOf('10.0.0.6', '203.0.113.7')).toBe('10.0.0.6');
    const off = await behind({ ...production, TONGBAN_TRUST_PROXY: 'off' });
    expect(await off.ipOf('10.0.0.5', '203.0.113.7')).toBe('10.0.0.5');
  });

  it('gives each client behind the balancer its own API rate limit', async () => {
    const { app } = await behind({ TONGBAN_TRUST_PROXY: '10.0.0.5' });
    const call = (client: string) => app.inject({ url: '/api/ip', remoteAddress: '10.0.0.5', headers: { 'x-forwarded-for': client } });
    for (let i = 0; i < 3; i++) expect((await call('203.0.113.7')).statusCode).toBe(200);
    expectProblem(await call('203.0.113.7'), 429, 'TB_KERNEL_RATE_LIMITED');
    expect((await call('203.0.113.8')).statusCode).toBe(200);
  });
});
