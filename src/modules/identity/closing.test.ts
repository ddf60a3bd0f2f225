import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectPagesAccessible } from '../../../test/helpers/accessible-pages.js';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import { csrfToken } from '../../kernel/auth/test-kit.js';
import { CSRF_FIELD } from '../../ui/index.js';
import { demoApp, personaBrowser, PUBLIC_URL } from '../applications/test-kit.js';
import { migrationSources } from '../index.js';
import { submitResidenceApplication, RESIDENCE } from '../scheduling/test-kit.js';
import { demoPersona } from './index.js';

const BUSINESS = demoPersona('business');

describeEachDatabase('identity: closing one\'s own account (ADR 68)', migrationSources, (use) => {
  let built: Built;
  // The demo identity provider records sign-ins by the real clock: the app's starts there too.
  let clock = Date.now();
  const pages: [string, string][] = [];

  const principal = async (persona: string): Promise<Principal> => {
    const found = await built.services.identity.principal(demoPersona(persona).accountId);
    if (!found) throw new Error(`no principal for ${persona}`);
    return found;
  };
  const actions = async (accountId: string) => (await built.kernel.audit.listBySubject(accountId, { limit: 200 })).map((r) => r.action);

  beforeAll(async () => {
    built = await demoApp(use(), () => new Date(clock));
  });
  afterAll(async () => {
    await expectPagesAccessible(built.app, PUBLIC_URL, pages);
    await built.app.close();
  });

  it('is held open while an application is in progress, and says which', async () => {
    const citizen = await personaBrowser(built, 'citizen');
    const { reference } = await submitResidenceApplication(built, await principal('citizen'));
    const page = await citizen.get('/account/close');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(reference);
    expect(page.body).not.toContain('name="confirm"');
    pages.push(['close, blocked', page.body]);
    const refused = await citizen.post('/account/close', { [CSRF_FIELD]: csrfToken(page.body), confirm: 'yes' });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain(reference);
    expect(await built.services.identity.principal(demoPersona('citizen').accountId)).toBeDefined();
    expect(await actions(demoPersona('citizen').accountId)).not.toContain('account.close');
  });

  it('asks to confirm, then closes: signed out everywhere, drafts deleted, the rest kept; a sign-in opens it again', async () => {
    const business = await principal('business');
    const draft = await built.services.applications.startOnline(RESIDENCE, business, 'en');
    const here = await personaBrowser(built, 'business');
    const elsewhere = await personaBrowser(built, 'business');
    expect((await here.get('/account')).body).toContain('href="/account/close"');

    const page = await here.get('/account/close');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="confirm"');
    expect(page.body).toContain('href="/my-data/copy"');
    pages.push(['close', page.body]);
    const unconfirmed = await here.post('/account/close', { [CSRF_FIELD]: csrfToken(page.body) });
    expect(unconfirmed.statusCode).toBe(400);
    expect(unconfirmed.body).toContain('tb-error-summary');
    expect(unconfirmed.body).toContain('Confirm that you want to close your account');
    pages.push(['close, not confirmed', unconfirmed.body]);
    expect(await built.services.identity.principal(BUSINESS.accountId)).toBeDefined();

    const closed = await here.post('/account/close', { [CSRF_FIELD]: csrfToken(unconfirmed.body), confirm: 'yes' });
    expect(closed.statusCode).toBe(303);
    expect(closed.headers.location).toBe('/account/closed');
    const after = await here.follow(closed);
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain('Your account is closed');
    pages.push(['closed', after.body]);

    expect(await built.services.identity.principal(BUSINESS.accountId)).toBeUndefined();
    expect((await built.services.identity.account(BUSINESS.accountId))?.disabled).toBe(true);
    for (const browser of [here, elsewhere]) expect((await browser.get('/account')).statusCode).not.toBe(200);
    await expect(built.services.applications.openDraft(draft.id, business)).rejects.toThrow();
    expect(await actions(BUSINESS.accountId)).toEqual(expect.arrayContaining(['account.close', 'application.draft.delete']));

    // Signing in again opens the account again, with its data.
    const again = await personaBrowser(built, 'business');
    expect((await again.get('/account')).statusCode).toBe(200);
    expect((await built.services.identity.account(BUSINESS.accountId))?.disabled).toBe(false);
    expect(await actions(BUSINESS.accountId)).toContain('account.reopen');
  });

  it('an account an administrator disabled stays shut at sign-in', async () => {
    await built.services.identity.disableAccount(BUSINESS.accountId);
    const refused = await personaBrowser(built, 'business');
    expect((await refused.get('/account')).statusCode).not.toBe(200);
    expect(await built.services.identity.principal(BUSINESS.accountId)).toBeUndefined();
    await built.services.identity.enableAccount(BUSINESS.accountId);
  });

  it('needs a recent sign-in: the page asks for one, and a post without one closes nothing', async () => {
    const browser = await personaBrowser(built, 'business');
    const form = await browser.get('/account/close');
    clock += 15 * 60_000; // past the ten-minute window, within the session's idle time
    const page = await browser.get('/account/close');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('name="confirm"');
    expect(page.body).toContain('Closing your account needs a recent sign-in');
    const posted = await browser.post('/account/close', { [CSRF_FIELD]: csrfToken(form.body), confirm: 'yes' });
    expect(posted.statusCode).toBe(403);
    expect(await built.services.identity.principal(BUSINESS.accountId)).toBeDefined();
  });
});
