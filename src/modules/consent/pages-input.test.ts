import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { createTestBrowser, csrfToken, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { loadConfig } from '../../kernel/config/index.js';
import { migrationSources, modules } from '../index.js';

const PUBLIC_URL = 'http://tongban.test';
const FORM = '/admin/consent/new';

/**
 * The data agreement form answers a text longer than the body schema once allowed (20,000), or
 * sent twice, with the form: the error summary, a link to the box, a message saying it is too long
 * (not "Enter ...") and what was typed.
 */
describeEachDatabase('consent agreement form: long and repeated fields', migrationSources, (use) => {
  let built: Built;
  let admin: TestBrowser;
  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database, limits: { ...base.limits, signInAttemptsPerMinute: 1000 } }, database: use().database });
    await built.app.ready();
    for (const mod of modules.filter((m) => ['identity', 'catalog', 'consent'].includes(m.name))) await mod.seed?.({ kernel: built.kernel, services: built.services });
    admin = createTestBrowser(built.app, PUBLIC_URL);
    await signIn(admin, 'agency-admin');
  });
  afterAll(async () => { await built.app.close(); });

  const fields: readonly (readonly [string, string])[] = [
    ['id', 'psb-input-check'], ['controller', '110000-PSB'], ['purposeZh', '核对地址'], ['lawfulBasis', 'consent'], ['legalBasisZh', '依据'],
    ['legalBasisEn', 'Basis'], ['items', 'name'], ['retentionZh', '一年'], ['retentionEn', 'One year'], ['consentDays', ''],
  ];
  const post = async (form: readonly (readonly [string, string])[]) =>
    admin.post(`${FORM}?lang=en`, [['_csrf', csrfToken((await admin.get(FORM)).body)], ...fields, ...form]);

  it('answers a purpose over 20,000 characters, and one sent twice, with the form and the text kept', async () => {
    for (const length of [2001, 20_001]) {
      const typed = 'p'.repeat(length);
      for (const form of [[['purposeEn', typed]], [['purposeEn', typed], ['purposeEn', 'Check your address']]] as const) {
        const refused = await post(form);
        expect(refused.statusCode, String(length)).toBe(422);
        expect(refused.body).toMatch(/<title>Error: /);
        expect(refused.body).toContain('href="#purposeEn"');
        expect(refused.body).toContain('The purpose in English must be 2,000 characters or fewer');
        expect(refused.body).toContain(typed);
      }
    }
    expect((await post([['purposeEn', ' ']])).body).toContain('Enter the purpose in English');
    expect(await built.services.consent.agreement('psb-input-check')).toBeUndefined();
  });
});
