import { fileURLToPath } from 'node:url';
import { sql, type Generated } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { migrateDown, migrationStatus, migrationsCurrent, PREPARED, type MigrationSource } from './index.js';

const fixture: MigrationSource = { name: 'fixture', folder: fileURLToPath(new URL('./test-fixtures/migrations', import.meta.url)) };

type Tables = { widget: { id: Generated<number>; name: string } };

describeEachDatabase('database', [fixture], (use) => {
  it('runs a module migration history and reports it current', async () => {
    const { db } = use().database;
    expect(await migrationsCurrent(db, [fixture])).toBe(true);
    const status = await migrationStatus(db, [fixture]);
    expect(status).toEqual([{ source: 'fixture', name: '0001_create-widgets', executedAt: expect.any(Date) as Date }]);
  });

  it('commits and rolls back transactions, and serialises concurrent ones', async () => {
    const db = use().database.db.withTables<Tables>();
    await db.insertInto('widget').values({ name: 'kept' }).execute();
    await expect(db.transaction().execute(async (tx) => {
      await tx.insertInto('widget').values({ name: 'lost' }).execute();
      throw new Error('boom');
    })).rejects.toThrow('boom');
    // Many concurrent transactions each read-then-write; none may interleave on PGlite.
    await Promise.all(Array.from({ length: 20 }, (_, i) => db.transaction().execute(async (tx) => {
      await tx.selectFrom('widget').select('id').execute();
      await tx.insertInto('widget').values({ name: `w${i}` }).execute();
    })));
    const names = (await db.selectFrom('widget').select('name').execute()).map((r) => r.name);
    expect(names).toContain('kept');
    expect(names).not.toContain('lost');
    expect(names).toHaveLength(21);
    const { rows } = await sql<{ n: number }>`select count(*) as n from widget`.execute(db);
    expect(rows[0]?.n).toBe(21);
  });

  it('migrates down one step', async () => {
    const { db } = use().database;
    expect(await migrateDown(db, fixture)).toBe('0001_create-widgets');
    expect(await migrationsCurrent(db, [fixture])).toBe(false);
  });
});

const oneWay: MigrationSource = { name: 'fixture_one_way', folder: fileURLToPath(new URL('./test-fixtures/one-way', import.meta.url)) };

describeEachDatabase('database: a migration without down()', [oneWay], (use) => {
  it('is refused when undone, and stays applied (Kysely skips it and reports it not executed)', async () => {
    const { db } = use().database;
    await expect(migrateDown(db, oneWay)).rejects.toThrow('fixture_one_way/0001_create-gadgets cannot be undone: it has no down()');
    expect(await migrationsCurrent(db, [oneWay])).toBe(true);
  });
});

describeEachDatabase('database: statements marked PREPARED (ADR 38)', [fixture], (use) => {
  it('answer as unmarked ones do, and on PostgreSQL are prepared once per connection under a name of their text', async () => {
    const { db } = use().database;
    const text = (rows: number[]) => sql<{ n: number }>`${sql.raw(PREPARED)}select count(*) as n from unnest(${rows}::int[]) as u(v) where v > ${0}`;
    // One connection, so the prepared statements seen are this one's.
    await db.connection().execute(async (connection) => {
      expect((await text([1, 2, 3]).execute(connection)).rows[0]?.n).toBe(3);
      expect((await text([5, -1]).execute(connection)).rows[0]?.n).toBe(1);
      await sql`select 1`.execute(connection);
      if (use().kind === 'postgres') {
        const { rows } = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(connection);
        expect(rows).toHaveLength(1);
        expect(rows[0]?.name).toMatch(/^tb_[0-9a-f]{40}$/);
        expect(rows[0]?.statement.startsWith(PREPARED)).toBe(true);
      }
    });
  });
});
