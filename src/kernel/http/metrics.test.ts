import Fastify from 'fastify';
import { Counter } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { errorHandlerPlugin } from './index.js';
import { metricsPlugin } from './metrics.js';

async function build() {
  const app = Fastify();
  await app.register(errorHandlerPlugin);
  await app.register(metricsPlugin);
  app.get('/applications/:id', () => ({ ok: true }));
  return app;
}

describe('metrics', () => {
  it('counts requests and times them per route pattern, never per raw URL', async () => {
    const app = await build();
    await app.inject({ url: '/applications/1' });
    await app.inject({ url: '/applications/2' });
    await app.inject({ url: '/no/such/page' });
    const res = await app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(text).toContain('http_requests_total{method="GET",route="/applications/:id",status_code="200"} 2');
    expect(text).toContain('http_requests_total{method="GET",route="not_found",status_code="404"} 1');
    expect(text).toContain('http_request_duration_seconds_bucket{le="0.005",method="GET",route="/applications/:id",status_code="200"}');
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/applications/:id",status_code="200"} 2');
    expect(text).not.toContain('/applications/1');
    expect(text).not.toContain('/no/such/page');
    expect(text).toContain('process_cpu_seconds_total');
    await app.close();
  });

  it('keeps each app its own registry, open to module metrics', async () => {
    const [a, b] = [await build(), await build()];
    const jobs = new Counter({ name: 'tongban_jobs_done_total', help: 'jobs done', registers: [a.metrics.registry] });
    jobs.inc(3);
    await a.inject({ url: '/applications/1' });
    expect((await a.inject({ url: '/metrics' })).body).toContain('tongban_jobs_done_total 3');
    const other = (await b.inject({ url: '/metrics' })).body;
    expect(other).not.toContain('tongban_jobs_done_total');
    expect(other).not.toContain('route="/applications/:id"');
    await Promise.all([a.close(), b.close()]);
  });
});
