import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { TestBrowser } from '../../kernel/auth/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { applicationIdOf, demoApp, personaBrowser, postForm } from './test-kit.js';

/*
 * The prefill at a counter: the clerk sees what would be read and why, records the person's
 * consent (channel counter, the clerk as actor), and the read is audited under the clerk with the
 * person as subject, so it shows on the person's "who used my data".
 */

const RESIDENCE = '7d16d506-9f99-4721-b933-1f8981ddfddc';
const ZHANG_WEI = demoPersona('citizen');
const CLERK = demoPersona('clerk');

describeEachDatabase('applications: prefill at a counter', migrationSources, (use) => {
  let built: Built;
  let clerk: TestBrowser;

  beforeAll(async () => {
    built = await demoApp(use());
    clerk = await personaBrowser(built, 'clerk');
  });
  afterAll(async () => { await built.app.close(); });

  it('lets the clerk record the person\'s consent and prefill, audited under the clerk for the person', async () => {
    const counter = await clerk.get('/counter');
    const started = await postForm(clerk, '/counter', counter.body, { resident_id: ZHANG_WEI.idNumber ?? '', service: RESIDENCE });
    expect(started.statusCode).toBe(303);
    expect(started.headers.location).toMatch(/\/prefill$/);
    const id = applicationIdOf(started.headers.location);
    const page = await clerk.follow(started);
    expect(page.body).toContain('Use the person’s details from the population register');
    expect(page.body).toContain('Does the person agree to us reading this information?');
    expect(page.body).toContain('Yes, the person agrees (recorded as consent given at the counter)');
    expect(page.body).not.toContain('href="/account/consent"');

    const chosen = await postForm(clerk, `/applications/${id}/prefill`, page.body, { choice: 'prefill' });
    expect(chosen.headers.location).toBe(`/applications/${id}/pages/you`);
    const events = await built.services.consent.history(ZHANG_WEI.idNumber ?? '', 'prefill-population');
    expect(events.map((e) => [e.kind, e.channel, e.actor.kind, e.actor.id])).toEqual([['given', 'counter', 'staff', CLERK.accountId]]);

    const reads = (await built.kernel.audit.listBySubject(ZHANG_WEI.accountId, { limit: 500 })).filter((r) => r.action === 'registry.record.read');
    expect(reads).toHaveLength(1);
    expect(reads[0]?.actor).toEqual({ kind: 'staff', id: CLERK.accountId, organisation: '110000-PSB' });
    const you = await clerk.follow(chosen);
    expect(you.body).toContain('value="张伟"');
    expect(you.body).toContain('At the counter');
  });
});
