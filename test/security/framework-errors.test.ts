import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrationSources } from '../../src/modules/index.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { securityApp, type SecurityApp } from './harness.js';

/**
 * Errors Fastify raises before any Tongban code runs (issue 9): an over-long path parameter (414),
 * a malformed address, a body too large (413), an unsupported media type (415) and broken JSON.
 * An API caller gets RFC 9457 problem+json with a Tongban code; a browser gets the error page.
 */
describeEachDatabase('framework-level errors', migrationSources, (use) => {
  let s: SecurityApp;
  beforeAll(async () => { s = await securityApp(use()); }, 240_000);
  afterAll(async () => { await s.close(); });

  const cases = [
    { name: 'path parameter too long', method: 'GET', url: `/api/catalog/services/${'a'.repeat(300)}`, status: 414, code: 'TB_KERNEL_URI_TOO_LONG' },
    { name: 'malformed percent-encoding', method: 'GET', url: '/api/catalog/services/%E0%A4%A', status: 400, code: 'TB_KERNEL_VALIDATION' },
    { name: 'broken JSON', method: 'POST', url: '/api/documents/verify', type: 'application/json', payload: '{"token":', status: 400, code: 'TB_KERNEL_VALIDATION' },
    { name: 'unsupported media type', method: 'POST', url: '/api/documents/verify', type: 'application/xml', payload: '<token/>', status: 415, code: 'TB_KERNEL_UNSUPPORTED_MEDIA_TYPE' },
    { name: 'body too large', method: 'POST', url: '/api/documents/verify', type: 'application/json', payload: JSON.stringify({ token: 'x'.repeat(3_000_000) }), status: 413, code: 'TB_KERNEL_BODY_TOO_LARGE' },
    { name: 'multipart without a boundary', method: 'POST', url: '/api/documents/verify', type: 'multipart/form-data', payload: 'token=x', status: 400, code: 'TB_KERNEL_VALIDATION' },
    { name: 'truncated multipart', method: 'POST', url: '/api/documents/verify', type: 'multipart/form-data; boundary=tb', payload: '--tb\r\nContent-Disposition: form-data; name="token"\r\n\r\nab', status: 400, code: 'TB_KERNEL_VALIDATION' },
  ] as const;

  it('answers an API caller with problem+json, never Fastify\'s own JSON', async () => {
    for (const c of cases) {
      const res = await s.built.app.inject({ method: c.method, url: c.url, headers: { accept: 'application/json', ...('type' in c ? { 'content-type': c.type } : {}) }, ...('payload' in c ? { payload: c.payload } : {}) });
      expect(res.statusCode, c.name).toBe(c.status);
      expect(res.headers['content-type'], c.name).toMatch(/^application\/problem\+json/);
      expect(res.json(), c.name).toMatchObject({ status: c.status, code: c.code, requestId: expect.any(String) as string });
      expect(res.body, c.name).not.toMatch(/FST_|\n\s+at /);
    }
  });

  it('answers a browser with the error page', async () => {
    for (const c of cases.filter((x) => x.method === 'GET')) {
      const res = await s.built.app.inject({ method: 'GET', url: c.url.replace('/api/catalog/services/', '/services/'), headers: { accept: 'text/html' } });
      expect(res.statusCode, c.name).toBe(c.status);
      expect(res.headers['content-type'], c.name).toMatch(/^text\/html/);
      expect(res.body, c.name).toContain('<h1');
      expect(res.body, c.name).not.toMatch(/FST_|\n\s+at /);
      // The page carries the platform's security headers too.
      expect(res.headers['content-security-policy'], c.name).toContain("object-src 'none'");
    }
  });

  it('answers a browser\'s broken multipart form post with the error page, not a 500', async () => {
    for (const c of cases) {
      if (!c.name.includes('multipart') || !('type' in c)) continue;
      const res = await s.built.app.inject({ method: 'POST', url: '/services/birth-registration/applications', headers: { accept: 'text/html', 'content-type': c.type }, payload: c.payload });
      expect(res.statusCode, c.name).toBe(400);
      expect(res.headers['content-type'], c.name).toMatch(/^text\/html/);
      expect(res.body, c.name).not.toMatch(/FST_|\n\s+at /);
    }
  });
});
