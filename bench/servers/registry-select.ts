import { PGlite } from '@electric-sql/pglite';
import Fastify from 'fastify';
import pg from 'pg';

/**
 * The registry-reads scenario's baseline: a bare Fastify route doing the same primary-key select
 * as Tongban's read by key (the unique (registry, key) index of registries_records), on the same
 * database: no authentication, no purpose, no audit. Args: `postgres <url>` or `pglite <dir>`.
 */
const [kind, where] = process.argv.slice(2);
if (!where || (kind !== 'postgres' && kind !== 'pglite')) throw new Error('usage: registry-select.ts postgres <url> | pglite <dir>');
const SELECT = 'select data from registries_records where registry = $1 and key = $2';
let select: (key: string) => Promise<{ rows: unknown[] }>;
let close: () => Promise<void>;
if (kind === 'postgres') {
  const pool = new pg.Pool({ connectionString: where, max: 10 });
  select = (key) => pool.query(SELECT, ['population', key]);
  close = () => pool.end();
} else {
  const db = await PGlite.create(where);
  select = (key) => db.query(SELECT, ['population', key]);
  close = () => db.close();
}
const app = Fastify({ logger: false });
app.get<{ Params: { id: string } }>('/persons/:id', async (request, reply) => {
  const { rows } = await select(request.params.id);
  const row = rows[0] as { data: unknown } | undefined;
  return row ? { content: row.data } : reply.status(404).send({ detail: 'no record found' });
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
process.once('SIGTERM', () => { void app.close().then(close).then(() => process.exit(0)); });
