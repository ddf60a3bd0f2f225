import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clientActor, declareScopes, type MachineClient, requireClientScope } from '../../kernel/auth/machine/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError, type DenialReason } from '../../kernel/http/index.js';
import { idempotentAnswer, type IdempotencyClaim } from '../../kernel/idempotency/index.js';
import { agreementRevision, govAgreement, govRecord, INDIVIDUAL_HEADER, recordRevision, withDates } from './govstack-mapping.js';
import { govstackPurpose } from './purposes.js';
import { GOV } from './govstack-schemas.js';
import { registerGovstackMoreRoutes } from './routes-govstack-more.js';
import type { AgreementAdmin, ConsentRecord, ConsentService, DataAgreement } from './service.js';

export const GOVSTACK_PREFIX = '/govstack/consent';
export const CONSENT_SCOPES = { config: 'consent:config', service: 'consent:service', audit: 'consent:audit' } as const;
declareScopes({
  [CONSENT_SCOPES.config]: { en: 'Consent: manage its agency\'s data agreements', 'zh-CN': '同意管理：管理本单位的数据协议' },
  [CONSENT_SCOPES.service]: { en: 'Consent: record and verify people\'s consent under its agency\'s agreements', 'zh-CN': '同意管理：按本单位协议记录和核验个人同意' },
  [CONSENT_SCOPES.audit]: { en: 'Consent: read every consent record, for audit', 'zh-CN': '同意管理：为审计查看全部同意记录' },
});

/**
 * The GovStack Consent BB API for other agencies' systems (Bearer tokens from /oauth/token):
 * `consent:config` manages the caller's own agency's agreements, `consent:service` records and
 * verifies consent under them, `consent:audit` reads everything. See README for what is offered.
 */
export function registerGovstackRoutes(scope: FastifyInstance, deps: { kernel: Pick<Kernel, 'audit' | 'db' | 'config' | 'now'>; consent: ConsentService }): void {
  const { kernel, consent } = deps;
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const guard = (s: keyof typeof CONSENT_SCOPES) => ({ preHandler: requireClientScope(CONSENT_SCOPES[s]) });
  const client = (request: FastifyRequest): MachineClient => request.client!;
  const agencyOf = (request: FastifyRequest) => client(request).organisation.split('/')[2] ?? '';
  const admin = (request: FastifyRequest): AgreementAdmin => ({
    actor: clientActor(client(request)), may: (agency) => agency === agencyOf(request), requestId: request.id,
  });
  const actor = (request: FastifyRequest) => admin(request).actor;
  /**
   * Every write of this API takes an Idempotency-Key (ADR 31): `run` passes the claim to the one
   * service transaction that writes, `render` makes the 200 answer of its result (as kept: see
   * withDates). The individual named in the header is part of the request a key is bound to.
   */
  const keyed = <R>(request: FastifyRequest, reply: FastifyReply, run: (idempotency: IdempotencyClaim | undefined) => Promise<R>, render: (result: R) => Promise<unknown>) =>
    idempotentAnswer(kernel, request, reply, run, async (result: R) => ({ status: 200, body: await render(withDates(result)) }), { also: { individual: request.headers[INDIVIDUAL_HEADER] ?? null } });

  const names = async () => new Map((await consent.agencies()).map((a) => [a.code, a]));
  const agreementOut = async (request: FastifyRequest, a: DataAgreement) => {
    const agency = (await names()).get(a.controller);
    return govAgreement(a, request.locale, { name: agency?.name[request.locale] ?? a.controller, url: agency?.contact.website ?? kernel.config.publicUrl });
  };
  const recordOut = async (request: FastifyRequest, r: ConsentRecord) => {
    const current = await consent.latest(r.agreementId);
    return govRecord(r, current ? await agreementOut(request, current) : undefined, await consent.agreementVersion(r.agreementId, r.agreementVersion), await consent.signatureOf(r.id));
  };
  const notFound = (id: string, denied?: DenialReason) => new TongbanError('TB_CONSENT_AGREEMENT_NOT_FOUND', { detail: `No data agreement ${id}`, ...(denied ? { denied } : {}) });
  /** The caller's agency's agreement; with `revisionId`, only while that revision is the current one. */
  const own = async (request: FastifyRequest, id: string, revisionId?: string): Promise<DataAgreement> => {
    const a = await consent.latest(id);
    if (!a) throw notFound(id);
    if (a.controller !== agencyOf(request)) throw notFound(id, 'other-agency');
    // A consent is given to the agreement as it reads now: a client quoting an older revision was showing the person other terms.
    if (revisionId !== undefined && revisionId !== agreementRevision(a).id) {
      throw new TongbanError('TB_CONSENT_REVISION_OUTDATED', { detail: `${revisionId} is not the current revision of ${id}: ${agreementRevision(a).id}`, fields: [{ pointer: '/querystring/revisionId', message: 'consent.error.revisionOutdated', detail: 'not the current revision' }] });
    }
    return a;
  };
  const page = (q: { offset?: number; limit?: number }) => ({ offset: q.offset ?? 0, limit: q.limit ?? 50 });
  const individual = (request: FastifyRequest): string => {
    const value = request.headers[INDIVIDUAL_HEADER];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new TongbanError('TB_CONSENT_INDIVIDUAL_MISSING', { fields: [{ pointer: `/headers/${INDIVIDUAL_HEADER}`, message: 'consent.error.individualMissing', detail: 'required' }] });
    }
    return value.trim().toUpperCase();
  };
  /** Reading consent records is reading personal data: one audit record per person shown. */
  const audited = async (request: FastifyRequest, records: readonly ConsentRecord[]) => {
    for (const idNumber of new Set(records.map((r) => r.idNumber))) {
      const subject = records.find((r) => r.idNumber === idNumber && r.accountId)?.accountId ?? (await consent.accountOf(idNumber));
      await kernel.audit.append(kernel.db, {
        actor: actor(request), action: 'consent.record.read', ...(subject ? { subject } : {}), requestId: request.id,
        purpose: govstackPurpose(String(request.routeOptions.schema?.operationId ?? request.url)),
        details: { agreements: [...new Set(records.filter((r) => r.idNumber === idNumber).map((r) => r.agreementId))] },
      });
    }
  };
  const input = (body: { dataAgreement: { id?: string; lawfulBasis: string; tongban?: { purpose: DataAgreement['purpose']; legalBasis: DataAgreement['legalBasis']; items: string[]; retention: DataAgreement['retention']; consentDays?: number | null } } }, id: string, request: FastifyRequest) => {
    const t = body.dataAgreement.tongban;
    if (!t) throw new TongbanError('TB_CONSENT_AGREEMENT_INVALID', { detail: 'Tongban needs dataAgreement.tongban: purpose and legal basis in zh-CN and en, items, retention', fields: [{ pointer: '/dataAgreement/tongban', message: 'consent.error.agreementInvalid', detail: 'required' }] });
    return { id, controller: agencyOf(request), lawfulBasis: body.dataAgreement.lawfulBasis as DataAgreement['lawfulBasis'], purpose: t.purpose, legalBasis: t.legalBasis, items: t.items, retention: t.retention, consentDays: t.consentDays ?? undefined };
  };

  /**
   * A kept result is JSON from jsonb, whose objects come back in another key order: an agreement
   * is read again by id and version, so its answer (and the revision hash over it) is the first one.
   */
  const stored = async (a: DataAgreement): Promise<DataAgreement> => (await consent.agreementVersion(a.id, a.version)) ?? a;
  const agreementAnswer = (request: FastifyRequest) => async (kept: DataAgreement) => {
    const a = await stored(kept);
    return { dataAgreement: await agreementOut(request, a), revision: agreementRevision(a) };
  };

  // config: the caller's own agency's agreements
  app.post('/config/data-agreement/', { ...guard('config'), schema: GOV.createAgreement }, (request, reply) => keyed(request, reply,
    (idempotency) => consent.saveAgreement(input(request.body, request.body.dataAgreement.id ?? '', request), admin(request), { create: true, idempotency }), agreementAnswer(request)));
  app.get('/config/data-agreement/:dataAgreementId/', { ...guard('config'), schema: GOV.readAgreement('configDataAgreementRead') }, async (request) => {
    const a = await own(request, request.params.dataAgreementId);
    return { dataAgreement: await agreementOut(request, a), revision: agreementRevision(a) };
  });
  app.put('/config/data-agreement/:dataAgreementId/', { ...guard('config'), schema: GOV.updateAgreement }, (request, reply) => keyed(request, reply, async (idempotency) => {
    await own(request, request.params.dataAgreementId);
    return consent.saveAgreement(input(request.body, request.params.dataAgreementId, request), admin(request), { idempotency });
  }, agreementAnswer(request)));
  app.delete('/config/data-agreement/:dataAgreementId/', { ...guard('config'), schema: GOV.deleteAgreement }, (request, reply) => keyed(request, reply, async (idempotency) => {
    await own(request, request.params.dataAgreementId);
    return consent.retireAgreement(request.params.dataAgreementId, admin(request), { idempotency });
  }, async (retired) => ({ revision: agreementRevision(await stored(retired)) })));
  app.get('/config/data-agreements/', { ...guard('config'), schema: GOV.list('configDataAgreementList') }, async (request) => {
    const { offset, limit } = page(request.query);
    const mine = (await consent.listAgreements({ controllers: [agencyOf(request)], includeRetired: true })).slice(offset, offset + limit);
    return { dataAgreement: await Promise.all(mine.map((a) => agreementOut(request, a))) };
  });

  // service: reading agreements (public information) and recording and verifying consent
  app.get('/service/data-agreement/:dataAgreementId/', { ...guard('service'), schema: GOV.readAgreement('serviceDataAgreementRead') }, async (request) => {
    const a = await consent.agreement(request.params.dataAgreementId);
    if (!a) throw notFound(request.params.dataAgreementId);
    return { dataAgreement: await agreementOut(request, a), revision: agreementRevision(a) };
  });
  app.get('/service/verification/data-agreements/', { ...guard('service'), schema: GOV.list('serviceVerificationDataAgreementList') }, async (request) => {
    const { offset, limit } = page(request.query);
    const all = (await consent.listAgreements()).slice(offset, offset + limit);
    return { dataAgreements: await Promise.all(all.map((a) => agreementOut(request, a))) };
  });
  app.get('/service/verification/consent-records/', { ...guard('service'), schema: GOV.verifyRecords }, async (request) => {
    const { offset, limit } = page(request.query);
    // The person is chosen in the query, before the page is cut: one person among thousands is found.
    const records = await consent.currentRecords({
      controllers: [agencyOf(request)], offset, limit,
      ...(request.query.dataAgreementId ? { agreementId: request.query.dataAgreementId } : {}),
      ...(request.query.individualId === undefined ? {} : { idNumber: request.query.individualId.toUpperCase() }),
    });
    await audited(request, records);
    return { consentRecords: await Promise.all(records.map((r) => recordOut(request, r))) };
  });
  const ownRecord = async (request: FastifyRequest, id: string): Promise<ConsentRecord> => {
    const r = await consent.recordById(id);
    const a = r ? await consent.latest(r.agreementId) : undefined;
    if (!r || a?.controller !== agencyOf(request)) throw new TongbanError('TB_CONSENT_RECORD_NOT_FOUND', { detail: `No consent record ${id} under your agency's agreements`, ...(r ? { denied: 'other-agency' as const } : {}) });
    return r;
  };
  app.get('/service/verification/consent-record/:consentRecordId/', { ...guard('service'), schema: GOV.readRecord('serviceVerificationConsentRecordRead') }, async (request) => {
    const r = await ownRecord(request, request.params.consentRecordId);
    await audited(request, [r]);
    return { consentRecord: await recordOut(request, r), revision: recordRevision(r) };
  });
  const change = (request: FastifyRequest, agreementId: string, idNumber: string, idempotency: IdempotencyClaim | undefined) => ({ agreementId, idNumber, channel: 'api' as const, actor: actor(request), requestId: request.id, idempotency });
  const recordAnswer = (request: FastifyRequest) => async (r: ConsentRecord) => ({ consentRecord: await recordOut(request, r), revision: recordRevision(r) });
  app.post('/service/individual/record/data-agreement/:dataAgreementId/', { ...guard('service'), schema: GOV.createRecord }, (request, reply) => keyed(request, reply, async (idempotency) => {
    const a = await own(request, request.params.dataAgreementId, request.query.revisionId);
    return consent.give(change(request, a.id, request.query.individualId, idempotency));
  }, recordAnswer(request)));
  app.get('/service/individual/record/data-agreement/:dataAgreementId/', { ...guard('service'), schema: GOV.readAgreement('serviceIndividualConsentRecordRead') }, async (request) => {
    const a = await own(request, request.params.dataAgreementId);
    const [latest] = await consent.history(individual(request), a.id);
    const r = latest ? await consent.recordById(latest.id) : undefined;
    if (!r) throw new TongbanError('TB_CONSENT_RECORD_NOT_FOUND', { detail: `No consent record of this individual under ${a.id}` });
    await audited(request, [r]);
    return { consentRecord: await recordOut(request, r) };
  });
  app.get('/service/individual/record/consent-record/', { ...guard('service'), schema: GOV.list('serviceIndividualConsentRecordList') }, async (request) => {
    const { offset, limit } = page(request.query);
    const idNumber = individual(request);
    const lines = (await consent.forPerson(idNumber)).filter((l) => l.latest && l.agreement.controller === agencyOf(request));
    const records = lines.flatMap((l) => (l.latest ? [l.latest] : [])).slice(offset, offset + limit);
    await audited(request, records);
    return { consentRecords: await Promise.all(records.map((r) => recordOut(request, r))) };
  });
  app.put('/service/individual/record/consent-record/:consentRecordId/', { ...guard('service'), schema: GOV.updateRecord }, (request, reply) => keyed(request, reply, async (idempotency) => {
    const before = await ownRecord(request, request.params.consentRecordId);
    if (before.idNumber !== individual(request)) throw new TongbanError('TB_CONSENT_RECORD_NOT_FOUND', { detail: 'The record is not this individual\'s', denied: 'not-owner' });
    const input = change(request, before.agreementId, before.idNumber, idempotency);
    return request.body.consentRecord.optIn ? consent.give(input) : consent.withdraw(input);
  }, recordAnswer(request)));
  app.get('/service/individual/record/data-agreement/:dataAgreementId/all/', { ...guard('service'), schema: GOV.listFor('serviceIndividualDataAgreementConsentRecordList') }, async (request) => {
    const a = await own(request, request.params.dataAgreementId);
    const { offset, limit } = page(request.query);
    const events = (await consent.history(individual(request), a.id)).slice(offset, offset + limit);
    const records = (await Promise.all(events.map((e) => consent.recordById(e.id)))).filter((r): r is ConsentRecord => r !== undefined);
    await audited(request, records);
    return { consentRecords: await Promise.all(records.map((r) => recordOut(request, r))) };
  });

  // audit: everything, for an external auditing system
  app.get('/audit/consent-records/', { ...guard('audit'), schema: GOV.list('auditConsentRecordList') }, async (request) => {
    const records = await consent.currentRecords(page(request.query));
    await audited(request, records);
    return { consentRecords: await Promise.all(records.map((r) => recordOut(request, r))) };
  });
  app.get('/audit/consent-record/:consentRecordId/', { ...guard('audit'), schema: GOV.readRecord('auditConsentRecordRead') }, async (request) => {
    const r = await consent.recordById(request.params.consentRecordId);
    if (!r) throw new TongbanError('TB_CONSENT_RECORD_NOT_FOUND', { detail: `No consent record ${request.params.consentRecordId}` });
    await audited(request, [r]);
    return { consentRecord: await recordOut(request, r) };
  });
  app.get('/audit/data-agreements/', { ...guard('audit'), schema: GOV.list('auditDataAgreementList') }, async (request) => {
    const { offset, limit } = page(request.query);
    const all = (await consent.listAgreements({ includeRetired: true })).slice(offset, offset + limit);
    return { dataAgreements: await Promise.all(all.map((a) => agreementOut(request, a))) };
  });
  app.get('/audit/data-agreement/:dataAgreementId/', { ...guard('audit'), schema: GOV.readAgreement('auditDataAgreementRead') }, async (request) => {
    const a = await consent.latest(request.params.dataAgreementId);
    if (!a) throw notFound(request.params.dataAgreementId);
    return { dataAgreement: await agreementOut(request, a) };
  });

  // Policies, individuals, webhooks, signatures, drafts and delete-all (ADR 29).
  registerGovstackMoreRoutes(scope, { kernel, consent, guard, agencyOf, actor, individual, own, ownRecord, recordOut, agreementOut: async (request, a) => agreementOut(request, await stored(a)), audited, page, keyed });
}
