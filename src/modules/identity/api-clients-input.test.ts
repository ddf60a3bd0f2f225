import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { registerClient } from '../../kernel/auth/machine/index.js';
import { keyPair } from '../../kernel/auth/machine/testing.js';
import { csrfToken, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { demoApp, personaBrowser } from '../applications/test-kit.js';
import { migrationSources } from '../index.js';

const EDIT = '/admin/api-clients/input-archive/edit';

/**
 * The API client's edit form answers a name longer than the body schema once allowed (2,000),
 * or sent twice, with the form: the error summary, a link to the box and what was typed.
 */
describeEachDatabase('API clients page: a long or repeated name', migrationSources, (use) => {
  let built: Built;
  let admin: TestBrowser;
  beforeAll(async () => {
    built = await demoApp(use());
    await registerClient(built.kernel.db, { clientId: 'input-archive', name: 'Input archive', organisation: '110000-CAB', scopes: ['registries:read'], keys: [(await keyPair('EdDSA', 'input-1')).publicJwk] });
    admin = await personaBrowser(built, 'platform-admin');
  });
  afterAll(async () => { await built.app.close(); });

  const post = async (form: readonly (readonly [string, string])[]) =>
    admin.post(`${EDIT}?lang=en`, [['_csrf', csrfToken((await admin.get(EDIT)).body)], ...form, ['scopes', 'registries:read']]);

  it('answers a name over 2,000 characters, and one sent twice, with the form, a message saying it is too long and the name kept', async () => {
    for (const length of [201, 2001]) {
      const name = 'N'.repeat(length);
      for (const form of [[['name', name]], [['name', name], ['name', 'Short']]] as const) {
        const refused = await post(form);
        expect(refused.statusCode, String(length)).toBe(422);
        expect(refused.body).toMatch(/<title>Error: /);
        expect(refused.body).toContain("<a href=\"#name\">The system's name must be 200 characters or fewer</a>");
        expect(refused.body).toContain(`value="${name}"`);
      }
    }
    const blank = await post([['name', ' ']]);
    expect(blank.body).toContain("<a href=\"#name\">Enter the system's name, up to 200 characters</a>");
    const renamed = await post([['name', 'Input archive system'], ['name', 'N'.repeat(2001)]]);
    expect(renamed.statusCode).toBe(303);
    const listed = await admin.get('/admin/api-clients?lang=en');
    expect(listed.body).toContain('Input archive system');
  });
});
