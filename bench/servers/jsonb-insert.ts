import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import Fastify from 'fastify';
import pg from 'pg';

/**
 * The submissions scenario's baseline: a bare Fastify route that inserts the posted JSON as one
 * jsonb row, on the same kind of database as Tongban. Args: `postgres <url>` or `pglite <dir>`.
 */
const [kind, where] = process.argv.slice(2);
if (!where || (kind !== 'postgres' && kind !== 'pglite')) throw new Error('usage: jsonb-insert.ts postgres <url> | pglite <dir>');
const CREATE = 'create table if not exists bench_submission (id bigserial primary key, at timestamptz not null default now(), body jsonb not null)';
const INSERT = 'insert into bench_submission (body) values ($1) returning id';
let insert: (body: string) => Promise<unknown>;
let close: () => Promise<void>;
if (kind === 'postgres') {
  const pool = new pg.Pool({ connectionString: where, max: 10 });
  await pool.query(CREATE);
  insert = (body) => pool.query(INSERT, [body]);
  close = () => pool.end();
} else {
  mkdirSync(where, { recursive: true });
  const db = await PGlite.create(where);
  await db.query(CREATE);
  insert = (body) => db.query(INSERT, [body]);
  close = () => db.close();
}
const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 });
app.post('/submissions', async (request) => {
  await insert(JSON.stringify(request.body));
  return { ok: true };
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
process.once('SIGTERM', () => { void app.close().then(close).then(() => process.exit(0)); });
