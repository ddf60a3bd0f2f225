import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createSessionStore, SESSIONS_PATH, type Principal } from '../../src/kernel/auth/index.js';
import { disableClient, registerClient } from '../../src/kernel/auth/machine/index.js';
import { approvedSoleTrader } from '../../src/modules/documents/test-kit.js';
import { makeCertificate } from '../../src/modules/mediator/test-tls.js';
import { changeClientHref, editClientHref } from '../../src/modules/identity/index.js';
import { removeKeyHref } from '../../src/modules/mediator/pages-registry.js';
import { exchangeHref } from '../../src/modules/mediator/pages-exchanges.js';
import { cancelSubscriptionHref, deleteTypeHref } from '../../src/modules/mediator/pages-pubsub.js';
import { tokenFor } from '../../src/modules/mediator/test-kit.js';
import { applyForLicence } from '../../src/modules/payments/test-kit.js';
import { RESIDENCE, RESIDENCE_ANSWERS, submitResidenceApplication } from '../../src/modules/scheduling/test-kit.js';
import type { SecurityApp } from './harness.js';

/**
 * The states that show the forms a plain walk never meets (issue 9), arranged through the modules'
 * services as people and staff would reach them: a case where more information was requested, one
 * waiting for the counter's visit (the clerk's step), a booked appointment, a fee due, a fee paid and one refunded, a low rating with an open follow-up and one whose
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

/** The citizen's residence draft, prefilled from the population register (a consent given), every page answered. */
async function arrangeDraft(s: SecurityApp): Promise<string> {
  const { services } = s.built;
  const citizen = await s.principal('citizen');
  const started = await services.applications.startOnline(RESIDENCE, citizen, 'en');
  // The consent the prefill rests on, given again when the fuzzing of the consent page withdrew it.
  const { agreement } = await services.applications.prefillPlan(started.id, citizen);
  const idNumber = await services.consent.idNumberOf(citizen.accountId);
  const state = agreement && idNumber ? (await services.consent.forPerson(idNumber)).find((l) => l.agreement.id === agreement.id)?.state : undefined;
  if (agreement && idNumber && state === 'withdrawn') {
    await services.consent.give({ agreementId: agreement.id, idNumber, accountId: citizen.accountId, channel: 'online', actor: { kind: 'person', id: citizen.accountId } });
  }
  const prefilled = await services.applications.decidePrefill(started.id, citizen, { choice: 'prefill', locale: 'en' });
  if (prefilled.outcome !== 'filled') throw new Error(`the draft was not prefilled: ${prefilled.outcome}`);
  for (const [page, answers] of Object.entries(RESIDENCE_ANSWERS)) {
    const result = await services.applications.savePage(started.id, citizen, page, answers, []);
    if (result.errors.length > 0) throw new Error(`page ${page}: ${JSON.stringify(result.errors)}`);
  }
  await services.applications.savePage(started.id, citizen, 'documents', {}, [
    { fieldId: 'address_registration', filename: 'registration.pdf', claimedType: 'application/pdf', content: pdf('registration'), truncated: false },
    { fieldId: 'basis_proof', filename: 'contract.pdf', claimedType: 'application/pdf', content: pdf('contract'), truncated: false },
  ]);
  return started.id;
}

/** An appointment booked for a submitted residence application; `second` is another free slot to move it to. */
async function arrangeBooking(s: SecurityApp, applicationId: string): Promise<{ hall: { id: string }; second: { day: string; time: string } }> {
  const { services } = s.built;
  const citizen = await s.principal('citizen');
  const booking = await services.scheduling.forPerson(applicationId, citizen, 'en');
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
  return { hall, second };
}

/**
 * As if the person of `role` had just entered their credentials again: the forms that ask for a
 * recent sign-in (ending sessions, changing API clients or the mediator registry; ADR 50, 52) are shown to the fuzzing browser
 * however long the run has taken.
 */
async function signedInAgain(s: SecurityApp, role: 'citizen' | 'agencyAdmin' | 'platformAdmin'): Promise<void> {
  const { db, now } = s.built.kernel;
  await sql`update kernel_session set authenticated_at = ${now()} where account_id = ${(await s.principal(role)).accountId}`.execute(db);
}

/**
 * An exchange whose bodies the mediator kept, so its record offers the platform administrator the
 * form that decrypts them: a service with "keep bodies" on, answered by the demo population
 * provider, which is a route of the app itself, now also listening on loopback (the mediator
 * forwards over real HTTP; the harness's close stops it). Made once; its page stays valid.
 */
const keptExchanges = new WeakMap<SecurityApp['built'], Promise<string>>();
function exchangeWithBodies(s: SecurityApp): Promise<string> {
  const made = keptExchanges.get(s.built);
  if (made) return made;
  const making = (async () => {
    const { mediator } = s.built.services;
    const fuzzAdmin = { actor: { kind: 'system', id: 'security-fuzz' }, may: () => true } as const;
    const address = await s.built.app.listen({ host: '127.0.0.1', port: 0 });
    await mediator.saveService({ subsystemId: 'CN/GOV/110000-PSB/population', code: 'fuzz-kept', name: 'Kept bodies', baseUrl: `${address}/demo-providers/psb/population`, storeBodies: true }, fuzzAdmin);
    await mediator.addSubsystem({ memberId: 'CN/GOV/110000-CAB', code: 'fuzz-reader', name: 'Fuzz reader', clientId: 'fuzz-reader' }, fuzzAdmin);
    await mediator.grant({ serviceId: 'CN/GOV/110000-PSB/population/fuzz-kept', clientId: 'CN/GOV/110000-CAB/fuzz-reader', method: 'GET', path: '/persons/*' }, fuzzAdmin);
    const token = await tokenFor(s.built, 'fuzz-reader', 'CN/GOV/110000-CAB/fuzz-reader');
    const answer = await s.built.app.inject({
      method: 'GET', url: `/r1/CN/GOV/110000-PSB/population/fuzz-kept/persons/${ID_NUMBER}`,
      headers: { authorization: `Bearer ${token}`, 'information-mediator-client': 'CN/GOV/110000-CAB/fuzz-reader' },
    });
    if (answer.statusCode !== 200) throw new Error(`the exchange to keep failed: ${answer.statusCode} ${answer.body}`);
    return exchangeHref(String(answer.headers['x-road-id']));
  })();
  keptExchanges.set(s.built, making);
  return making;
}

/** The civil affairs system subscribed (by the PubSub API) to its room's marriage events: the cancel form's page. */
async function subscribedToMarriages(s: SecurityApp): Promise<string> {
  const client = 'CN/GOV/110000-CAB/civil-system';
  const headers = { authorization: `Bearer ${await tokenFor(s.built, 'demo-110000-cab-civil-system', client)}`, 'information-mediator-client': client };
  const url = `/r1/${client}/api/v1/subs/marriageRegistered`;
  const added = await s.built.app.inject({ method: 'POST', url, headers, payload: { delivery: 'PULL' } });
  if (added.statusCode !== 200 && added.statusCode !== 409) throw new Error(`no subscription to cancel: ${added.statusCode} ${added.body}`);
  const { subscriptions } = await s.built.services.mediator.pubsub.overview({ may: () => true, everything: true });
  const subscription = subscriptions.find((x) => x.subscriber === client && x.event_type === 'marriageRegistered');
  if (!subscription) throw new Error('the subscription is not listed');
  return cancelSubscriptionHref(subscription.id);
}

/** The citizen signed in somewhere else too, and recently here: `/account/sessions` then offers both sign-out forms. */
async function anotherSignIn(s: SecurityApp): Promise<string> {
  const { db, now } = s.built.kernel;
  await createSessionStore(db, now).create({ accountId: (await s.principal('citizen')).accountId, issuer: 'security-fuzz', idToken: undefined, authenticatedAt: now() });
  await signedInAgain(s, 'citizen');
  return SESSIONS_PATH;
}

/** A residence case waiting for the in-person visit, the clerk's step, and the clerk a clerk of its agency (the PSB): its page's id. */
async function awaitingVisit(s: SecurityApp): Promise<string> {
  const { services } = s.built;
  await services.identity.grantRole((await s.principal('clerk')).accountId, '110000-PSB', 'clerk');
  const { id } = await submitResidenceApplication(s.built, await s.principal('citizen'));
  for (const action of ['claim', 'request_visit']) await services.workflow.act(undefined, { caseId: id, action, actor: await s.principal('officer') });
  return id;
}

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
  const { hall, second } = await arrangeBooking(s, pending);
  const asked = (await submitResidenceApplication(s.built, citizen)).id;
  await act(asked, 'claim', officer);
  await act(asked, 'request_info', officer, 'Please send the lease contract');
  // An internal note on it, so the stored-notes rule is always tried on a real row (the fuzzed
  // posts write notes only when a generated text happens to be valid).
  await services.workflow.addNote(asked, officer, 'Asked for the lease contract by phone too');
  // One the officer sent to the counter for the visit, whose step the clerk (made a clerk of the
  // Public Security Bureau too, as in a one-stop hall) records at `/counter/visits/:id`.
  const visit = await awaitingVisit(s);

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
  const draft = await arrangeDraft(s);

  // A question about a use of the person's data (the answer form), a report of wrong registry data (the resolve form).
  const used = (await services.privacy.accesses(citizen, {})).items[0];
  if (!used) throw new Error('no use of the citizen\'s data to ask about');
  await services.privacy.ask(citizen, used.id, 'Why was this read?', { locale: 'en' });
  await services.registries.reportWrongData({
    registry: 'population', idNumber: ID_NUMBER, items: ['householdAddress'], description: 'My household address changed', reporter: { accountId: citizen.accountId },
  });

  // A mediator client certificate and two access-token keys, so the registry page links to their remove forms.
  const fuzzAdmin = { actor: { kind: 'system', id: 'security-fuzz' }, may: () => true } as const;
  await services.mediator.addCertificate({ subsystemId: 'CN/GOV/110000-PSB/population', pem: makeCertificate('fuzz.psb.example.cn').cert }, fuzzAdmin);
  for (const kid of ['fuzz-key-1', 'fuzz-key-2']) await services.mediator.addClientKey({ subsystemId: 'CN/GOV/110000-PSB/population', key: publicJwk(kid) }, fuzzAdmin);
  // A disabled API client, so the platform administrator's list links to an enable form too.
  await registerClient(s.built.kernel.db, { clientId: 'fuzz-disabled-system', name: 'Disabled system', organisation: '110000-CAB', scopes: ['registries:read'], keys: [publicJwk('fuzz-disabled-key')] });
  await disableClient(s.built.kernel.db, 'fuzz-disabled-system');
  await anotherSignIn(s);
  await signedInAgain(s, 'platformAdmin');
  await signedInAgain(s, 'agencyAdmin');

  return {
    draft,
    ids: [decided, openFollowUp, answeredFollowUp, pending, asked, due.id, paid.id, draft],
    seeds: [
      confirmPage(pending, hall.id, second),
      new URL(checkout.redirectUrl, 'http://x').pathname,
      `/payments/counter?reference=${encodeURIComponent(due.reference)}`, `/counter/visits/${visit}`,
      '/account/consent', '/admin/privacy/questions', '/admin/registries/corrections', '/backoffice/follow-ups', '/admin/api-clients', SESSIONS_PATH,
      await exchangeWithBodies(s),
      await subscribedToMarriages(s),
    ],
  };
}

/**
 * How to arrange a fresh state for a form that uses its state up (issue 9): by the form's route,
 * the arrangement through the services and the page that then shows the form. The form fuzzing
 * calls it when a family's page no longer shows its form (a draft submitted, an appointment
 * cancelled, a fee paid, a case decided...), or when `live` says the state is gone although the
 * page still shows the form (a consent withdrawn again), so later runs meet a live form.
 */
export interface Arranger {
  arrange(): Promise<string>;
  live?(url: string): Promise<boolean>;
}

export function arrangers(s: SecurityApp): Readonly<Record<string, Arranger>> {
  const { services } = s.built;
  const people = async () => ({ citizen: await s.principal('citizen'), officer: await s.principal('officer') });
  const act = async (caseId: string, action: string, reason?: string) =>
    services.workflow.act(undefined, { caseId, action, actor: await s.principal('officer'), ...(reason ? { reason } : {}) });
  const submitted = async () => (await submitResidenceApplication(s.built, await s.principal('citizen'))).id;
  const lowRated = async () => {
    const id = await approvedSoleTrader(s.built, await people());
    await services.insights.rateOnline(id, await s.principal('citizen'), { score: '1', comment: 'Too slow' });
    const followUp = (await services.insights.followUps(await s.principal('officer'), 'open')).find((f) => f.caseId === id);
    if (!followUp) throw new Error('no follow-up for the low rating');
    return { id, followUp: followUp.id };
  };
  const paidAtCounter = async () => {
    const fee = await applyForLicence(s.built, await s.principal('citizen'), ID_NUMBER);
    await services.payments.recordAtCounter(await s.principal('clerk'), { reference: fee.reference, method: 'cash', payerName: '张伟', key: randomUUID() });
    const [payment] = (await services.payments.forStaff(fee.id, await s.principal('officer'), 'Arranging a refund for the form fuzzing'))?.payments ?? [];
    if (!payment) throw new Error('no payment to refund');
    return payment.id;
  };
  const person = async () => {
    const citizen = await s.principal('citizen');
    const idNumber = await services.consent.idNumberOf(citizen.accountId);
    if (!idNumber) throw new Error('the citizen has no ID number');
    return { idNumber, accountId: citizen.accountId, channel: 'online' as const, actor: { kind: 'person' as const, id: citizen.accountId } };
  };
  const agreementOf = (url: string) => decodeURIComponent(/\/account\/consent\/([^/]+)\//.exec(url)?.[1] ?? '');
  // Arranging a registry form refreshes the administrators' sign-ins, which its page asks for (ADR 52).
  const admin = async () => {
    await signedInAgain(s, 'agencyAdmin');
    await signedInAgain(s, 'platformAdmin');
    const agencyAdmin = await s.principal('agencyAdmin');
    return { actor: { kind: 'person' as const, id: agencyAdmin.accountId }, may: () => true };
  };
  let made = 0;
  const fuzzClient = async () => {
    await signedInAgain(s, 'platformAdmin');
    made += 1;
    const clientId = `fuzz-system-${made}-${randomUUID().slice(0, 8)}`;
    await registerClient(s.built.kernel.db, { clientId, name: `Fuzz system ${made}`, organisation: '110000-CAB', scopes: ['registries:read'], keys: [publicJwk(`${clientId}-key`)] });
    return clientId;
  };
  let booked: string | undefined;
  // Starting a service resumes the person's open draft, which the fuzzing may have left without a
  // prefill (the report form's state): it is submitted first, so the draft arranged is a new one.
  const draftPage = (path: string) => ({
    async arrange() {
      await submitResidenceApplication(s.built, await s.principal('citizen'));
      return `/applications/${await arrangeDraft(s)}${path}`;
    },
  });
  return {
    '/applications/:id/pages/:pageId': draftPage('/pages/you'),
    '/applications/:id/documents': draftPage('/documents'),
    '/applications/:id/submit': draftPage('/check'),
    '/applications/:id/prefill': draftPage('/prefill'),
    '/applications/:id/prefill/report': draftPage('/prefill/report'),
    '/applications/:id/appointment': {
      async arrange() {
        // The appointment arranged last time is cancelled, so a long run does not fill the hall's
        // slots (unless it is gone already: a refusal to cancel it is no concern here).
        if (booked) {
          const citizen = await s.principal('citizen');
          const last = booked;
          await services.scheduling.forPerson(last, citizen, 'en')
            .then((context) => services.scheduling.cancel(context, { actor: { kind: 'person', id: citizen.accountId }, locale: 'en' }))
            .catch(() => undefined);
        }
        const id = await submitted();
        booked = id;
        const { hall, second } = await arrangeBooking(s, id);
        return confirmPage(id, hall.id, second);
      },
    },
    '/applications/:id/appointment/cancel': {
      async arrange() {
        const id = await submitted();
        await arrangeBooking(s, id);
        return `/applications/${id}/appointment/cancel`;
      },
    },
    '/applications/:id/withdraw': { arrange: async () => `/applications/${await submitted()}/withdraw` },
    '/backoffice/cases/:id/act': { arrange: async () => `/backoffice/cases/${await submitted()}` },
    '/counter/visits/:id': { arrange: async () => `/counter/visits/${await awaitingVisit(s)}` },
    '/applications/:id/answer': {
      async arrange() {
        const id = await submitted();
        await act(id, 'claim');
        await act(id, 'request_info', 'Please send the lease contract');
        return `/applications/${id}`;
      },
    },
    '/applications/:id/rating': { arrange: async () => `/applications/${await approvedSoleTrader(s.built, await people())}/rating` },
    '/backoffice/follow-ups/:id': { arrange: async () => `/backoffice/follow-ups/${(await lowRated()).followUp}` },
    '/applications/:id/rating/response': {
      async arrange() {
        const { id, followUp } = await lowRated();
        await services.insights.answer(followUp, await s.principal('officer'), { answer: 'We rewrote the letter', changes: 'New template' });
        return `/applications/${id}/rating`;
      },
    },
    '/backoffice/certificates/:id/revoke': {
      async arrange() {
        const id = await approvedSoleTrader(s.built, await people());
        const certificate = await services.documents.forApplication(id);
        if (!certificate) throw new Error('no certificate for the approved application');
        return `/backoffice/certificates/${certificate.id}/revoke`;
      },
    },
    '/payments/applications/:id/pay': { arrange: async () => `/payments/applications/${(await applyForLicence(s.built, await s.principal('citizen'), ID_NUMBER)).id}` },
    '/payments/test-provider/checkout/:ref': {
      async arrange() {
        const citizen = await s.principal('citizen');
        const due = await applyForLicence(s.built, citizen, ID_NUMBER);
        return new URL((await services.payments.startOnline(due.id, citizen, randomUUID())).redirectUrl, 'http://x').pathname;
      },
    },
    '/payments/counter': { arrange: async () => `/payments/counter?reference=${encodeURIComponent((await applyForLicence(s.built, await s.principal('citizen'), ID_NUMBER)).reference)}` },
    '/payments/refunds/:paymentId': { arrange: async () => `/payments/refunds/${await paidAtCounter()}` },
    '/admin/privacy/questions/:id/answer': {
      async arrange() {
        const citizen = await s.principal('citizen');
        const used = (await services.privacy.accesses(citizen, {})).items[0];
        if (!used) throw new Error('no use of the citizen\'s data to ask about');
        await services.privacy.ask(citizen, used.id, 'Why was this read?', { locale: 'en' });
        return '/admin/privacy/questions';
      },
    },
    '/admin/registries/corrections/:id/resolve': {
      async arrange() {
        const { taskId } = await services.registries.reportWrongData({
          registry: 'population', idNumber: ID_NUMBER, items: ['householdAddress'], description: 'My household address changed', reporter: { accountId: (await s.principal('citizen')).accountId },
        });
        return `/admin/registries/corrections/${taskId}/resolve`;
      },
    },
    // The consent page shows a give form for each agreement the person has not consented to: all given, all withdrawn again.
    '/account/consent/:id/give': {
      async arrange() {
        const who = await person();
        for (const line of await services.consent.forPerson(who.idNumber)) {
          if (line.state === 'given') await services.consent.withdraw({ ...who, agreementId: line.agreement.id });
        }
        return '/account/consent';
      },
    },
    // The withdraw page shows its form whatever the state: the state is live while the consent is given.
    '/account/consent/:id/withdraw': {
      async live(url) {
        const who = await person();
        return (await services.consent.forPerson(who.idNumber)).some((line) => line.agreement.id === agreementOf(url) && line.state === 'given');
      },
      async arrange() {
        const [line] = (await services.consent.forPerson((await person()).idNumber)).filter((l) => l.agreement.needsConsent && l.agreement.active);
        if (!line) throw new Error('no agreement to give consent under');
        await services.consent.give({ ...(await person()), agreementId: line.agreement.id });
        return `/account/consent/${encodeURIComponent(line.agreement.id)}/withdraw`;
      },
    },
    '/admin/consent/:id/retire': {
      async arrange() {
        const template = await services.consent.latest('population-persons');
        if (!template) throw new Error('no population-persons agreement to copy');
        made += 1;
        const id = `fuzz-retire-${made}-${randomUUID().slice(0, 8)}`;
        await services.consent.saveAgreement({ ...template, id }, await admin(), { create: true });
        return `/admin/consent/${id}/retire`;
      },
    },
    '/admin/mediator/registry/rights/:id/revoke': {
      async arrange() {
        made += 1;
        const right = await services.mediator.grant({ serviceId: 'CN/GOV/110000-PSB/population/persons', clientId: 'CN/GOV/110000-CAB/civil-system', method: 'GET', path: `/fuzz-${made}-${randomUUID().slice(0, 8)}/*` }, await admin());
        return `/admin/mediator/registry/rights/${right.id}/revoke`;
      },
    },
    // A fresh event type in the population system's room each time: deleting one uses it up.
    '/admin/mediator/pubsub/types/delete': {
      async arrange() {
        made += 1;
        const type = await services.mediator.pubsub.defineEventTypeAs('CN/GOV/110000-PSB/population', { eventType: `fuzz-${made}-${randomUUID().slice(0, 8)}`, schema: {} }, await admin());
        return deleteTypeHref(type);
      },
    },
    // The civil affairs system subscribes to its own room's marriage events again: cancelling uses it up.
    '/admin/mediator/pubsub/subscriptions/:id/cancel': {
      async arrange() {
        await admin();
        return subscribedToMarriages(s);
      },
    },
    '/admin/mediator/registry/keys/remove': {
      async arrange() {
        made += 1;
        const key = await services.mediator.addClientKey({ subsystemId: 'CN/GOV/110000-PSB/population', key: publicJwk(`fuzz-${made}-${randomUUID().slice(0, 8)}`) }, await admin());
        return removeKeyHref(key);
      },
    },
    // A fresh system each time, enabled (or disabled) as its form needs: a used-up form is arranged anew.
    '/admin/api-clients/:clientId/disable': { arrange: async () => changeClientHref(await fuzzClient(), 'disable') },
    '/account/sessions/end': { arrange: () => anotherSignIn(s) },
    // The form is shown while the administrator's sign-in is recent (a long run outlasts ten minutes).
    '/admin/mediator/exchanges/:messageId/bodies': {
      async arrange() {
        await signedInAgain(s, 'platformAdmin');
        return exchangeWithBodies(s);
      },
    },
    '/account/sessions/end-others': { arrange: () => anotherSignIn(s) },
    '/admin/api-clients/:clientId/edit': { arrange: async () => editClientHref(await fuzzClient()) },
    '/admin/api-clients/:clientId/enable': {
      async arrange() {
        const clientId = await fuzzClient();
        await disableClient(s.built.kernel.db, clientId);
        return changeClientHref(clientId, 'enable');
      },
    },
    '/admin/mediator/registry/certificates/:sha256/remove': {
      async arrange() {
        made += 1;
        const certificate = await services.mediator.addCertificate({ subsystemId: 'CN/GOV/110000-PSB/population', pem: makeCertificate(`fuzz-${made}.psb.example.cn`).cert }, await admin());
        return `/admin/mediator/registry/certificates/${certificate.sha256}/remove`;
      },
    },
  };
}

/**
 * The GET forms' states: the booking steps (hall, day, time) show their forms for a submitted
 * application that needs an appointment. When the POST fuzzing has withdrawn or decided the one
 * the walk met, the same step (the same query) is opened for a freshly submitted application.
 * Keyed by the route of the form's action; given the page the walk met the form on.
 */
export function getArrangers(s: SecurityApp): Readonly<Record<string, (page: string) => Promise<string>>> {
  const sameStep = async (page: string) => {
    const { id } = await submitResidenceApplication(s.built, await s.principal('citizen'));
    return page.replace(/^\/applications\/[^/?]+/, `/applications/${id}`);
  };
  return { '/applications/:id/appointment/day': sameStep, '/applications/:id/appointment/time': sameStep, '/applications/:id/appointment/confirm': sameStep };
}

function confirmPage(id: string, hall: string, slot: { day: string; time: string }): string {
  return `/applications/${id}/appointment/confirm?hall=${encodeURIComponent(hall)}&day=${slot.day}&time=${encodeURIComponent(slot.time)}`;
}

/** A fresh Ed25519 public JWK with this kid, as a calling system would register it. */
function publicJwk(kid: string): object {
  return { ...generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }), kid };
}
