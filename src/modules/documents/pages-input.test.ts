import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { createTestBrowser, csrfToken, signIn } from '../../kernel/auth/test-kit.js';
import { demoApp, PUBLIC_URL } from '../applications/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { approvedSoleTrader } from './test-kit.js';

const principal = (subject: string) => {
  const p = demoPersona(subject);
  return { accountId: p.accountId, kind: p.kind, name: p.name, roles: p.roles };
};

/**
 * The revoke form answers a reason longer than the body schema once allowed (5,000), or sent
 * twice, with the form: the error summary, a link to the box, a message saying it is too long
 * (not "Enter ...") and what was typed; the certificate stays valid.
 */
describeEachDatabase('documents revoke form: a long or repeated reason', migrationSources, (use) => {
  let built: Built;
  let id = '';
  beforeAll(async () => {
    built = await demoApp(use());
    const applicationId = await approvedSoleTrader(built, { citizen: principal('citizen'), officer: principal('officer') });
    id = (await built.services.documents.forApplication(applicationId))?.id ?? '';
  });
  afterAll(async () => { await built.app.close(); });

  it('answers a reason over 5,000 characters, and one sent twice, with the form and the text kept', async () => {
    const officer = createTestBrowser(built.app, PUBLIC_URL);
    await signIn(officer, 'officer');
    const path = `/backoffice/certificates/${id}/revoke`;
    const form = await officer.get(`${path}?lang=en`);
    for (const length of [501, 5001]) {
      const typed = 'r'.repeat(length);
      for (const reason of [[['reason', typed]], [['reason', typed], ['reason', 'Premises changed']]] as const) {
        const refused = await officer.post(`${path}?lang=en`, [['_csrf', csrfToken(form.body)], ['confirm', 'yes'], ...reason]);
        expect(refused.statusCode, String(length)).toBe(400);
        expect(refused.body).toMatch(/<title>Error: /);
        expect(refused.body).toContain('href="#reason"');
        expect(refused.body).toContain('Why you are revoking the certificate must be 500 characters or fewer');
        expect(refused.body).toContain(typed);
      }
    }
    expect((await built.services.documents.forStaff(id, principal('officer'))).status).toBe('valid');
  });
});
