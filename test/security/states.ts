import { randomUUID } from 'node:crypto';
import type { Principal } from '../../src/kernel/auth/index.js';
import { approvedSoleTrader } from '../../src/modules/documents/test-kit.js';
import { applyForLicence } from '../../src/modules/payments/test-kit.js';
import { RESIDENCE, RESIDENCE_ANSWERS, submitResidenceApplication } from '../../src/modules/scheduling/test-kit.js';
import type { SecurityApp } from './harness.js';

/**
 * The states that show the forms a plain walk never meets (issue 9), arranged through the modules'
 * services as people and staff would reach them: a case where more information was requested, a
 * booked appointment, a fee due, a fee paid and one refunded, a low rating with an open follow-up and one whose
 * follow-up was answered, a consent given, a prefilled and completed draft, a question about a
 * use of one's data, a report of wrong registry data. The walk starts from `seeds` and requests
 * every `:id` page with each of `ids`.
 */
export interface ArrangedStates {
  /** The citizen's residence draft: every page answered and prefilled from the register, not submitted. */
  readonly draft: string;
  /** Application ids whose pages the walk opens (each `:id` route is tried with each). */
  readonly ids: readonly string[];
  /** Pages that need more than an application id (a slot, a payment, a provider's checkout). */
  readonly seeds: readonly string[];
}

const ID_NUMBER = '110101199003072359';
const pdf = (text: string): Buffer => Buffer.from(`%PDF-1.7\n${text}\n%%EOF\n`);

export async function arrangeStates(s: SecurityApp): Promise<ArrangedStates> {
  const { services } = s.built;
  const [citizen, officer, clerk] = [await s.principal('citizen'), await s.principal('officer'), await s.principal('clerk')];
  const people = { citizen, officer };
  const act = (caseId: string, action: string, actor: Principal, reason?: string) =>
    services.workflow.act(undefined, { caseId, action, actor, ...(reason ? { reason } : {}) });

  // Decided cases: one to rate and get a certificate of; one rated low (an open follow-up for the
  // officer); one rated low and answered (the person's "was it resolved?" form).
  const decided = await approvedSoleTrader(s.built, people);
  const openFollowUp = await approvedSoleTrader(s.built, people);
  await services.insights.rateOnline(openFollowUp, citizen, { score: '1', comment: 'Too slow' });
  const answeredFollowUp = await approvedSoleTrader(s.built, people);
  await services.insights.rateOnline(answeredFollowUp, citizen, { score: '2', comment: 'Unclear letter' });
  const followUp = (await services.insights.followUps(officer, 'open')).find((f) => f.caseId === answeredFollowUp);
  if (!followUp) throw new Error('no follow-up for the low rating');
  await services.insights.answer(followUp.id, officer, { answer: 'We rewrote the letter', changes: 'New template' });

  // Submitted residence applications (they have an in-person step): one with an appointment
  // booked (the cancel page, and a confirm page that moves it), one asked for more information.
  const pending = (await submitResidenceApplication(s.built, citizen)).id;
  const booking = await services.scheduling.forPerson(pending, citizen, 'en');
  const [hall] = await services.scheduling.hallsFor(RESIDENCE);
  if (!hall) throw new Error('no hall serves the residence certificate');
  const slots: { day: string; time: string }[] = [];
  for (const { day, free } of await services.scheduling.days(hall, booking)) {
    if (free === 0) continue;
    for (const { time, free: left } of await services.scheduling.times(hall, booking, day)) if (left > 0) slots.push({ day, time });
    if (slots.length >= 2) break;
  }
  const [first, second] = slots;
  if (!first || !second) throw new Error('no two free slots to book and move to');
  await services.scheduling.book(booking, { hallId: hall.id, ...first }, { actor: { kind: 'person', id: citizen.accountId }, locale: 'en' }, 'book');
  const asked = (await submitResidenceApplication(s.built, citizen)).id;
  await act(asked, 'claim', officer);
  await act(asked, 'request_info', officer, 'Please send the lease contract');

  // Fees: one due (pay online, pay at the counter, the test provider's checkout), one paid at the counter (refund).
  const due = await applyForLicence(s.built, citizen, ID_NUMBER);
  const checkout = await services.payments.startOnline(due.id, citizen, randomUUID());
  const paid = await applyForLicence(s.built, citizen, ID_NUMBER, 'C2');
  await services.payments.recordAtCounter(clerk, { reference: paid.reference, method: 'cash', payerName: '张伟', key: randomUUID() });
  // And one paid and refunded, so the refunds the forms store are never an empty table to check.
  const refunded = await applyForLicence(s.built, citizen, ID_NUMBER);
  await services.payments.recordAtCounter(clerk, { reference: refunded.reference, method: 'card', payerName: '张伟', key: randomUUID() });
  const [payment] = (await services.payments.forStaff(refunded.id, officer, 'Arranging a refund for the form fuzzing'))?.payments ?? [];
  if (!payment) throw new Error('no payment to refund');
  await services.payments.refund(officer, { paymentId: payment.id, reason: 'Paid twice', key: randomUUID() });

  // The draft last (starting a service again resumes the person's open draft): prefilled from the
  // population register (a consent given, the "report wrong information" page), every page answered.
  const started = await services.applications.startOnline(RESIDENCE, citizen, 'en');
  const draft = started.id;
  await services.applications.decidePrefill(draft, citizen, { choice: 'prefill', locale: 'en' });
  for (const [page, answers] of Object.entries(RESIDENCE_ANSWERS)) {
    const result = await services.applications.savePage(draft, citizen, page, answers, []);
    if (result.errors.length > 0) throw new Error(`page ${page}: ${JSON.stringify(result.errors)}`);
  }
  await services.applications.savePage(draft, citizen, 'documents', {}, [
    { fieldId: 'address_registration', filename: 'registration.pdf', claimedType: 'application/pdf', content: pdf('registration'), truncated: false },
    { fieldId: 'basis_proof', filename: 'contract.pdf', claimedType: 'application/pdf', content: pdf('contract'), truncated: false },
  ]);

  // A question about a use of the person's data (the answer form), a report of wrong registry data (the resolve form).
  const used = (await services.privacy.accesses(citizen, {})).items[0];
  if (!used) throw new Error('no use of the citizen\'s data to ask about');
  await services.privacy.ask(citizen, used.id, 'Why was this read?', { locale: 'en' });
  await services.registries.reportWrongData({
    registry: 'population', idNumber: ID_NUMBER, items: ['householdAddress'], description: 'My household address changed', reporter: { accountId: citizen.accountId },
  });

  return {
    draft,
    ids: [decided, openFollowUp, answeredFollowUp, pending, asked, due.id, paid.id, draft],
    seeds: [
      `/applications/${pending}/appointment/confirm?hall=${encodeURIComponent(hall.id)}&day=${second.day}&time=${encodeURIComponent(second.time)}`,
      new URL(checkout.redirectUrl, 'http://x').pathname,
      `/payments/counter?reference=${encodeURIComponent(due.reference)}`,
      '/account/consent', '/admin/privacy/questions', '/admin/registries/corrections', '/backoffice/follow-ups',
    ],
  };
}
