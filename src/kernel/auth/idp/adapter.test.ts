import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../../test/helpers/databases.js';
import { oidcMigrations } from '../index.js';
import { oidcAdapter, pruneOidcModels } from './adapter.js';

describeEachDatabase('built-in IdP storage', [oidcMigrations], (use) => {
  const Adapter = () => oidcAdapter(use().database.db);

  it('stores, finds, consumes and destroys models, each model apart', async () => {
    const codes = new (Adapter())('AuthorizationCode');
    const sessions = new (Adapter())('Session');
    await codes.upsert('c1', { grantId: 'g1', accountId: 'citizen', scope: 'openid' }, 60);
    await sessions.upsert('c1', { uid: 'u1', accountId: 'other' }, 60);
    expect(await codes.find('c1')).toEqual({ grantId: 'g1', accountId: 'citizen', scope: 'openid' });
    expect(await sessions.findByUid('u1')).toMatchObject({ accountId: 'other' });
    await codes.consume('c1');
    expect((await codes.find('c1'))?.consumed).toEqual(expect.any(Number));
    await codes.upsert('c1', { grantId: 'g1', accountId: 'changed' }, 60);
    expect(await codes.find('c1')).toMatchObject({ accountId: 'changed' });
    await codes.destroy('c1');
    expect(await codes.find('c1')).toBeUndefined();
    expect(await sessions.find('c1')).toBeDefined();
  });

  it('revokes everything of a grant in one model', async () => {
    const tokens = new (Adapter())('AccessToken');
    await tokens.upsert('t1', { grantId: 'g2' }, 60);
    await tokens.upsert('t2', { grantId: 'g2' }, 60);
    await tokens.upsert('t3', { grantId: 'g3' }, 60);
    await tokens.revokeByGrantId('g2');
    expect(await tokens.find('t1')).toBeUndefined();
    expect(await tokens.find('t2')).toBeUndefined();
    expect(await tokens.find('t3')).toBeDefined();
  });

  it('treats an expired model as gone and prunes it', async () => {
    const interactions = new (Adapter())('Interaction');
    await interactions.upsert('i1', { uid: 'i1' }, 60);
    await sql`update kernel_oidc_model set expires_at = now() - interval '1 second' where id = 'i1'`.execute(use().database.db);
    expect(await interactions.find('i1')).toBeUndefined();
    expect(await pruneOidcModels(use().database.db)).toBe(1);
  });
});
