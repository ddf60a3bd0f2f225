import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { safeReturnTo } from './cookies.js';
import { authMigrations } from './index.js';
import { createSessionStore, sessionHandle } from './sessions.js';
import { hasRole, type Principal } from './types.js';

const MINUTE = 60_000;

describeEachDatabase('session store', [authMigrations], (use) => {
  const clock = { t: new Date('2030-01-01T08:00:00Z').getTime() };
  const store = () => createSessionStore(use().database.db, () => new Date(clock.t), { idleMs: 30 * MINUTE, absoluteMs: 8 * 60 * MINUTE });

  it('keeps only a hash of the session id', async () => {
    const { id } = await store().create({ accountId: 'a-1', issuer: 'https://idp', idToken: 'token' });
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const { rows } = await sql<{ id_hash: string }>`select id_hash from kernel_session`.execute(use().database.db);
    expect(rows.map((r) => r.id_hash)).not.toContain(id);
    expect(await store().find(id)).toMatchObject({ accountId: 'a-1', idToken: 'token' });
    expect(await store().find(`${id}x`)).toBeUndefined();
  });

  it('slides the idle timeout on use, up to the absolute one', async () => {
    const s = store();
    const { id } = await s.create({ accountId: 'a-2', issuer: 'https://idp', idToken: undefined });
    for (let i = 0; i < 19; i += 1) {
      clock.t += 25 * MINUTE;
      expect(await s.find(id), `after ${(i + 1) * 25} minutes`).toBeDefined();
    }
    clock.t += 25 * MINUTE;
    expect(await s.find(id)).toBeUndefined();
  });

  it('ends an idle session and deletes it', async () => {
    const s = store();
    const { id } = await s.create({ accountId: 'a-3', issuer: 'https://idp', idToken: undefined });
    clock.t += 30 * MINUTE;
    expect(await s.find(id)).toBeUndefined();
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from kernel_session where account_id = 'a-3'`.execute(use().database.db);
    expect(rows[0]?.n).toBe(0);
  });

  it('ends every session of an account', async () => {
    const s = store();
    const one = await s.create({ accountId: 'a-4', issuer: 'https://idp', idToken: undefined });
    const two = await s.create({ accountId: 'a-4', issuer: 'https://idp', idToken: undefined });
    expect(one.id).not.toBe(two.id);
    expect(await s.destroyAllFor('a-4')).toBe(2);
    expect(await s.find(one.id)).toBeUndefined();
  });

  it('hands out a sign-in attempt once, and not after it expired', async () => {
    const s = store();
    const attempt = { state: 's', nonce: 'n', codeVerifier: 'v', returnTo: '/x' };
    const id = await s.startAttempt(attempt);
    expect(await s.takeAttempt(id)).toEqual(attempt);
    expect(await s.takeAttempt(id)).toBeUndefined();
    const late = await s.startAttempt(attempt);
    clock.t += 16 * MINUTE;
    expect(await s.takeAttempt(late)).toBeUndefined();
  });

  it('prunes what has expired and keeps what has not', async () => {
    const s = store();
    const live = await s.create({ accountId: 'a-5', issuer: 'https://idp', idToken: undefined });
    await s.startAttempt({ state: 's', nonce: 'n', codeVerifier: 'v', returnTo: '/' });
    clock.t += 20 * MINUTE;
    expect(await s.prune()).toBeGreaterThanOrEqual(1);
    expect(await s.find(live.id)).toBeDefined();
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from kernel_signin_attempt`.execute(use().database.db);
    expect(rows[0]?.n).toBe(0);
  });

  it('keeps an idle-timed-out session\'s row until its absolute end, refused all the while, so whose it was is still known (ADR 55)', async () => {
    const s = store();
    const idle = await s.create({ accountId: 'a-6', issuer: 'https://idp', idToken: undefined });
    const row = async () => (await sql<{ n: number }>`select count(*)::int as n from kernel_session where account_id = 'a-6'`.execute(use().database.db)).rows[0]?.n;
    clock.t += 31 * MINUTE;
    await s.prune();
    expect(await row()).toBe(1);
    const ended: (string | undefined)[] = [];
    expect(await s.find(idle.id, (why, accountId) => ended.push(why, accountId))).toBeUndefined();
    expect(ended).toEqual(['idle-timeout', 'a-6']);
    expect(await row()).toBe(0);
    const forgotten = await s.create({ accountId: 'a-6', issuer: 'https://idp', idToken: undefined });
    clock.t += 12 * 60 * MINUTE;
    await s.prune();
    expect(await row()).toBe(0);
    expect(await s.find(forgotten.id)).toBeUndefined();
  });

  it('lists an account\'s live sessions by handle, ends one by its handle but never the caller\'s own, ends the others, and all', async () => {
    const s = store();
    const own = await s.create({ accountId: 'a-9', issuer: 'https://idp', idToken: undefined, authenticatedAt: new Date(clock.t) });
    clock.t += MINUTE;
    const other = await s.create({ accountId: 'a-9', issuer: 'https://idp', idToken: undefined });
    const third = await s.create({ accountId: 'a-9', issuer: 'https://idp', idToken: undefined });
    const stranger = await s.create({ accountId: 'a-10', issuer: 'https://idp', idToken: undefined });
    expect((await s.find(own.id))?.authenticatedAt).toEqual(new Date(clock.t - MINUTE));
    expect((await s.find(other.id))?.authenticatedAt).toBeUndefined();

    const listed = await s.listFor('a-9', own.id);
    expect(listed).toHaveLength(3);
    expect(listed.filter((x) => x.current).map((x) => x.handle)).toEqual([sessionHandle(own.id)]);
    expect(listed.map((x) => x.handle).sort()).toEqual([own.id, other.id, third.id].map(sessionHandle).sort());
    expect(listed.every((x) => /^[0-9a-f]{16}$/.test(x.handle))).toBe(true);

    expect(await s.endOne('a-9', sessionHandle(own.id), own.id)).toBe(false);
    expect(await s.endOne('a-9', sessionHandle(stranger.id), own.id)).toBe(false);
    expect(await s.endOne('a-9', '%', own.id)).toBe(false);
    expect(await s.endOne('a-9', sessionHandle(other.id), own.id)).toBe(true);
    expect(await s.find(other.id)).toBeUndefined();
    expect(await s.endOthers('a-9', own.id)).toBe(1);
    expect((await s.listFor('a-9', own.id)).map((x) => x.current)).toEqual([true]);
    expect(await s.find(stranger.id)).toBeDefined();
    // Every session of every account, those of the tests before included.
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from kernel_session`.execute(use().database.db);
    expect(rows[0]!.n).toBeGreaterThanOrEqual(2);
    expect(await s.destroyAll()).toBe(rows[0]!.n);
    expect([await s.find(own.id), await s.find(stranger.id)]).toEqual([undefined, undefined]);
  });
});

describe('return paths after signing in', () => {
  it('keeps local paths and refuses anything that could leave the site', () => {
    expect(safeReturnTo('/account?tab=roles')).toBe('/account?tab=roles');
    // As a Location header can carry them: percent-encoded, dot segments resolved.
    expect(safeReturnTo('/services?q=出生')).toBe('/services?q=%E5%87%BA%E7%94%9F');
    expect(safeReturnTo('/a/../account')).toBe('/account');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', 'account', '/a\nb', '/..//evil.example', '/%2e%2e//evil.example', undefined, 42]) {
      expect(safeReturnTo(bad), String(bad)).toBe('/');
    }
  });
});

describe('roles', () => {
  const principal = (roles: Principal['roles']): Principal => ({ accountId: 'x', kind: 'staff', name: 'x', roles });

  it('checks the role at the agency asked about', () => {
    const officer = principal([{ agency: '110000-AMR', role: 'officer' }]);
    expect(hasRole(officer, 'officer', '110000-AMR')).toBe(true);
    expect(hasRole(officer, 'officer')).toBe(true);
    expect(hasRole(officer, 'officer', '110000-PSB')).toBe(false);
    expect(hasRole(officer, ['clerk', 'supervisor'], '110000-AMR')).toBe(false);
    expect(hasRole(undefined, 'officer')).toBe(false);
  });

  it('gives a platform administrator their role at every agency, and no other role', () => {
    const admin = principal([{ agency: 'platform', role: 'platform_admin' }]);
    expect(hasRole(admin, 'platform_admin', '110000-PSB')).toBe(true);
    expect(hasRole(admin, ['agency_admin', 'platform_admin'], '110000-PSB')).toBe(true);
    expect(hasRole(admin, 'agency_admin', '110000-PSB')).toBe(false);
  });
});
