import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import { createTestBrowser, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { loadConfig } from '../../kernel/config/index.js';
import { LANG_COOKIE } from '../../kernel/i18n/plugin.js';
import { createLogger } from '../../kernel/log.js';
import { DEMO_AGENCIES, demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { applyForLicence, listeningDemoApp } from './test-kit.js';

/**
 * Who sees an application's payments (issue 9, ASVS 8.2.2): staff of the application's agency;
 * a receipt also its payer, its applicant and the clerk who took it, at any agency's counter (a
 * one-stop hall takes every agency's fees, ADR 21). Anyone else gets the unknown one's 404, logged
 * as `security.denied` with `reason: other-agency`. The driving licence is Transport's; the demo
 * clerk works for Civil Affairs, the demo agency administrator for Public Security.
 */
const CITIZEN = demoPersona('citizen');
const citizen: Principal = { accountId: CITIZEN.accountId, kind: CITIZEN.kind, name: CITIZEN.name, roles: CITIZEN.roles };
const transportClerk: Principal = { accountId: '0190a1b2-0000-7000-8000-0000000000a1', kind: 'staff', name: '周敏', roles: [{ agency: DEMO_AGENCIES.transport, role: 'clerk' }] };
const UNKNOWN_ID = '01890a5d-ac96-774b-bcce-b302099a8057';
const UNKNOWN_RECEIPT = 'R-20260101-AAAAAA';
type Line = Record<string, unknown>;

describeEachDatabase('payments: only staff of the application\'s agency see its payments and receipts', migrationSources, (use) => {
  let built: Built;
  let url = '';
  const lines: Line[] = [];
  const browsers = new Map<string, TestBrowser>();

  beforeAll(async () => {
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Line); done(); } });
    ({ built, url } = await listeningDemoApp(use(), createLogger(loadConfig({ NODE_ENV: 'test', TONGBAN_DATA_DIR: ':memory:', LOG_LEVEL: 'info' }), sink)));
  }, 60_000);
  afterAll(async () => { await built.app.close(); });

  const as = async (persona: string): Promise<TestBrowser> => {
    const known = browsers.get(persona);
    if (known) return known;
    const browser = createTestBrowser(built.app, url);
    browser.setCookie(LANG_COOKIE, 'en');
    await signIn(browser, persona);
    browsers.set(persona, browser);
    return browser;
  };
  const denials = (res: { headers: Record<string, unknown> }) => lines.filter((l) => l.event === 'security.denied' && l.reqId === res.headers['x-request-id']);
  /** A page with the ids and the request's reference taken out, to compare a refusal with the unknown one's answer. */
  const plain = (res: { body: string; headers: Record<string, unknown> }, ...ids: string[]) =>
    ids.reduce((body, id) => body.replaceAll(id, '(id)'), res.body).replaceAll(String(res.headers['x-request-id']), '(reference)');
  /** An application of the citizen with its fee taken at the counter by Transport's own clerk. */
  const paidByTransport = async () => {
    const app = await applyForLicence(built, citizen, CITIZEN.idNumber ?? '');
    const { receiptNumber } = await built.services.payments.recordAtCounter(transportClerk, { reference: app.reference, method: 'cash', payerName: '张伟', key: randomUUID() });
    return { ...app, receiptNumber };
  };

  it('answers another agency\'s clerk or administrator on the staff page as for an unknown application, logged as a denial; its own staff see it', async () => {
    const app = await paidByTransport();
    for (const persona of ['clerk', 'agency-admin']) {
      const unknown = await (await as(persona)).get(`/payments/staff/${UNKNOWN_ID}`);
      const page = await (await as(persona)).get(`/payments/staff/${app.id}`);
      expect(page.statusCode, persona).toBe(404);
      expect(plain(page, app.id)).toBe(plain(unknown, UNKNOWN_ID));
      expect(page.body).not.toContain(app.receiptNumber);
      expect(denials(page), persona).toEqual([expect.objectContaining({ code: 'TB_PAYMENTS_NOT_FOUND', reason: 'other-agency', route: '/payments/staff/:id' })]);
      expect(denials(unknown)).toEqual([]);
    }
    const officer = await (await as('transport-officer')).get(`/payments/staff/${app.id}`);
    expect(officer.statusCode).toBe(200);
    expect(officer.body).toContain(app.receiptNumber);
    expect((await built.services.payments.forStaff(app.id, transportClerk, 'Test'))?.payments.map((p) => p.receiptNumber)).toEqual([app.receiptNumber]);
  });

  it('shows a receipt to its payer, the clerk who took it at any agency\'s counter and the application\'s agency\'s staff; to anyone else it is unknown', async () => {
    const app = await paidByTransport();
    for (const persona of ['clerk', 'agency-admin']) {
      const unknown = await (await as(persona)).get(`/payments/receipts/${UNKNOWN_RECEIPT}`);
      const page = await (await as(persona)).get(`/payments/receipts/${app.receiptNumber}`);
      expect(page.statusCode, persona).toBe(404);
      expect(plain(page, app.receiptNumber)).toBe(plain(unknown, UNKNOWN_RECEIPT));
      expect(page.body).not.toContain('张伟');
      expect(denials(page), persona).toEqual([expect.objectContaining({ code: 'TB_PAYMENTS_NOT_FOUND', reason: 'other-agency', route: '/payments/receipts/:number' })]);
    }
    expect((await (await as('citizen')).get(`/payments/receipts/${app.receiptNumber}`)).statusCode).toBe(200);
    const officer = await (await as('transport-officer')).get(`/payments/receipts/${app.receiptNumber}`);
    expect(officer.statusCode).toBe(200);
    expect(officer.body).toContain('张伟');
    // The counter of another agency still takes the fee, and its clerk reads the receipt they gave.
    const other = await applyForLicence(built, citizen, CITIZEN.idNumber ?? '');
    const clerk = demoPersona('clerk');
    const taken = await built.services.payments.recordAtCounter({ accountId: clerk.accountId, kind: clerk.kind, name: clerk.name, roles: clerk.roles }, { reference: other.reference, method: 'card', payerName: '张伟', key: randomUUID() });
    const own = await (await as('clerk')).get(`/payments/receipts/${taken.receiptNumber}`);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('张伟');
  });

  it('lets a clerk of any agency find a fee at the counter, listing its payments only to the application\'s agency\'s clerks', async () => {
    const due = await applyForLicence(built, citizen, CITIZEN.idNumber ?? '');
    expect((await (await as('clerk')).get(`/payments/counter?reference=${due.reference}`)).body).toContain('Record the payment of CN¥10.00');
    const paid = await paidByTransport();
    const page = await (await as('clerk')).get(`/payments/counter?reference=${paid.reference}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(paid.reference);
    expect(page.body).not.toContain(paid.receiptNumber);
    expect((await built.services.payments.forCounter(paid.reference, transportClerk))?.payments.map((p) => p.receiptNumber)).toEqual([paid.receiptNumber]);
  });

  it('records a view as the agency the viewer acted for: the application\'s, or the counter\'s of a clerk of another agency', async () => {
    const app = await paidByTransport();
    const views = async (action: string, id: string, actor: string) => (await built.kernel.audit.listBySubject(CITIZEN.accountId, { limit: 500 }))
      .filter((r) => r.action === action && r.resource?.id === id && r.actor.id === actor).map((r) => r.actor.organisation);
    // The demo officer is an officer of every demo agency (their first role not Transport's): this is Transport's bill.
    const officer = demoPersona('officer');
    expect((await (await as('officer')).get(`/payments/staff/${app.id}`)).statusCode).toBe(200);
    expect(await views('payments.bill.view', app.id, officer.accountId)).toEqual([DEMO_AGENCIES.transport]);
    // Civil Affairs' clerk at their counter acts for Civil Affairs; a clerk of both for Transport.
    const clerk = demoPersona('clerk');
    expect((await (await as('clerk')).get(`/payments/counter?reference=${app.reference}`)).statusCode).toBe(200);
    expect(await views('payments.bill.view', app.id, clerk.accountId)).toEqual([DEMO_AGENCIES.civilAffairs]);
    const both: Principal = { accountId: '0190a1b2-0000-7000-8000-0000000000a2', kind: 'staff', name: '吴刚', roles: [{ agency: DEMO_AGENCIES.civilAffairs, role: 'clerk' }, { agency: DEMO_AGENCIES.transport, role: 'clerk' }] };
    await built.services.payments.forCounter(app.reference, both);
    expect(await views('payments.bill.view', app.id, both.accountId)).toEqual([DEMO_AGENCIES.transport]);
    const due = await applyForLicence(built, citizen, CITIZEN.idNumber ?? '');
    await built.services.payments.recordAtCounter(both, { reference: due.reference, method: 'cash', payerName: '张伟', key: randomUUID() });
    const taken = (await built.kernel.audit.listBySubject(CITIZEN.accountId, { limit: 500 })).filter((r) => r.action === 'payments.payment.counter' && r.actor.id === both.accountId);
    expect(taken.map((r) => r.actor.organisation)).toEqual([DEMO_AGENCIES.transport]);
  });
});
