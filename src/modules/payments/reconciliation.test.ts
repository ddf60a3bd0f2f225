import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { createTestBrowser, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { LANG_COOKIE } from '../../kernel/i18n/plugin.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { applyForLicence, listeningDemoApp } from './test-kit.js';

const CITIZEN = demoPersona('citizen');
const citizenPrincipal = { accountId: CITIZEN.accountId, kind: CITIZEN.kind, name: CITIZEN.name, roles: CITIZEN.roles };
const CLERK = demoPersona('clerk');
const clerkPrincipal = { accountId: CLERK.accountId, kind: CLERK.kind, name: CLERK.name, roles: CLERK.roles };

/** The reconciliation's day and times are China's, by the app's clock (ADR 21, "Since then" 2026-12-06). */
describeEachDatabase('payments: the reconciliation in China time, by the kernel clock', migrationSources, (use) => {
  let built: Built;
  let officer: TestBrowser;
  // The app's clock: the real one while signing in, then a time the test sets.
  let fixed: Date | undefined;

  beforeAll(async () => {
    let url = '';
    ({ built, url } = await listeningDemoApp(use(), undefined, () => fixed ?? new Date()));
    officer = createTestBrowser(built.app, url);
    officer.setCookie(LANG_COOKIE, 'en');
    await signIn(officer, 'officer');
  }, 60_000);
  afterAll(async () => { await built.app.close(); });

  it('writes a payment taken at 07:00 in China on 6 December as 2026-12-06T07:00:00+08:00, in that day\'s file', async () => {
    const app = await applyForLicence(built, citizenPrincipal, CITIZEN.idNumber ?? '');
    fixed = new Date('2026-12-05T23:00:00Z');
    const { receiptNumber } = await built.services.payments.recordAtCounter(clerkPrincipal, { reference: app.reference, method: 'cash', payerName: '张伟', key: `counter-${app.id}` });
    const csv = (await officer.get('/payments/reconciliation.csv?day=2026-12-06')).body;
    expect(csv).toContain(`payment,${receiptNumber},${app.reference},`);
    expect(csv.split('\r\n').find((l) => l.includes(receiptNumber))).toMatch(/,cash,succeeded,1000,10\.00,2026-12-06T07:00:00\+08:00,$/);
    expect((await officer.get('/payments/reconciliation.csv?day=2026-12-05')).body).not.toContain(receiptNumber);
  });

  it('takes today by the kernel\'s clock when no day is given', async () => {
    // 04:00 on 16 January in China, the 15th in UTC; the machine's own date is neither.
    fixed = new Date('2026-01-15T20:00:00Z');
    const csv = await officer.get('/payments/reconciliation.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-disposition']).toBe('attachment; filename="reconciliation-2026-01-16.csv"');
    const page = await officer.get('/payments/reconciliation');
    expect(page.body).toContain('value="2026-01-16"');
    expect(page.body).toContain('Payments settled on 2026-01-16');
  });
});
