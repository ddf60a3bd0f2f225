import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hasRole, principalOf, requireRole } from '../../kernel/auth/index.js';
import { TongbanError } from '../../kernel/http/index.js';
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
export function registerConsentRoutes(scope: FastifyInstance, consent: ConsentService): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const guard = { preHandler: requireRole([...ADMINS]) };

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
  app.post('/api/consent/agreements', { ...guard, schema: createAgreementSchema }, async (request, reply) => {
    const { consentDays, ...body } = request.body;
    const saved = await consent.saveAgreement({ ...body, consentDays: consentDays ?? undefined }, agreementAdmin(request), { create: true });
    return reply.status(201).send(agreementJson(saved));
  });
  app.put('/api/consent/agreements/:id', { ...guard, schema: updateAgreementSchema }, async (request) => {
    await visible(request, request.params.id);
    const { consentDays, ...body } = request.body;
    return agreementJson(await consent.saveAgreement({ ...body, id: request.params.id, consentDays: consentDays ?? undefined }, agreementAdmin(request)));
  });
  app.delete('/api/consent/agreements/:id', { ...guard, schema: retireAgreementSchema }, async (request) => {
    await visible(request, request.params.id);
    return agreementJson(await consent.retireAgreement(request.params.id, agreementAdmin(request)));
  });
}
