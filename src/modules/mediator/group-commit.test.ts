import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { migrationSources } from '../index.js';
import { call, instance, registerCaseSystem } from './test-fixture.js';

const CONCURRENT = 40;

describeEachDatabase('mediator message log: group commit', migrationSources, (use) => {
  let built: Built;
  let provider: { app: FastifyInstance; url: string };
  let token: string;

  beforeAll(async () => {
    built = await instance(use());
    ({ provider, token } = await registerCaseSystem(built));
  });
  afterAll(async () => {
    await built.app.close();
    await provider.app.close();
  });

  const logged = async (messageIds: readonly string[]) => (await sql<{ message_id: string }>`select message_id from mediator_message_log where message_id in (${sql.join(messageIds)})`.execute(built.kernel.db)).rows.map((r) => r.message_id);
  const idOf = (res: { headers: Record<string, unknown> }) => String(res.headers['x-road-id']);
  const verify = async () => {
    const log = built.kernel.audit.logs().find((l) => l.name === 'mediator.messages');
    await log!.checkpoint();
    return [await log!.verify(), await built.kernel.audit.verify()];
  };

  it('logs every one of many concurrent exchanges, in fewer transactions, with valid chains', async () => {
    expect((await call(built, token)).statusCode).toBe(200);
    const before = built.services.mediator.logStats();
    // The log is held busy for a moment (as a slow disk or a busy database would), so exchanges
    // finish while a commit is pending: they must queue and commit together.
    let release = () => {};
    const held = new Promise<void>((resolve) => { release = resolve; });
    const holding = built.kernel.db.transaction().execute(async (tx) => {
      await sql`lock table mediator_message_log_head in exclusive mode`.execute(tx);
      await held;
    });
    const calls = Promise.all(Array.from({ length: CONCURRENT }, () => call(built, token)));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    release();
    await holding;
    const answers = await calls;
    expect(answers.map((a) => a.statusCode)).toEqual(Array(CONCURRENT).fill(200));
    const ids = answers.map(idOf);
    expect(new Set(ids).size).toBe(CONCURRENT);
    expect((await logged(ids)).sort()).toEqual([...ids].sort());
    const after = built.services.mediator.logStats();
    expect(after.records - before.records).toBe(CONCURRENT);
    // Exchanges that finished while a batch was committing were committed together.
    expect(after.transactions - before.transactions).toBeLessThanOrEqual(5);
    // Each exchange's audit record of the person read is there too, in the same transactions.
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from tb_audit_record where action = 'mediator.exchange' and details->>'messageId' in (${sql.join(ids)})`.execute(built.kernel.db);
    expect(rows[0]?.n).toBe(CONCURRENT);
    for (const result of await verify()) expect(result).toMatchObject({ ok: true });
  });

  it('fails the one exchange whose record cannot be written, and answers the others of its batch', async () => {
    await sql`create function tb_test_poison() returns trigger language plpgsql as $$
      begin if new.path like '%poison%' then raise exception 'poisoned record'; end if; return new; end $$`.execute(built.kernel.db);
    await sql`create trigger tb_test_poison before insert on mediator_message_log for each row execute function tb_test_poison()`.execute(built.kernel.db);
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call(built, token, i === 7 ? '/persons/poison' : undefined)));
      const poisoned = answers[7]!;
      expect(poisoned.statusCode).toBe(500);
      // The provider's answer never reached the client: its exchange is not in the log.
      expect(poisoned.body).not.toContain('张伟');
      expect(await logged([idOf(poisoned)])).toEqual([]);
      const others = answers.filter((_, i) => i !== 7);
      expect(others.map((a) => a.statusCode)).toEqual(Array(19).fill(200));
      expect((await logged(others.map(idOf))).length).toBe(19);
    } finally {
      await sql`drop trigger tb_test_poison on mediator_message_log`.execute(built.kernel.db);
    }
  });

  it('answers none of the exchanges of a batch whose transaction fails, and logs none', async () => {
    await sql`create trigger tb_test_poison_all before insert on mediator_message_log for each row execute function tb_audit_reject_change()`.execute(built.kernel.db);
    let answers: Awaited<ReturnType<typeof call>>[];
    try {
      answers = await Promise.all(Array.from({ length: 10 }, () => call(built, token)));
    } finally {
      await sql`drop trigger tb_test_poison_all on mediator_message_log`.execute(built.kernel.db);
      await sql`drop function tb_test_poison()`.execute(built.kernel.db);
    }
    expect(answers.map((a) => a.statusCode)).toEqual(Array(10).fill(500));
    for (const answer of answers) expect(answer.body).not.toContain('张伟');
    expect(await logged(answers.map(idOf))).toEqual([]);
    for (const result of await verify()) expect(result).toMatchObject({ ok: true });
    expect((await call(built, token)).statusCode).toBe(200);
  });
});
