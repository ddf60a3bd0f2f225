import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { auditMigrations, type AuditTrail } from '../../kernel/audit/index.js';
import { testTrail } from '../../kernel/audit/test-fixtures/trail.js';
import { createIdpUserStore, DEMO_PASSWORD, oidcMigrations } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { loadConfig } from '../../kernel/config/index.js';
import { secretsMigrations } from '../../kernel/secrets/index.js';
import { TongbanError } from '../../kernel/http/errors.js';
import { demoPersona, DEMO_PERSONAS } from './demo-personas.js';
import { identityModule } from './index.js';
import { seedIdentity } from './seed.js';
import { createIdentityService } from './service.js';

const identityMigrations = { name: 'identity', folder: identityModule.migrations ?? '' };
const ISSUER = 'https://id.example.gov.cn';

describeEachDatabase('identity service', [secretsMigrations, auditMigrations, oidcMigrations, identityMigrations], (use) => {
  let audit: AuditTrail;
  beforeAll(async () => { audit = await testTrail(use().database.db); });
  const kernel = () => ({
    db: use().database.db,
    audit,
    now: () => new Date('2030-01-01T00:00:00Z'),
    config: loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: 'http://tongban.test', TONGBAN_DATA_DIR: ':memory:' }),
  }) satisfies Pick<Kernel, 'db' | 'now' | 'config' | 'audit'>;

  it('creates a person account on a first sign-in and finds it again afterwards', async () => {
    const identity = createIdentityService(kernel());
    const first = await identity.principalFromClaims(ISSUER, { sub: 'p-1', name: '孙丽' });
    expect(first).toMatchObject({ kind: 'person', name: '孙丽', roles: [] });
    const again = await identity.principalFromClaims(ISSUER, { sub: 'p-1', name: 'Renamed' });
    expect(again.accountId).toBe(first.accountId);
    expect(again.name).toBe('孙丽');
    // The same subject at another issuer is another identity.
    const other = await identity.principalFromClaims('https://other.example', { sub: 'p-1' });
    expect(other.accountId).not.toBe(first.accountId);
    expect(other.name).toBe('p-1');
  });

  it('links concurrent first sign-ins of one identity to one account', async () => {
    const identity = createIdentityService(kernel());
    const principals = await Promise.all(Array.from({ length: 6 }, () => identity.principalFromClaims(ISSUER, { sub: 'racer', name: 'R' })));
    expect(new Set(principals.map((p) => p.accountId)).size).toBe(1);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from identity_account where name = 'R'`.execute(use().database.db);
    expect(rows[0]?.n).toBe(1);
  });

  it('finds a person account by resident ID number, but not a business or a disabled one', async () => {
    const identity = createIdentityService(kernel());
    const person = await identity.saveAccount({ kind: 'person', name: '孙丽', idNumber: '11010119900307235X' });
    await identity.saveAccount({ kind: 'business', name: 'Firm', idNumber: '110101199003070011' });
    expect((await identity.accountByIdNumber(' 11010119900307235x '))?.id).toBe(person.id);
    // As the forms read it: full-width (an input method's mode), in groups as printed, with dashes.
    expect((await identity.accountByIdNumber('１１０１０１１９９００３０７２３５Ｘ'))?.id).toBe(person.id);
    expect((await identity.accountByIdNumber('110101 19900307 235x'))?.id).toBe(person.id);
    expect((await identity.auditSubjectByIdNumber('110101-19900307-235X'))?.id).toBe(person.id);
    expect(await identity.accountByIdNumber('110101199003070011')).toBeUndefined();
    expect(await identity.accountByIdNumber('110101199003079999')).toBeUndefined();
    await identity.disableAccount(person.id);
    expect(await identity.accountByIdNumber('11010119900307235X')).toBeUndefined();
  });

  it('finds the audit subject of an ID number even when the account is disabled, an active one first', async () => {
    const at = (iso: string) => createIdentityService({ ...kernel(), now: () => new Date(iso) });
    const older = await at('2029-01-01T00:00:00Z').saveAccount({ kind: 'person', name: 'Old', idNumber: '110101199003071234' });
    await at('2028-01-01T00:00:00Z').saveAccount({ kind: 'business', name: 'Firm', idNumber: '110101199003071234' });
    const identity = createIdentityService(kernel());
    await identity.disableAccount(older.id);
    expect(await identity.accountByIdNumber('110101199003071234')).toBeUndefined();
    expect((await identity.auditSubjectByIdNumber(' 110101199003071234 '))?.id).toBe(older.id);
    // A newer active account is found for both, though the oldest one is disabled.
    const newer = await identity.saveAccount({ kind: 'person', name: 'New', idNumber: '110101199003071234' });
    expect((await identity.accountByIdNumber('110101199003071234'))?.id).toBe(newer.id);
    expect((await identity.auditSubjectByIdNumber('110101199003071234'))?.id).toBe(newer.id);
    expect(await identity.auditSubjectByIdNumber('110101199003079999')).toBeUndefined();
  });

  it('holds roles per agency', async () => {
    const identity = createIdentityService(kernel());
    const staff = await identity.saveAccount({ kind: 'staff', name: '周强' });
    await identity.grantRole(staff.id, '110000-CAB', 'clerk');
    await identity.grantRole(staff.id, '110000-CAB', 'clerk');
    await identity.grantRole(staff.id, '110000-AMR', 'supervisor');
    expect(await identity.rolesOf(staff.id)).toEqual([{ agency: '110000-AMR', role: 'supervisor' }, { agency: '110000-CAB', role: 'clerk' }]);
    expect(await identity.hasRole(staff.id, 'clerk', '110000-CAB')).toBe(true);
    expect(await identity.hasRole(staff.id, 'clerk', '110000-AMR')).toBe(false);
    expect((await identity.accountsWithRole('110000-AMR', 'supervisor')).map((a) => a.id)).toEqual([staff.id]);
    expect(await identity.revokeRole(staff.id, '110000-AMR', 'supervisor')).toBe(true);
    expect(await identity.revokeRole(staff.id, '110000-AMR', 'supervisor')).toBe(false);
    expect(await identity.accountsWithRole('110000-AMR', 'supervisor')).toEqual([]);
    await expect(identity.grantRole('0190a1b2-0000-7000-8000-00000000ffff', '110000-CAB', 'clerk')).rejects.toMatchObject({ code: 'TB_IDENTITY_ACCOUNT_NOT_FOUND' });
  });

  it('refuses a disabled account and ends its sessions', async () => {
    const identity = createIdentityService(kernel());
    const p = await identity.principalFromClaims(ISSUER, { sub: 'leaver', name: 'L' });
    await identity.disableAccount(p.accountId);
    expect(await identity.principal(p.accountId)).toBeUndefined();
    const refused = await identity.principalFromClaims(ISSUER, { sub: 'leaver' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TongbanError);
    expect((refused as TongbanError).code).toBe('TB_AUTH_ACCOUNT_UNAVAILABLE');
    await identity.enableAccount(p.accountId);
    expect(await identity.principal(p.accountId)).toMatchObject({ accountId: p.accountId });
    expect(await identity.principal('not-a-uuid')).toBeUndefined();
  });

  it('seeds the demo personas idempotently, with IdP logins that check the demo password', async () => {
    const k = kernel();
    const identity = createIdentityService(k);
    const count = async () => (await sql<{ n: number }>`select (select count(*) from identity_account) + (select count(*) from identity_role)
      + (select count(*) from identity_external_identity) + (select count(*) from kernel_idp_user) as n`.execute(k.db)).rows[0]?.n;
    await seedIdentity(k, identity);
    const hashes = await sql<{ password_hash: string }>`select password_hash from kernel_idp_user order by subject`.execute(k.db);
    const after = await count();
    await seedIdentity(k, identity);
    expect(await count()).toBe(after);
    expect((await sql<{ password_hash: string }>`select password_hash from kernel_idp_user order by subject`.execute(k.db)).rows).toEqual(hashes.rows);

    const users = createIdpUserStore(k.db);
    expect((await users.list()).map((u) => u.subject)).toEqual(DEMO_PERSONAS.map((p) => p.subject));
    expect(await users.authenticate('citizen', DEMO_PASSWORD)).toMatchObject({ name: '张伟' });
    // Notifications need somewhere to go: every persona has a (reserved-domain) address.
    expect(await identity.account(demoPersona('citizen').accountId)).toMatchObject({ email: 'zhang.wei@tongban.example' });
    expect(await users.authenticate('citizen', 'Demo')).toBeUndefined();
    expect(await users.authenticate('nobody', DEMO_PASSWORD)).toBeUndefined();
    for (const persona of DEMO_PERSONAS) {
      const account = await identity.accountByIdentity('http://tongban.test/idp', persona.subject);
      expect(account?.id).toBe(persona.accountId);
      // Roles come back sorted by agency, then role.
      const sorted = [...persona.roles].sort((a, b) => a.agency.localeCompare(b.agency) || a.role.localeCompare(b.role));
      expect(await identity.rolesOf(persona.accountId)).toEqual(sorted);
    }
    expect((await identity.account(DEMO_PERSONAS[1]?.accountId ?? ''))?.organisation?.code).toBe('91110108MA01TB8N59');
  });
});
