import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { loadConfig } from '../../kernel/config/index.js';
import { migrationSources, modules } from '../index.js';
import { createBodyVault } from './body-vault.js';
import { createRegistry } from './registry.js';
import type { BodyReader } from './service.js';
import { createMediatorStore } from './store.js';
import { seedAdmin, startProvider, tokenFor } from './test-kit.js';

const CLIENT = 'CN/GOV/110000-CAB/case-system';
const POPULATION = 'CN/GOV/110000-PSB/population';
const ID_NUMBER = '110101199003072359';
const CITIZEN_ACCOUNT = '0190a1b2-0000-7000-8000-000000000001';
const SECRET = '{"name":"张伟","note":"a body only the sealed copy holds"}';
const admin: BodyReader = { actor: { kind: 'staff', id: 'platform-admin-1' }, platformAdmin: true, purpose: 'complaint 2026-17: what was sent' };

describeEachDatabase('mediator: encrypted bodies per service', migrationSources, (use) => {
  let built: Built;
  let provider: { app: FastifyInstance; url: string };
  let token: string;

  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: 'http://tongban.test', TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database }, database: use().database });
    await built.app.ready();
    // The demo people: 张伟's ID number belongs to an account, which the audit trail names.
    for (const mod of modules.filter((m) => m.name === 'identity')) await mod.seed?.({ kernel: built.kernel, services: built.services });
    provider = await startProvider();
    const { mediator } = built.services;
    for (const code of ['110000-PSB', '110000-CAB']) await mediator.addMember({ instance: 'CN', memberClass: 'GOV', code, name: code, agency: code }, seedAdmin);
    await mediator.addSubsystem({ memberId: 'CN/GOV/110000-PSB', code: 'population', name: 'Population' }, seedAdmin);
    await mediator.addSubsystem({ memberId: 'CN/GOV/110000-CAB', code: 'case-system', name: 'Cases', clientId: 'test-cab-bodies' }, seedAdmin);
    await mediator.saveService({ subsystemId: POPULATION, code: 'kept', name: 'Kept', baseUrl: provider.url, storeBodies: true }, seedAdmin);
    await mediator.saveService({ subsystemId: POPULATION, code: 'plain', name: 'Not kept', baseUrl: provider.url }, seedAdmin);
    for (const service of ['kept', 'plain']) await mediator.grant({ serviceId: `${POPULATION}/${service}`, clientId: CLIENT, method: 'POST', path: '/echo' }, seedAdmin);
    token = await tokenFor(built, 'test-cab-bodies', CLIENT);
  });
  afterAll(async () => {
    await built.app.close();
    await provider.app.close();
  });

  const echo = async (service: string) => {
    const res = await built.app.inject({
      method: 'POST', url: `/r1/${POPULATION}/${service}/echo`, payload: SECRET,
      headers: { authorization: `Bearer ${token}`, 'information-mediator-client': CLIENT, 'content-type': 'application/json', 'x-road-userid': ID_NUMBER },
    });
    expect(res.statusCode).toBe(201);
    return String(res.headers['x-road-id']);
  };
  const bodiesRow = (messageId: string) => sql<Record<string, unknown>>`select * from mediator_message_bodies where message_id = ${messageId}`.execute(built.kernel.db);

  it('stores bodies only for a service with the flag on, and never in plain text', async () => {
    const plain = await echo('plain');
    expect((await bodiesRow(plain)).rows).toHaveLength(0);
    await expect(built.services.mediator.readBodies(plain, admin)).rejects.toMatchObject({ code: 'TB_MEDIATOR_NO_BODIES' });

    const kept = await echo('kept');
    const [row] = (await bodiesRow(kept)).rows;
    expect(row).toBeDefined();
    const stored = Buffer.concat(['request_body', 'response_body', 'request_iv', 'response_iv'].map((c) => Buffer.from(row![c] as Uint8Array)));
    expect(stored.includes(Buffer.from('张伟'))).toBe(false);
    expect(stored.includes(Buffer.from('sealed copy'))).toBe(false);
    expect(Buffer.from(row!.request_iv as Uint8Array)).toHaveLength(12);
    expect(Buffer.from(row!.request_iv as Uint8Array).equals(Buffer.from(row!.response_iv as Uint8Array))).toBe(false);
    // The chain is untouched by the separate table.
    expect(await built.services.mediator.messageLog.verify()).toMatchObject({ ok: true });
  });

  it('decrypts for a platform administrator, audited with the person as subject, and refuses anyone else', async () => {
    const { mediator } = built.services;
    const messageId = await echo('kept');
    await expect(mediator.readBodies(messageId, { ...admin, platformAdmin: false })).rejects.toMatchObject({ code: 'TB_MEDIATOR_FORBIDDEN' });
    await expect(mediator.readBodies(messageId, { ...admin, purpose: ' ' })).rejects.toMatchObject({ code: 'TB_MEDIATOR_INVALID' });
    const read = await mediator.readBodies(messageId, { ...admin, requestId: 'req-1' });
    expect(read.request.toString('utf8')).toBe(SECRET);
    expect(read.response.toString('utf8')).toBe(SECRET);
    expect(read.service).toBe(`${POPULATION}/kept`);
    const audited = await sql<{ actor_id: string; subject: string; purpose: string; request_id: string }>`
      select actor_id, subject, purpose, request_id from tb_audit_record where action = 'mediator.body.read' and resource_id = ${messageId}`.execute(built.kernel.db);
    expect(audited.rows).toEqual([{ actor_id: 'platform-admin-1', subject: CITIZEN_ACCOUNT, purpose: admin.purpose, request_id: 'req-1' }]);
  });

  it('refuses a tampered ciphertext, a tag that does not verify and a body swapped in from another message', async () => {
    const { mediator } = built.services;
    const [first, second] = [await echo('kept'), await echo('kept')];
    const reseal = async (messageId: string, change: (row: Record<string, unknown>) => Record<string, unknown>) => {
      const [row] = (await bodiesRow(messageId)).rows;
      // Sealed rows cannot be updated (trigger); a tamperer deletes and inserts.
      await expect(sql`update mediator_message_bodies set key_id = 'x' where message_id = ${messageId}`.execute(built.kernel.db)).rejects.toThrow();
      await sql`delete from mediator_message_bodies where message_id = ${messageId}`.execute(built.kernel.db);
      const next = change(row!);
      await built.kernel.db.withTables<{ mediator_message_bodies: Record<string, unknown> }>().insertInto('mediator_message_bodies').values(next).execute();
    };
    const flip = (bytes: unknown) => { const b = Buffer.from(bytes as Uint8Array); b[0] = (b[0] ?? 0) ^ 1; return b; };

    await reseal(first, (row) => ({ ...row, response_body: flip(row.response_body) }));
    await expect(mediator.readBodies(first, admin)).rejects.toMatchObject({ code: 'TB_MEDIATOR_BODY_TAMPERED' });
    const [secondRow] = (await bodiesRow(second)).rows;
    await reseal(first, (row) => ({ ...row, response_body: secondRow!.response_body, response_iv: secondRow!.response_iv, response_tag: secondRow!.response_tag }));
    await expect(mediator.readBodies(first, admin)).rejects.toMatchObject({ code: 'TB_MEDIATOR_BODY_TAMPERED' });
    await reseal(second, (row) => ({ ...row, request_tag: flip(row.request_tag) }));
    await expect(mediator.readBodies(second, admin)).rejects.toMatchObject({ code: 'TB_MEDIATOR_BODY_TAMPERED' });
    await reseal(second, (row) => ({ ...row, key_id: 'another-key' }));
    await expect(mediator.readBodies(second, admin)).rejects.toMatchObject({ code: 'TB_MEDIATOR_BODY_KEY_CHANGED' });
    const audited = await sql`select 1 from tb_audit_record where action = 'mediator.body.read' and resource_id in (${first}, ${second})`.execute(built.kernel.db);
    expect(audited.rows).toHaveLength(0);
  });

  it('refuses to turn storage on in production without a configured key, and seals with the configured one', async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: 'http://tongban.test', TONGBAN_DATA_DIR: ':memory:' });
    const store = createMediatorStore(built.kernel.db);
    const service = { subsystemId: POPULATION, code: 'kept', name: 'Kept', baseUrl: provider.url, storeBodies: true };
    const unkeyed = createBodyVault({ db: built.kernel.db, config: { ...base, env: 'production' } });
    expect(unkeyed.available).toBe(false);
    await expect(createRegistry(built.kernel, store, { canStoreBodies: unkeyed.available }).saveService(service, seedAdmin)).rejects.toMatchObject({ code: 'TB_MEDIATOR_INVALID' });
    await expect(unkeyed.seal('m', 'request', Buffer.from('x'))).rejects.toMatchObject({ code: 'TB_SECRETS_REQUIRED' });

    const keyed = createBodyVault({ db: built.kernel.db, config: { ...base, env: 'production', secrets: { mediatorBodyKey: Buffer.alloc(32, 7).toString('base64url') } } });
    expect(keyed.available).toBe(true);
    await expect(createRegistry(built.kernel, store, { canStoreBodies: keyed.available }).saveService(service, seedAdmin)).resolves.toMatchObject({ store_bodies: true });
    const sealed = await keyed.seal('m', 'request', Buffer.from('张伟'));
    expect((await keyed.open('m', 'request', sealed)).toString('utf8')).toBe('张伟');
    // The message id and part are bound in: the same ciphertext does not open as another's.
    await expect(keyed.open('m', 'response', sealed)).rejects.toMatchObject({ code: 'TB_MEDIATOR_BODY_TAMPERED' });
    await expect(keyed.open('other', 'request', sealed)).rejects.toMatchObject({ code: 'TB_MEDIATOR_BODY_TAMPERED' });
    // The development key from the secret store is another key.
    expect(await keyed.keyId()).not.toBe(await createBodyVault(built.kernel).keyId());
  });
});
