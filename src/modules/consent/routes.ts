import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kernel } from '../../kernel/context.js';
import { hasRole, principalOf, requireRecentSignIn, requireRole } from '../../kernel/auth/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import { idempotentAnswer } from '../../kernel/idempotency/index.js';
import { withDates } from './govstack-mapping.js';
import { createAgreementSchema, listAgreementsSchema, readAgreementSchema, retireAgreementSchema, updateAgreementSchema } from './schemas.js';
import type { AgreementAdmin, ConsentService, DataAgreement } from './service.js';

const ADMINS = ['agency_admin', 'platform_admin'] as const;

/** The signed-in administrator as the service's guard: the agencies they administer. */
export function agreementAdmin(request: FastifyRequest): AgreementAdmin {
  const principal = principalOf(request);
  return {
    actor: { kind: principal.kind === 'staff' ? 'staff' : 'person', id: principal.accountId },
    may: (agency) => hasRole(principal, 'platform_admin') || hasRole(principal, 'agency_admin', agency),
    requestId: request.id,
  };
}

export const agreementJson = (a: DataAgreement) => ({ ...a, consentDays: a.consentDays ?? null, createdAt: a.createdAt.toISOString() });

/** /api/consent: agency and platform administrators manage their agencies' agreements. */
export function registerConsentRoutes(scope: FastifyInstance, consent: ConsentService, kernel: Pick<Kernel, 'db' | 'now' | 'config'>): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const guard = { preHandler: requireRole([...ADMINS]) };
  // Writes need a sign-in within ten minutes, as on the agreement pages (ADR 52).
  const write = { preHandler: [requireRole([...ADMINS]), requireRecentSignIn(kernel.now)] };

  const visible = async (request: FastifyRequest, id: string): Promise<DataAgreement> => {
    const agreement = await consent.latest(id);
    if (!agreement || !agreementAdmin(request).may(agreement.controller)) throw new TongbanError('TB_CONSENT_AGREEMENT_NOT_FOUND', { detail: `No data agreement ${id} of your agencies`, ...(agreement ? { denied: 'other-agency' as const } : {}) });
    return agreement;
  };

  app.get('/api/consent/agreements', { ...guard, schema: listAgreementsSchema }, async (request) => {
    const admin = agreementAdmin(request);
    const all = await consent.listAgreements({ includeRetired: request.query.retired === true });
    return { agreements: all.filter((a) => admin.may(a.controller)).map(agreementJson) };
  });
  app.get('/api/consent/agreements/:id', { ...guard, schema: readAgreementSchema }, async (request) => {
    await visible(request, request.params.id);
    return { versions: (await consent.versions(request.params.id)).map(agreementJson) };
  });
  // Every write takes an Idempotency-Key, keyed to the signed-in account (ADR 31). A kept result
  // is JSON from jsonb (other key order, dates as strings): the answer reads the version again.
  const answer = (status: number) => async (kept: DataAgreement) => ({ status, body: agreementJson((await consent.agreementVersion(kept.id, kept.version)) ?? withDates(kept)) });
  app.post('/api/consent/agreements', { ...write, schema: createAgreementSchema }, async (request, reply) => idempotentAnswer(kernel, request, reply, (idempotency) => {
    const { consentDays, ...body } = request.body;
    return consent.saveAgreement({ ...body, consentDays: consentDays ?? undefined }, agreementAdmin(request), { create: true, idempotency });
  }, answer(201)));
  app.put('/api/consent/agreements/:id', { ...write, schema: updateAgreementSchema }, async (request, reply) => idempotentAnswer(kernel, request, reply, async (idempotency) => {
    await visible(request, request.params.id);
    const { consentDays, ...body } = request.body;
    return consent.saveAgreement({ ...body, id: request.params.id, consentDays: consentDays ?? undefined }, agreementAdmin(request), { idempotency });
  }, answer(200)));
  app.delete('/api/consent/agreements/:id', { ...write, schema: retireAgreementSchema }, async (request, reply) => idempotentAnswer(kernel, request, reply, async (idempotency) => {
    await visible(request, request.params.id);
    return consent.retireAgreement(request.params.id, agreementAdmin(request), { idempotency });
  }, answer(200)));
}
