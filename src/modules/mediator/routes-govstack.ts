import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireClientScope } from '../../kernel/auth/machine/index.js';
import type { RegistryAdmin } from './registry.js';
import type { MediatorService } from './service.js';

/** GovStack IM Configuration Management API, access rights (GovStack_IM_Configuration_Management_API.yaml). */
export const IM_RIGHTS_BASE = '/govstack/im/api/v1/rights';
/** The spec's own scope names, so a GovStack client asks for what it knows. */
export const IM_RIGHTS_SCOPES = { read: 'read:rights', write: 'write:rights' } as const;

const TAG = ['GovStack Information Mediator'];
const Part = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' });
const Application = Type.Object({ instanceId: Type.Optional(Part), memberClass: Part, memberCode: Part, applicationId: Part });
const ServiceAccessRights = Type.Array(Type.Object({
  instanceId: Type.Optional(Part), memberClass: Part, memberCode: Part, applicationId: Part, serviceId: Part,
  rights: Type.Array(Application, { maxItems: 500 }),
}), { maxItems: 500 });

/**
 * `GET/PATCH /api/v1/rights/allow` and `PATCH /api/v1/rights/deny` for agencies' systems: a Bearer
 * token with the spec's scope; a system changes the rights of its own agency's services only, and
 * every change is the registry's own, audited and effective at once (ADR 15, 16).
 */
export function registerGovstackRightsRoutes(scope: FastifyInstance, mediator: MediatorService): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const adminOf = (request: FastifyRequest): RegistryAdmin => {
    const client = request.client!;
    const agency = client.organisation.split('/')[2] ?? '';
    return { actor: { kind: 'client', id: client.clientId, organisation: client.organisation }, may: (owner) => owner === agency, requestId: request.id };
  };

  app.get(`${IM_RIGHTS_BASE}/allow`, {
    preHandler: requireClientScope(IM_RIGHTS_SCOPES.read),
    schema: {
      tags: TAG, summary: 'Retrieve configured access permissions (allow list), paged by service and client pairs',
      querystring: Type.Object({
        memberClass: Type.Optional(Part), memberCode: Type.Optional(Part), applicationId: Type.Optional(Part), serviceId: Type.Optional(Part),
        pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })), nextPageToken: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      }, { additionalProperties: false }),
    },
  }, async (request) => {
    const { pageSize, nextPageToken, ...filter } = request.query;
    return mediator.govstackRights.allowList(filter, { pageSize, nextPageToken });
  });

  app.patch(`${IM_RIGHTS_BASE}/allow`, {
    preHandler: requireClientScope(IM_RIGHTS_SCOPES.write),
    schema: { tags: TAG, summary: 'Allow client applications whole services (idempotent)', body: ServiceAccessRights },
  }, async (request) => ({ granted: await mediator.govstackRights.allow(request.body, adminOf(request)) }));

  app.patch(`${IM_RIGHTS_BASE}/deny`, {
    preHandler: requireClientScope(IM_RIGHTS_SCOPES.write),
    schema: { tags: TAG, summary: 'Deny client applications services: every right they hold on them is revoked', body: ServiceAccessRights },
  }, async (request) => ({ revoked: await mediator.govstackRights.deny(request.body, adminOf(request)) }));
}
