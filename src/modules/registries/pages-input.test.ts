import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { createTestBrowser, csrfToken, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { demoPersona } from '../identity/demo-personas.js';
import { migrationSources } from '../index.js';
import { DEMO_CITIZEN } from './definitions.js';
import { PUBLIC_URL, registriesApp } from './test-kit.js';

const LOOKUP = '/admin/registries/population/lookup';
const TASKS = '/admin/registries/corrections';

/**
 * The look-up and resolve forms answer a field longer than the body schema once allowed (2,000),
 * or sent twice, with the form: the error summary, a link to the box and what was typed.
 */
describeEachDatabase('registries staff pages: long and repeated fields', migrationSources, (use) => {
  let built: Built;
  let admin: TestBrowser;
  beforeAll(async () => {
    built = await registriesApp(use);
    admin = createTestBrowser(built.app, PUBLIC_URL);
    await signIn(admin, 'agency-admin');
  });
  afterAll(async () => { await built.app.close(); });

  const post = async (page: string, form: readonly (readonly [string, string])[]) =>
    admin.post(`${page}?lang=en`, [['_csrf', csrfToken((await admin.get(`${page}?lang=en`)).body)], ...form]);
  const expectForm = (body: string, id: string, typed: string, message: string) => {
    expect(body).toMatch(/<title>Error: /);
    expect(body).toContain(`href="#${id}"`);
    expect(body).toContain(message);
    expect(body).toContain(typed);
  };

  it('answers a look-up purpose or key over 2,000 characters, and a repeated field, with the form and the text kept', async () => {
    const purpose = 'p'.repeat(2001);
    const long = await post(LOOKUP, [['key', DEMO_CITIZEN.idNumber], ['purpose', purpose]]);
    expect(long.statusCode).toBe(422);
    expectForm(long.body, 'purpose', purpose, 'Why you need this record must be 2,000 characters or fewer');
    expect(long.body).toContain(DEMO_CITIZEN.idNumber);
    const key = 'K'.repeat(2001);
    const longKey = await post(LOOKUP, [['key', key], ['purpose', 'Case 1']]);
    expect(longKey.statusCode).toBe(422);
    expectForm(longKey.body, 'key', key, 'The key must be 2,000 characters or fewer');
    const twice = await post(LOOKUP, [['key', DEMO_CITIZEN.idNumber], ['purpose', purpose], ['purpose', 'short']]);
    expect(twice.statusCode).toBe(422);
    expectForm(twice.body, 'purpose', purpose, 'Why you need this record must be 2,000 characters or fewer');
    const found = await post(LOOKUP, [['key', DEMO_CITIZEN.idNumber], ['key', 'other'], ['purpose', 'Case 2']]);
    expect(found.statusCode).toBe(200);
    expect(found.body).toContain(DEMO_CITIZEN.householdAddress);
  });

  it('answers a resolve note over 2,000 characters, and one sent twice, with the form and the text kept', async () => {
    const { taskId } = await built.services.registries.reportWrongData({
      registry: 'population', idNumber: DEMO_CITIZEN.idNumber, items: ['householdAddress'], description: '我已搬家', reporter: { accountId: demoPersona('citizen').accountId },
    });
    const form = `${TASKS}/${taskId}/resolve`;
    const note = 'n'.repeat(2001);
    const long = await post(form, [['note', note]]);
    expect(long.statusCode).toBe(422);
    expectForm(long.body, 'note', note, 'What was done about the report must be 2,000 characters or fewer');
    const twice = await post(form, [['note', note], ['note', 'short']]);
    expect(twice.statusCode).toBe(422);
    expectForm(twice.body, 'note', note, 'What was done about the report must be 2,000 characters or fewer');
    expect(await built.services.registries.correction(taskId)).toMatchObject({ status: 'open' });
  });
});
