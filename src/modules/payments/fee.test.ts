import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Fee } from '../catalog/service.js';
import { feeFor, formatMoney, parseYuan } from './fee.js';
import { buildReconciliation, reconciliationCsv, type ClosedCase } from './reconcile.js';
import { signWebhook, verifyWebhook } from './signature.js';
import type { BillRow, PaymentRow } from './store.js';

const NOW = new Date('2026-12-03T02:00:00Z');
const demoFee = (slug: string) => (JSON.parse(readFileSync(new URL(`../../../demo/catalog/${slug}.json`, import.meta.url), 'utf8')) as { fee: Fee }).fee;

describe('fees from the service definition', () => {
  it('takes a fixed fee as it is, due before the decision unless the definition says otherwise', () => {
    expect(feeFor(demoFee('driving-licence-renewal'), {}, NOW)).toEqual({ amount: 1000, currency: 'CNY', when: 'before_decision' });
    expect(feeFor({ type: 'none' }, {}, NOW)).toBeNull();
  });

  it('evaluates a rule on the answers: the first case that holds, else otherwise; zero is no fee', () => {
    const planning = demoFee('building-planning-permit');
    expect(feeFor(planning, { work_type: 'new' }, NOW)).toEqual({ amount: 30000, currency: 'CNY', when: 'after_decision' });
    expect(feeFor(planning, { work_type: 'extension' }, NOW)).toEqual({ amount: 10000, currency: 'CNY', when: 'after_decision' });
    const rule: Fee = { type: 'rule', currency: 'CNY', cases: [
      { when: { properties: { $form: { properties: { hardship: { const: true } }, required: ['hardship'] } } }, amount: 0 },
      { when: { properties: { $form: { properties: { copies: { minimum: 3 } }, required: ['copies'] } } }, amount: 2500 },
    ], otherwise: 1000 };
    expect(feeFor(rule, { hardship: true, copies: 5 }, NOW)).toBeNull();
    expect(feeFor(rule, { copies: 5 }, NOW)?.amount).toBe(2500);
    expect(feeFor(rule, { copies: 1 }, NOW)?.amount).toBe(1000);
  });

  it('compares $now with the day in Shanghai, as the form engine does, not the UTC day', () => {
    const freeFrom2027: Fee = { type: 'rule', currency: 'CNY', cases: [
      { when: { properties: { $now: { type: 'string', format: 'date', formatMinimum: '2027-01-01' } } }, amount: 0 },
    ], otherwise: 1000 };
    // 00:30 on 1 January in Shanghai is still 31 December in UTC.
    expect(feeFor(freeFrom2027, {}, new Date('2027-01-01T00:30:00+08:00'))).toBeNull();
    expect(feeFor(freeFrom2027, {}, new Date('2026-12-31T23:30:00+08:00'))?.amount).toBe(1000);
  });

  it('formats fen as yuan per locale and reads typed yuan as fen', () => {
    expect(formatMoney(1000, 'zh-CN')).toBe('¥10.00');
    expect(formatMoney(123456, 'en')).toBe('CN¥1,234.56');
    expect(parseYuan('12.5')).toBe(1250);
    expect(parseYuan(' 7 ')).toBe(700);
    expect(parseYuan('1.234')).toBeUndefined();
    expect(parseYuan('-3')).toBeUndefined();
  });
});

describe('webhook signatures', () => {
  const secret = 'a webhook secret of at least 32 characters';
  const body = '{"id":"evt_1","type":"payment.succeeded"}';

  it('accepts the exact body signed with the secret, recently', () => {
    expect(verifyWebhook(secret, body, signWebhook(secret, body, NOW), new Date(NOW.getTime() + 60_000))).toEqual({ ok: true });
  });

  it('refuses a changed body, another secret, a missing or malformed header, and an old timestamp', () => {
    const signature = signWebhook(secret, body, NOW);
    expect(verifyWebhook(secret, `${body} `, signature, NOW)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhook(`${secret}!`, body, signature, NOW)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhook(secret, body, undefined, NOW)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyWebhook(secret, body, 't=abc,v1=00', NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyWebhook(secret, body, signature, new Date(NOW.getTime() + 301_000))).toEqual({ ok: false, reason: 'stale' });
    // A replayed signature with a timestamp moved forward no longer matches the body.
    expect(verifyWebhook(secret, body, signature.replace(/t=\d+/, `t=${Math.floor(NOW.getTime() / 1000) + 100}`), NOW)).toEqual({ ok: false, reason: 'mismatch' });
  });
});

describe('reconciliation', () => {
  const bill = (id: string, reference: string, amount: number): BillRow => ({
    id, application_id: `${id}-app`, reference, agency_code: '110000-TRA', service_id: 's', applicant_account_id: null, amount, currency: 'CNY', due_when: 'before_decision', created_at: NOW,
  });
  /** The report's batch question answered from `closed`; `asked` records each call's ids. */
  const casesFrom = (closed: Record<string, NonNullable<ClosedCase>>, asked: string[][] = []) => (ids: readonly string[]) => {
    asked.push([...ids]);
    return Promise.resolve(new Map(ids.flatMap((id) => (closed[id] ? [[id, closed[id]] as const] : []))));
  };
  const payment = (id: string, billId: string, amount: number, ref: string | null): PaymentRow => ({
    id, bill_id: billId, application_id: `${billId}-app`, method: ref ? 'online' : 'cash', provider: ref ? 'test-provider' : null, provider_ref: ref, status: 'succeeded',
    amount, currency: 'CNY', payer_name: 'x', payer_account_id: null, recorded_by: 'x', receipt_number: `R-${id}`, created_at: NOW, settled_at: NOW,
  });

  it('flags settlements of another amount or missing, money with no application, and fees not paid', async () => {
    const bills = [bill('b1', 'TB-2026-AAAAAA', 1000), bill('b2', 'TB-2026-BBBBBB', 1000), bill('b3', 'TB-2026-CCCCCC', 2500), bill('b4', 'TB-2026-DDDDDD', 1000)];
    const payments = [payment('p1', 'b1', 1000, 'tp_1'), payment('p2', 'b2', 1000, 'tp_2'), payment('p4', 'b4', 1000, null)];
    const submittedAsked: string[][] = [];
    const report = await buildReconciliation({
      day: '2026-12-03', agencies: 'all', payments, bills, billById: new Map(bills.map((b) => [b.id, b])),
      paymentsByBill: bills.map((b) => payments.filter((p) => p.bill_id === b.id)), unmatched: [],
      settlements: [{ ref: 'tp_1', amount: 900, settledAt: NOW }, { ref: 'tp_9', amount: 500, settledAt: NOW }], provider: 'test-provider',
      submittedApplications: (ids) => { submittedAsked.push([...ids]); return Promise.resolve(new Set(ids.filter((id) => id !== 'b4-app'))); },
      closedWithoutDecision: casesFrom({}),
    });
    // The day's payments' applications, in one question.
    expect(submittedAsked).toEqual([['b1-app', 'b2-app', 'b4-app']]);
    expect(report.total).toBe(3000);
    expect(report.flags.map((f) => [f.kind, f.reference, f.amount])).toEqual([
      ['no_application', 'R-p4', 1000],
      ['settlement_mismatch', 'tp_1', 900],
      ['no_application', 'tp_9', 500],
      ['settlement_mismatch', 'R-p2', 1000],
      ['fee_unpaid', 'TB-2026-CCCCCC', 2500],
    ]);
    expect(reconciliationCsv(report)).toContain('flag:settlement_mismatch,,tp_1,,,,900,9.00,,"test-provider settled 900 fen, the payment is 1000 fen"');
    expect(report.notDue).toEqual([]);
  });

  it('flags a settlement of another amount to the agencies whose payment it is, never to another agency reconciling the day', async () => {
    const transport = bill('b1', 'TB-2026-AAAAAA', 1000);
    const security = { ...bill('b2', 'TB-2026-BBBBBB', 2000), agency_code: '110000-PSB' };
    const payments = [payment('p1', 'b1', 1000, 'tp_1'), payment('p2', 'b2', 2000, 'tp_2')];
    const settlements = [{ ref: 'tp_1', amount: 1000, settledAt: NOW }, { ref: 'tp_2', amount: 1500, settledAt: NOW }];
    const reportFor = (bills: BillRow[], agencies: readonly string[] | 'all') => buildReconciliation({
      day: '2026-12-03', agencies, payments, bills, billById: new Map(bills.map((b) => [b.id, b])),
      paymentsByBill: bills.map((b) => payments.filter((p) => p.bill_id === b.id)), unmatched: [], settlements, provider: 'test-provider',
      submittedApplications: (ids) => Promise.resolve(new Set(ids)), closedWithoutDecision: casesFrom({}),
    });
    // Transport's day (the store gives every agency's payments, and its own bills only): nothing of Public Security's.
    const own = await reportFor([transport], ['110000-TRA']);
    expect(own.flags).toEqual([]);
    expect(reconciliationCsv(own)).not.toContain('tp_2');
    const mismatch = ['settlement_mismatch', 'tp_2', 1500];
    expect((await reportFor([security], ['110000-PSB'])).flags.map((f) => [f.kind, f.reference, f.amount])).toEqual([mismatch]);
    expect((await reportFor([transport, security], 'all')).flags.map((f) => [f.kind, f.reference, f.amount])).toEqual([mismatch]);
  });

  it('lists an unpaid fee due before the decision on a case closed without one as not due, not as unpaid', async () => {
    const withdrawn = bill('b1', 'TB-2026-WWWWWW', 1000);
    const rejected = bill('b2', 'TB-2026-RRRRRR', 2500);
    const open = bill('b3', 'TB-2026-OOOOOO', 1000);
    const bills = [withdrawn, rejected, open];
    const asked: string[][] = [];
    const report = await buildReconciliation({
      day: '2026-12-03', agencies: 'all', payments: [], bills, billById: new Map(bills.map((b) => [b.id, b])), paymentsByBill: bills.map(() => []),
      unmatched: [], settlements: [], provider: 'test-provider', submittedApplications: (ids) => Promise.resolve(new Set(ids)),
      closedWithoutDecision: casesFrom({
        'b1-app': { status: 'withdrawn', statusName: { 'zh-CN': '已撤回', en: 'Withdrawn' }, closedAt: NOW },
        'b2-app': { status: 'rejected', statusName: { 'zh-CN': '未通过', en: 'Rejected' }, closedAt: NOW },
      }, asked),
    });
    expect(report.flags.map((f) => [f.kind, f.reference, f.amount])).toEqual([['fee_unpaid', 'TB-2026-OOOOOO', 1000]]);
    expect(report.notDue.map((n) => [n.reference, n.caseStatus, n.amount])).toEqual([['TB-2026-WWWWWW', 'withdrawn', 1000], ['TB-2026-RRRRRR', 'rejected', 2500]]);
    expect(asked).toEqual([['b1-app', 'b2-app', 'b3-app']]);
    const csv = reconciliationCsv(report);
    expect(csv).toContain('not_due:case_closed,,TB-2026-WWWWWW,110000-TRA,,withdrawn,1000,10.00,,case withdrawn before a decision; fee not due');
    expect(csv).not.toContain('flag:fee_unpaid,,TB-2026-WWWWWW');
  });

  it('asks about the case only for a fee due before the decision: a fee due after it was billed at approval and stays owed', async () => {
    const after: BillRow = { ...bill('b1', 'TB-2026-AAAAAA', 30000), due_when: 'after_decision' };
    const paid = bill('b2', 'TB-2026-BBBBBB', 1000);
    const bills = [after, paid];
    const payments = [payment('p2', 'b2', 1000, null)];
    const asked: string[][] = [];
    const report = await buildReconciliation({
      day: '2026-12-03', agencies: 'all', payments, bills, billById: new Map(bills.map((b) => [b.id, b])), paymentsByBill: bills.map((b) => payments.filter((p) => p.bill_id === b.id)),
      unmatched: [], settlements: [], provider: 'test-provider', submittedApplications: (ids) => Promise.resolve(new Set(ids)),
      closedWithoutDecision: casesFrom({}, asked),
    });
    expect(report.flags.map((f) => [f.kind, f.reference])).toEqual([['fee_unpaid', 'TB-2026-AAAAAA']]);
    expect(report.notDue).toEqual([]);
    // Only the paid fee's case (was it paid after the case closed?), in one question.
    expect(asked).toEqual([['b2-app']]);
  });

  it('flags a payment that succeeded after its case closed without a decision as a refund due; one before it is kept as paid', async () => {
    const closedAt = new Date(NOW.getTime() - 60_000);
    const late = bill('b1', 'TB-2026-LLLLLL', 1000);
    const early = bill('b2', 'TB-2026-EEEEEE', 1000);
    const open = bill('b3', 'TB-2026-OOOOOO', 1000);
    const bills = [late, early, open];
    const payments = [payment('p1', 'b1', 1000, 'tp_1'), { ...payment('p2', 'b2', 1000, null), settled_at: new Date(closedAt.getTime() - 1) }, payment('p3', 'b3', 1000, null)];
    const asked: string[][] = [];
    const withdrawn = { status: 'withdrawn', statusName: { 'zh-CN': '已撤回', en: 'Withdrawn' }, closedAt };
    const report = await buildReconciliation({
      day: '2026-12-03', agencies: 'all', payments, bills, billById: new Map(bills.map((b) => [b.id, b])), paymentsByBill: bills.map((b) => payments.filter((p) => p.bill_id === b.id)),
      unmatched: [], settlements: [{ ref: 'tp_1', amount: 1000, settledAt: NOW }], provider: 'test-provider', submittedApplications: (ids) => Promise.resolve(new Set(ids)),
      closedWithoutDecision: casesFrom({ 'b1-app': withdrawn, 'b2-app': withdrawn }, asked),
    });
    expect(report.flags.map((f) => [f.kind, f.reference, f.amount])).toEqual([['refund_due', 'R-p1', 1000]]);
    expect(report.flags[0]?.detail).toBe(`payment p1 of application TB-2026-LLLLLL succeeded after the case was withdrawn (2026-12-03T09:59:00+08:00); refund it`);
    expect(report.notDue).toEqual([]);
    expect(report.total).toBe(3000);
    expect(asked).toEqual([['b1-app', 'b2-app', 'b3-app']]);
    expect(reconciliationCsv(report)).toContain('flag:refund_due,,R-p1,,,,1000,10.00,,');
  });
});
