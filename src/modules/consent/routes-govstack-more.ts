import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Actor } from '../../kernel/audit/types.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import type { IdempotencyClaim } from '../../kernel/idempotency/index.js';
import { govIndividual, govPolicy, govSignature, govWebhook, INDIVIDUAL_HEADER, policyRevision, recordRevision } from './govstack-mapping.js';
import { govstackPurpose } from './purposes.js';
import { GOV_MORE } from './govstack-schemas.js';
import type { AgencyActor, ConsentRecord, ConsentService, DataAgreement, Individual, Policy, Signature, Webhook } from './service.js';

/** What routes-govstack.ts shares with the operations added by ADR 29. */
export interface GovstackContext {
  readonly kernel: Pick<Kernel, 'config'>;
  readonly consent: ConsentService;
  readonly guard: (scope: 'config' | 'service' | 'audit') => { preHandler: (request: FastifyRequest) => Promise<void> };
  readonly agencyOf: (request: FastifyRequest) => string;
  readonly actor: (request: FastifyRequest) => Actor;
  readonly individual: (request: FastifyRequest) => string;
  readonly own: (request: FastifyRequest, id: string, revisionId?: string) => Promise<DataAgreement>;
  readonly ownRecord: (request: FastifyRequest, id: string) => Promise<ConsentRecord>;
  readonly recordOut: (request: FastifyRequest, r: ConsentRecord) => Promise<unknown>;
  readonly agreementOut: (request: FastifyRequest, a: DataAgreement) => Promise<unknown>;
  readonly audited: (request: FastifyRequest, records: readonly ConsentRecord[]) => Promise<void>;
  readonly page: (q: { offset?: number; limit?: number }) => { offset: number; limit: number };
  /** A write with Idempotency-Key: the claim goes to the service, the 200 answer is made of its result (ADR 31). */
  readonly keyed: <R>(request: FastifyRequest, reply: FastifyReply, run: (idempotency: IdempotencyClaim | undefined) => Promise<R>, render: (result: R) => Promise<unknown>) => Promise<FastifyReply>;
}

/**
 * Policies, individuals, webhooks, signatures, drafts and delete-all of the GovStack Consent API,
 * under the same tokens and scopes as the rest (config: the caller agency's own configuration;
 * service: individuals' records, the client acting for the person named in the header).
 */
export function registerGovstackMoreRoutes(scope: FastifyInstance, ctx: GovstackContext): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { consent, keyed } = ctx;
  const guard = (s: 'config' | 'service') => ({ preHandler: ctx.guard(s).preHandler as preHandlerAsyncHookHandler });
  const by = (request: FastifyRequest, idempotency?: IdempotencyClaim): AgencyActor => ({ actor: ctx.actor(request), agency: ctx.agencyOf(request), requestId: request.id, idempotency });
  const answer = <R, A>(map: (result: R) => A) => (result: R) => Promise.resolve(map(result));
  const policyAnswer = answer((p: Policy) => ({ policy: govPolicy(p), revision: policyRevision(p) }));
  const purpose = (request: FastifyRequest) => govstackPurpose(String(request.routeOptions.schema?.operationId ?? request.url));

  // Policies: versioned; config for the caller agency's own, service reads any current one.
  const policyNotFound = (id: string) => new TongbanError('TB_CONSENT_POLICY_NOT_FOUND', { detail: `No policy ${id}` });
  const versionOf = (id: string, revisionId: string | undefined): number | undefined => {
    if (revisionId === undefined) return undefined;
    const match = /^(.+)\.v(\d{1,9})$/.exec(revisionId);
    if (match?.[1] !== id) throw policyNotFound(`${id} revision ${revisionId}`);
    return Number(match[2]);
  };
  const ownPolicy = async (request: FastifyRequest, id: string, revisionId?: string): Promise<Policy> => {
    const p = await consent.policy(id, versionOf(id, revisionId));
    if (!p || p.controller !== ctx.agencyOf(request)) throw policyNotFound(id);
    return p;
  };
  const policyInput = (body: Static<typeof GOV_MORE.createPolicy.body>, id: string) => {
    const { name, url, jurisdiction, industrySector, dataRetentionPeriodDays, geographicRestriction, storageLocation } = body.policy;
    return { id, name, url, jurisdiction, industrySector, dataRetentionPeriodDays, geographicRestriction, storageLocation };
  };
  app.post('/config/policy/', { ...guard('config'), schema: GOV_MORE.createPolicy }, (request, reply) => keyed(request, reply,
    (idempotency) => consent.savePolicy(policyInput(request.body, request.body.policy.id ?? ''), by(request, idempotency), { create: true }), policyAnswer));
  app.get('/config/policy/:policyId/', { ...guard('config'), schema: GOV_MORE.readPolicy('configPolicyRead') }, async (request) => {
    const p = await ownPolicy(request, request.params.policyId, request.query.revisionId);
    return { policy: govPolicy(p), revision: policyRevision(p) };
  });
  app.put('/config/policy/:policyId/', { ...guard('config'), schema: GOV_MORE.updatePolicy }, (request, reply) => keyed(request, reply, async (idempotency) => {
    await ownPolicy(request, request.params.policyId);
    return consent.savePolicy(policyInput(request.body, request.params.policyId), by(request, idempotency));
  }, policyAnswer));
  app.delete('/config/policy/:policyId/', { ...guard('config'), schema: GOV_MORE.deletePolicy }, (request, reply) => keyed(request, reply, async (idempotency) => {
    await ownPolicy(request, request.params.policyId);
    return consent.deletePolicy(request.params.policyId, by(request, idempotency));
  }, answer((p: Policy) => ({ revision: policyRevision(p) }))));
  app.get('/config/policy/:policyId/revisions/', { ...guard('config'), schema: GOV_MORE.policyRevisions }, async (request) => {
    const p = await ownPolicy(request, request.params.policyId);
    const { offset, limit } = ctx.page(request.query);
    const versions = (await consent.policyVersions(p.id)).slice(offset, offset + limit);
    return { policy: govPolicy(p), revisions: versions.map(policyRevision) };
  });
  app.get('/config/policies/', { ...guard('config'), schema: GOV_MORE.listPolicies }, async (request) => {
    const { revisionId } = request.query;
    if (revisionId !== undefined) {
      const id = revisionId.replace(/\.v\d{1,9}$/, '');
      const p = await consent.policy(id, versionOf(id, revisionId));
      return { policies: p && p.controller === ctx.agencyOf(request) ? [govPolicy(p)] : [] };
    }
    return { policies: (await consent.policies({ controller: ctx.agencyOf(request), ...ctx.page(request.query) })).map(govPolicy) };
  });
  app.get('/service/policy/:policyId/', { ...guard('service'), schema: GOV_MORE.readPolicy('servicePolicyRead') }, async (request) => {
    const version = versionOf(request.params.policyId, request.query.revisionId);
    const p = await consent.policy(request.params.policyId, version);
    if (!p || (version === undefined && !p.active)) throw policyNotFound(request.params.policyId);
    return { policy: govPolicy(p), revision: policyRevision(p) };
  });

  // Individuals: the caller agency's register; the id is the resident ID number.
  const individualAnswer = answer((i: Individual) => ({ individual: govIndividual(i) }));
  const registered = async (request: FastifyRequest, body: Static<typeof GOV_MORE.updateIndividual.body>, idempotency: IdempotencyClaim | undefined) => {
    const { id, externalId, identityProviderId } = body.individual;
    if (id !== undefined && externalId !== undefined && id.toUpperCase() !== externalId.toUpperCase()) {
      throw new TongbanError('TB_CONSENT_INDIVIDUAL_INVALID', { detail: 'id and externalId both name the resident ID number', fields: [{ pointer: '/individual/externalId', message: 'consent.error.individualInvalid', detail: 'differs from id' }] });
    }
    const idNumber = externalId ?? id;
    if (idNumber === undefined) throw new TongbanError('TB_CONSENT_INDIVIDUAL_INVALID', { detail: 'Name the resident ID number in externalId', fields: [{ pointer: '/individual/externalId', message: 'consent.error.individualInvalid', detail: 'required' }] });
    return consent.registerIndividual({ idNumber, identityProviderId }, by(request, idempotency));
  };
  const readIndividual = async (request: FastifyRequest, idNumber: string) => {
    const found = await consent.individual(idNumber, by(request), purpose(request));
    if (!found) throw new TongbanError('TB_CONSENT_INDIVIDUAL_NOT_FOUND', { detail: 'Your agency has no such individual' });
    return { individual: govIndividual(found) };
  };
  const listIndividuals = async (request: FastifyRequest, q: { offset?: number; limit?: number }) =>
    ({ individuals: (await consent.individuals(ctx.page(q), by(request), purpose(request))).map(govIndividual) });
  for (const [s, prefix, suffix] of [['config', '/config', 'config'], ['service', '/service', 'service']] as const) {
    const op = (name: string) => `${suffix}${name}`;
    app.post(`${prefix}/individual/`, { ...guard(s), schema: GOV_MORE.createIndividual(op('IndividualCreate')) }, (request, reply) => keyed(request, reply, (idempotency) => registered(request, request.body, idempotency), individualAnswer));
    app.get(`${prefix}/individual/:individualId/`, { ...guard(s), schema: GOV_MORE.readIndividual(op('IndividualRead')) }, (request) => readIndividual(request, request.params.individualId));
    app.get(`${prefix}/individuals/`, { ...guard(s), schema: { tags: ['govstack-consent'], operationId: op('IndividualList'), querystring: GOV_MORE.policyRevisions.querystring } }, (request) => listIndividuals(request, request.query));
  }
  app.put('/service/individual/:individualId/', { ...guard('service'), schema: GOV_MORE.updateIndividual }, (request, reply) => keyed(request, reply, async (idempotency) => {
    const { id, externalId, identityProviderId } = request.body.individual;
    const path = request.params.individualId.toUpperCase();
    for (const [field, value] of [['id', id], ['externalId', externalId]] as const) {
      if (value !== undefined && value.toUpperCase() !== path) {
        throw new TongbanError('TB_CONSENT_INDIVIDUAL_INVALID', { detail: 'A resident ID number does not change', fields: [{ pointer: `/individual/${field}`, message: 'consent.error.individualInvalid', detail: 'differs from the path' }] });
      }
    }
    return consent.registerIndividual({ idNumber: path, identityProviderId }, by(request, idempotency), { mustExist: true });
  }, individualAnswer));

  // Webhooks of the caller agency.
  const webhookInput = (w: Static<typeof GOV_MORE.createWebhook.body>['webhook']) => ({ payloadUrl: w.payloadUrl, contentType: w.contentType, secretKey: w.secretKey, disabled: w.disabled ?? false });
  const webhookAnswer = answer((w: Webhook) => ({ webhook: govWebhook(w) }));
  app.post('/config/webhook/', { ...guard('config'), schema: GOV_MORE.createWebhook }, (request, reply) => keyed(request, reply,
    (idempotency) => consent.createWebhook(webhookInput(request.body.webhook), by(request, idempotency)), webhookAnswer));
  app.get('/config/webhook/:webhookId/', { ...guard('config'), schema: GOV_MORE.readWebhook('configWebhookRead') }, async (request) => ({ webhook: govWebhook(await consent.webhook(request.params.webhookId, ctx.agencyOf(request))) }));
  app.put('/config/webhook/:webhookId/', { ...guard('config'), schema: GOV_MORE.updateWebhook }, (request, reply) => keyed(request, reply,
    (idempotency) => consent.updateWebhook(request.params.webhookId, webhookInput(request.body.webhook), by(request, idempotency)), webhookAnswer));
  app.delete('/config/webhook/:webhookId/', { ...guard('config'), schema: GOV_MORE.deleteWebhook }, (request, reply) => keyed(request, reply,
    (idempotency) => consent.deleteWebhook(request.params.webhookId, by(request, idempotency)), answer((deleted: { deleted: string }) => ({ tongban: deleted }))));
  app.get('/config/webhooks/', { ...guard('config'), schema: GOV_MORE.listWebhooks }, async (request) => ({ webhooks: (await consent.webhooks(ctx.agencyOf(request), ctx.page(request.query))).map(govWebhook) }));

  // Drafts and signatures: the client acts for the individual named in the header.
  const mine = async (request: FastifyRequest, id: string): Promise<ConsentRecord> => {
    const r = await ctx.ownRecord(request, id);
    if (r.idNumber !== ctx.individual(request)) throw new TongbanError('TB_CONSENT_INDIVIDUAL_MISMATCH', { detail: `The record is not the individual's named in ${INDIVIDUAL_HEADER}` });
    return r;
  };
  app.post('/service/individual/record/consent-record/draft/', { ...guard('service'), schema: GOV_MORE.draft }, (request, reply) => keyed(request, reply, async (idempotency) => {
    const a = await ctx.own(request, request.query.dataAgreementId, request.query.revisionId);
    return consent.draft(a.id, request.query.individualId, idempotency);
  }, async (draft) => ({
    consentRecord: {
      id: '', dataAgreement: await ctx.agreementOut(request, draft.agreement), dataAgreementRevisionHash: draft.revisionHash,
      individual: { id: draft.idNumber, externalId: draft.idNumber, externalIdType: 'resident_id' }, optIn: true, state: 'unsigned',
    },
    signature: govSignature(draft.signature),
  })));
  app.post('/service/individual/record/consent-record/', { ...guard('service'), schema: GOV_MORE.createSigned }, (request, reply) => keyed(request, reply, async (idempotency) => {
    const { consentRecord: r, signature: s } = request.body;
    const agreementId = r.dataAgreement?.id ?? r.dataAgreementId;
    if (agreementId === undefined) throw new TongbanError('TB_CONSENT_AGREEMENT_INVALID', { detail: 'Name the data agreement', fields: [{ pointer: '/consentRecord/dataAgreement/id', message: 'consent.error.agreementInvalid', detail: 'required' }] });
    const saved = await consent.createSigned({
      agreementId, idNumber: r.individual.id, optIn: r.optIn, revisionHash: r.dataAgreementRevisionHash, payload: s.payload, signature: s.signature, signedBy: s.verificationSignedBy, signedAs: s.verificationSignedAs,
    }, by(request, idempotency));
    return saved.record;
  }, async (record) => {
    // The signature was written with the record, signed: the record's only one.
    const signature = await consent.signatureOf(record.id);
    return { consentRecord: await ctx.recordOut(request, record), revision: recordRevision(record), ...(signature ? { signature: govSignature(signature) } : {}) };
  }));
  const signatureAnswer = answer((s: Signature) => ({ signature: govSignature(s) }));
  app.post('/service/individual/record/consent-record/:consentRecordId/signature/', { ...guard('service'), schema: GOV_MORE.createSignature }, (request, reply) => keyed(request, reply,
    async (idempotency) => consent.requestSignature(await mine(request, request.params.consentRecordId), by(request, idempotency)), signatureAnswer));
  app.put('/service/individual/record/consent-record/:consentRecordId/signature/', { ...guard('service'), schema: GOV_MORE.updateSignature }, (request, reply) => keyed(request, reply, async (idempotency) => {
    const r = await mine(request, request.params.consentRecordId);
    const s = request.body.signature;
    return consent.signRecord(r, { signature: s.signature, signedBy: s.verificationSignedBy, signedAs: s.verificationSignedAs }, by(request, idempotency));
  }, signatureAnswer));

  // Right to be forgotten, as far as the law lets: see deleteAllOf in service.ts.
  app.delete('/service/individual/record/', { ...guard('service'), schema: GOV_MORE.deleteAll }, (request, reply) => keyed(request, reply,
    (idempotency) => consent.deleteAllOf({ agency: ctx.agencyOf(request), idNumber: ctx.individual(request), actor: ctx.actor(request), requestId: request.id, idempotency }),
    answer(({ withdrawn, signaturesDiscarded, registrationErased }: Awaited<ReturnType<ConsentService['deleteAllOf']>>) => ({ tongban: { withdrawn, signaturesDiscarded, registrationErased } }))));
}
