import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { defineErrors, errorHandlerPlugin, TongbanError } from './index.js';

defineErrors('testarea', { TB_TESTAREA_BROKEN: { status: 422, title: 'Broken thing', message: 'kernel.error.validation' } });

async function app() {
  const app = Fastify();
  await app.register(errorHandlerPlugin, { renderErrorPage: (error) => `<p>${error.code}</p>` });
  app.post('/things', {
    schema: { body: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 2 }, when: { type: 'string', format: 'date' } } } },
  }, () => ({ ok: true }));
  app.get('/broken', () => { throw new TongbanError('TB_TESTAREA_BROKEN', { detail: 'It broke', fields: [{ pointer: '/x', message: 'm', detail: 'bad x' }] }); });
  app.get('/crash', () => { throw new Error('select * from secret_table failed'); });
  app.get('/page', { config: { page: true } }, () => { throw new TongbanError('TB_TESTAREA_BROKEN'); });
  return app;
}

describe('errors as problem+json', () => {
  it('gives field paths for schema failures', async () => {
    const res = await (await app()).inject({ method: 'POST', url: '/things', payload: { name: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'TB_KERNEL_VALIDATION', status: 400, errors: [{ pointer: '/name' }] });
    const missing = await (await app()).inject({ method: 'POST', url: '/things', payload: {} });
    expect(missing.json()).toMatchObject({ errors: [{ pointer: '/name' }] });
  });

  it('answers a registered error with its code, title, detail and request id', async () => {
    const res = await (await app()).inject({ url: '/broken' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      type: 'https://tongban.dev/errors/TB_TESTAREA_BROKEN', title: 'Broken thing', detail: 'It broke', instance: '/broken',
      code: 'TB_TESTAREA_BROKEN', requestId: expect.any(String) as string, errors: [{ pointer: '/x', detail: 'bad x' }],
    });
  });

  it('never leaks internals of an unexpected error', async () => {
    const res = await (await app()).inject({ url: '/crash' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret_table');
    expect(res.json()).toMatchObject({ code: 'TB_KERNEL_INTERNAL' });
  });

  it('answers unknown routes with 404 problem+json, and pages with HTML', async () => {
    const a = await app();
    expect((await a.inject({ url: '/nope' })).json()).toMatchObject({ code: 'TB_KERNEL_NOT_FOUND', status: 404 });
    const page = await a.inject({ url: '/page' });
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toBe('<p>TB_TESTAREA_BROKEN</p>');
    const browser = await a.inject({ url: '/nope', headers: { accept: 'text/html' } });
    expect(browser.body).toBe('<p>TB_KERNEL_NOT_FOUND</p>');
  });

  it('refuses unregistered and duplicate codes', () => {
    expect(() => new TongbanError('TB_NOPE_NOTHING')).toThrow(/Unregistered/);
    expect(() => defineErrors('again', { TB_TESTAREA_BROKEN: { status: 400, title: 'x', message: 'x' } })).toThrow(/twice/);
    expect(() => defineErrors('bad', { lowercase: { status: 400, title: 'x', message: 'x' } })).toThrow(/TB_AREA_WHAT/);
  });
});
