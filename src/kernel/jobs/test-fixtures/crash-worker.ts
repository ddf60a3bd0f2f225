import pino from 'pino';
import { createDatabase, migrateToLatest } from '../../db/index.js';
import { jobsMigrations } from '../index.js';
import { createJobQueue } from '../queue.js';

/**
 * A worker process for crash.test.ts, killed with SIGKILL while its handler runs. It migrates, enqueues
 * one job in a committed transaction and one in a rolled-back one, then starts working.
 * Arguments: the database config as JSON, the queue name.
 */
const [configJson = '', queue = ''] = process.argv.slice(2);
const database = createDatabase(JSON.parse(configJson) as Parameters<typeof createDatabase>[0]);
await migrateToLatest(database.db, [jobsMigrations]);
const jobs = createJobQueue({ db: database.db, log: pino({ level: 'silent' }), now: () => new Date(), pollMs: 10, leaseMs: 60_000 });
jobs.register(queue, async () => {
  process.stdout.write('running\n');
  await new Promise(() => {});
});
await database.db.transaction().execute((tx) => jobs.enqueue(tx, queue, { from: 'committed' }));
await database.db.transaction().execute(async (tx) => {
  await jobs.enqueue(tx, queue, { from: 'rolled back' });
  throw new Error('roll back');
}).catch(() => {});
jobs.start();
// The queue's timers never hold a process open; this one waits for the kill.
setInterval(() => {}, 60_000);
