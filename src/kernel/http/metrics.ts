import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface Metrics {
  /** The app's own registry: modules add counters and histograms here (`registers: [registry]`). */
  readonly registry: Registry;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
  }
}

/** Seconds; from a fast cached read to a slow report export. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The label of requests no route matched: raw URLs would make one series per probe. */
export const UNKNOWN_ROUTE = 'not_found';

/**
 * Prometheus metrics at GET /metrics: process metrics plus a request counter and duration
 * histogram per method, route pattern and status. The registry is per app, not prom-client's
 * global one, so several apps in one test process do not collide.
 */
export const metricsPlugin = fp(function metrics(app: FastifyInstance) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status_code'] as const;
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to sending the answer',
    labelNames,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });

  app.decorate('metrics', { registry });
  app.addHook('onResponse', (request, reply, done) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? UNKNOWN_ROUTE, status_code: String(reply.statusCode) };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
  app.addHook('onClose', (_app, done) => {
    registry.clear();
    done();
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });
  return Promise.resolve();
}, { name: 'tongban-metrics' });
