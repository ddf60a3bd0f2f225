import { Validator } from '@seriousme/openapi-schema-validator';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { errorHandlerPlugin } from './index.js';
import { metricsPlugin } from './metrics.js';
import { openApiPlugin } from './openapi.js';

async function build() {
  const app = Fastify();
  await app.register(errorHandlerPlugin);
  await app.register(openApiPlugin, { config: { publicUrl: 'https://tongban.example.gov', oidc: { kind: 'builtin' } } });
  await app.register(metricsPlugin);
  app.get('/api/services/:id', {
    schema: {
      summary: 'One public service',
      params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
      response: { 200: { type: 'object', properties: { id: { type: 'string' }, name: { type: ['string', 'null'] } } } },
    },
  }, () => ({ id: 'x', name: null }));
  app.get('/internal', { schema: { hide: true } }, () => ({}));
  app.get('/services', { config: { page: true }, schema: { querystring: { type: 'object', properties: { q: { type: 'string' } } } } }, () => 'page');
  await app.ready();
  return app;
}

describe('OpenAPI', () => {
  it('describes the API as valid OpenAPI 3.1, without hidden routes and pages', async () => {
    const app = await build();
    const res = await app.inject({ url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ openapi: string; info: { title: string; version: string }; servers: unknown; paths: Record<string, unknown>; components: { securitySchemes: Record<string, unknown> } }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Tongban API', version: expect.stringMatching(/^\d+\.\d+\.\d+/) as string });
    expect(doc.servers).toEqual([{ url: 'https://tongban.example.gov' }]);
    expect(Object.keys(doc.paths)).toEqual(['/api/services/{id}']);
    expect(doc.components.securitySchemes).toMatchObject({ bearer: { type: 'http', scheme: 'bearer' }, cookie: { type: 'apiKey', in: 'cookie' } });
    const validator = new Validator();
    const validation = await validator.validate(doc);
    expect(validation.errors ?? []).toEqual([]);
    expect(validation.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // The validator can fail: the same document without its required `info` is refused.
    const { info: _info, ...broken } = doc;
    expect((await new Validator().validate(broken)).valid).toBe(false);
    await app.close();
  });

  it('serves the interactive reference at /docs under a CSP relaxed for styles only', async () => {
    const app = await build();
    const res = await app.inject({ url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('swagger-ui');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect((await app.inject({ url: '/docs/static/swagger-ui-bundle.js' })).statusCode).toBe(200);
    await app.close();
  });
});
