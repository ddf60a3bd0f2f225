import Fastify from 'fastify';

/** The pages scenario's baseline: a bare Fastify route answering a tiny HTML page. */
const app = Fastify({ logger: false });
app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').send('<!doctype html><html lang="en"><title>Hello</title><p>Hello, world</p></html>'));
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
process.once('SIGTERM', () => { void app.close().then(() => process.exit(0)); });
