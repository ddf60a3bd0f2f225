import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { logLines } from '../../test/helpers/log-lines.js';
import { loggableUrl } from './log.js';

describe('the request log\'s URL (personal data never in logs, issue 9)', () => {
  it('cuts what lies below a mediated service: the provider\'s path and query may name a person', () => {
    expect(loggableUrl('/r1/CN/GOV/110000-PSB/population/persons/persons/110101199003072359?fields=name')).toBe('/r1/CN/GOV/110000-PSB/population/persons/[redacted]');
    expect(loggableUrl('/r1/CN/GOV/110000-PSB/population/persons?name=%E5%BC%A0')).toBe('/r1/CN/GOV/110000-PSB/population/persons');
    expect(loggableUrl('/r1/CN/GOV/110000-PSB/population/listMethods')).toBe('/r1/CN/GOV/110000-PSB/population/listMethods');
  });

  it('masks an ID number anywhere else, and leaves other URLs as they are', () => {
    expect(loggableUrl('/demo-providers/psb/population/persons/11010119900307235X')).toBe('/demo-providers/psb/population/persons/[redacted]');
    expect(loggableUrl('/api/x?idNumber=110101199003072359&page=2')).toBe('/api/x?idNumber=[redacted]&page=2');
    expect(loggableUrl('/applications/0190a1b2-0000-7000-8000-000000000005?step=1234567890123456789')).toBe('/applications/0190a1b2-0000-7000-8000-000000000005?step=1234567890123456789');
    expect(loggableUrl('/halls/dongcheng-zwfw/desk')).toBe('/halls/dongcheng-zwfw/desk');
  });

  it('keeps the values of paging, step and id parameters only: any other query value may be personal or a secret', () => {
    expect(loggableUrl('/services?q=%E5%BC%A0%E4%BC%9F&category=family&page=2')).toBe('/services?q=[redacted]&category=family&page=2');
    expect(loggableUrl('/auth/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj&iss=http%3A%2F%2Fidp')).toBe('/auth/callback?code=[redacted]&state=[redacted]&iss=[redacted]');
    expect(loggableUrl('/api/consent/v1/consents?individualId=zhang.wei%40example.cn&purpose=loan')).toBe('/api/consent/v1/consents?individualId=[redacted]&purpose=[redacted]');
    expect(loggableUrl('/book?hall=dongcheng-zwfw&day=2026-12-04&time=09%3A30')).toBe('/book?hall=dongcheng-zwfw&day=2026-12-04&time=09%3A30');
    expect(loggableUrl('/x?id=110101199003072359')).toBe('/x?id=[redacted]');
    expect(loggableUrl('/x?13800138000&print')).toBe('/x?[redacted]&print');
  });
});

describe('the request log as Fastify writes it', () => {
  it('holds no search term, OIDC code or state, or ID number of a request\'s URL', async () => {
    const log = logLines();
    const app = Fastify({ loggerInstance: log.logger });
    app.get('/*', (_request, reply) => { void reply.send('ok'); });
    await app.inject({ url: '/services?q=%E5%BC%A0%E4%BC%9F&page=2' });
    await app.inject({ url: '/auth/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj' });
    await app.inject({ url: '/people/110101199003072359' });
    await app.close();
    const urls = log.lines.map((line) => (line.req as { url?: string } | undefined)?.url).filter((url) => url !== undefined);
    expect(urls).toEqual(['/services?q=[redacted]&page=2', '/auth/callback?code=[redacted]&state=[redacted]', '/people/[redacted]']);
    const text = JSON.stringify(log.lines);
    for (const secret of ['%E5%BC%A0', 'SplxlOBeZQQYbYS6WxSbIA', 'af0ifjsldkj', '110101199003072359']) expect(text).not.toContain(secret);
  });
});

describe('errors in the log (a database error carries the row it refused)', () => {
  it('keeps type, message, code, constraint and stack, and drops the row, the statement and its values', async () => {
    const { PGlite } = await import('@electric-sql/pglite');
    const db = new PGlite();
    await db.exec('create table people (id_number text primary key, name text not null)');
    await db.query('insert into people values ($1, $2)', ['110101199003071234', '欧阳娜娜']);
    const refused = await db.query('insert into people values ($1, $2)', ['110101199003071234', '欧阳娜娜']).then(() => undefined, (error: unknown) => error);
    await db.close();
    // What PGlite's error carries today: the test would prove nothing if it carried no row.
    expect(JSON.stringify({ ...(refused as object) })).toContain('110101199003071234');

    const log = logLines();
    const wrapped = new Error('Saving failed', { cause: refused });
    log.logger.error({ err: wrapped }, 'request failed');
    // Shaped as pg's error from a PostgreSQL server, inside an AggregateError.
    const fromServer = Object.assign(new Error('new row violates check constraint "people_name_check"'), {
      code: '23514', constraint: 'people_name_check', table: 'people', detail: 'Failing row contains (110101199003075678, 欧阳娜娜).', where: 'SQL statement', internalQuery: 'insert …',
    });
    log.logger.warn({ err: new AggregateError([fromServer], 'both failed') }, 'job failed; will retry');

    const written = JSON.stringify(log.lines);
    expect(written).not.toMatch(/110101199003071234|110101199003075678|欧阳娜娜/);
    const [first, second] = log.lines as [{ err: { cause: Record<string, unknown> } }, { err: { errors: Record<string, unknown>[] } }];
    expect(first.err).toMatchObject({ type: 'Error', message: 'Saving failed', cause: { code: '23505' } });
    expect(String(first.err.cause.message)).toContain('duplicate key');
    expect(first.err.cause).not.toHaveProperty('detail');
    expect(first.err.cause).not.toHaveProperty('params');
    expect(second.err.errors[0]).toMatchObject({ code: '23514', constraint: 'people_name_check', table: 'people' });
    expect(typeof second.err.errors[0]?.stack).toBe('string');
  });

  it('a failed request logs its error the same way through Fastify', async () => {
    const log = logLines();
    const app = Fastify({ loggerInstance: log.logger });
    app.get('/fail', () => { throw Object.assign(new Error('insert failed'), { detail: 'Key (id_number)=(110101199003071234) already exists.', params: ['欧阳娜娜'] }); });
    expect((await app.inject({ url: '/fail' })).statusCode).toBe(500);
    await app.close();
    const written = JSON.stringify(log.lines);
    expect(written).toContain('insert failed');
    expect(written).not.toMatch(/110101199003071234|欧阳娜娜/);
  });
});
