import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import type { TestBrowser } from '../../kernel/auth/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { applicationIdOf, demoApp, personaBrowser, postForm } from './test-kit.js';

/*
 * An answer with an error never replaces one already saved, whichever button was pressed; and
 * "Save and come back later" says which answers it could not save instead of redirecting as if
 * all were saved (the demo residence service, filled in by hand).
 */

const SLUG = 'residence-certificate';
const YOU = { full_name: '张伟', id_number: '110101199003072359', 'date_of_birth-day': '7', 'date_of_birth-month': '3', 'date_of_birth-year': '1990', phone: '13800138000' };
const IMPOSSIBLE = { ...YOU, 'date_of_birth-day': '31', 'date_of_birth-month': '2' };

describeEachDatabase('applications: a post with errors keeps the answers already saved', migrationSources, (use) => {
  let built: Built;
  let citizen: TestBrowser;
  let person: Principal;
  let id = '';

  beforeAll(async () => {
    built = await demoApp(use());
    citizen = await personaBrowser(built, 'citizen');
    const found = await built.services.identity.principal(demoPersona('citizen').accountId);
    if (!found) throw new Error('no principal for the citizen');
    person = found;
    const start = await citizen.get(`/services/${SLUG}/apply`);
    id = applicationIdOf(start.headers.location);
    const prefill = await citizen.follow(start);
    const self = await postForm(citizen, `/applications/${id}/prefill`, prefill.body, { choice: 'self' });
    expect(self.headers.location).toBe(`/applications/${id}/pages/you`);
    const you = await citizen.follow(self);
    expect((await postForm(citizen, `/applications/${id}/pages/you`, you.body, { ...YOU, _save: 'continue' })).statusCode).toBe(303);
  });
  afterAll(async () => { await built.app.close(); });

  const stored = async () => (await built.services.applications.openDraft(id, person)).answers;

  it('on "save and come back later", keeps the saved date of birth and says on the page that the new one was not saved', async () => {
    expect((await stored()).date_of_birth).toBe('1990-03-07');
    const you = await citizen.get(`/applications/${id}/pages/you`);
    const later = await postForm(citizen, `/applications/${id}/pages/you`, you.body, { ...IMPOSSIBLE, full_name: '张伟伟', _save: 'later' });
    expect(later.statusCode).toBe(400);
    expect(later.headers.location).toBeUndefined();
    expect(later.body).toContain('tb-error-summary');
    expect(later.body).toContain('href="#date_of_birth-day"');
    expect(later.body).toContain('The answers with a problem have not been saved');
    expect(later.body).toContain('value="31"');
    // Only the answer that was wrong is held back: the other change on the page is saved.
    expect(await stored()).toMatchObject({ date_of_birth: '1990-03-07', full_name: '张伟伟' });
  });

  it('on "continue", shows what was typed and keeps the saved date of birth too', async () => {
    const you = await citizen.get(`/applications/${id}/pages/you`);
    const wrong = await postForm(citizen, `/applications/${id}/pages/you`, you.body, { ...IMPOSSIBLE, 'date_of_birth-year': '', _save: 'continue' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('href="#date_of_birth');
    expect(wrong.body).toContain('value="31"');
    expect((await stored()).date_of_birth).toBe('1990-03-07');
    const cleared = await postForm(citizen, `/applications/${id}/pages/you`, you.body, { ...YOU, 'date_of_birth-day': '', 'date_of_birth-month': '', 'date_of_birth-year': '', _save: 'later' });
    expect(cleared.statusCode).toBe(400);
    expect((await stored()).date_of_birth).toBe('1990-03-07');
  });

  it('still lets a half-done page be saved for later when questions are only left blank', async () => {
    const addresses = await citizen.get(`/applications/${id}/pages/addresses`);
    const later = await postForm(citizen, `/applications/${id}/pages/addresses`, addresses.body, { 'moved_on-day': '1', 'moved_on-month': '6', 'moved_on-year': '2024', _save: 'later' });
    expect(later.statusCode).toBe(303);
    expect(later.headers.location).toBe('/applications?saved=1');
    expect((await stored()).moved_on).toBe('2024-06-01');
  });
});
