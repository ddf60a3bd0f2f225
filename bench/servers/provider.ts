import Fastify from 'fastify';

/**
 * The provider system behind both the bare proxy and the mediator: a small Fastify app answering
 * a small JSON record, as an agency's population register would.
 */
const app = Fastify({ logger: false });
app.get<{ Params: { id: string } }>('/persons/:id', (request, reply) => reply.send({
  idNumber: request.params.id, name: '张伟', birthDate: '1990-03-07', sex: 'male', household: '北京市东城区示例街道 1 号', status: 'registered',
}));
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
process.once('SIGTERM', () => { void app.close().then(() => process.exit(0)); });
