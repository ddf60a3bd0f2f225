import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { clientActor, declareScopes, requireClientScope } from '../../kernel/auth/machine/index.js';
import type { RegistryAdmin } from './registry.js';
import type { MediatorService } from './service.js';

/** GovStack IM Configuration Management API (GovStack_IM_Configuration_Management_API.yaml). */
export const IM_API_BASE = '/govstack/im/api/v1';
export const IM_RIGHTS_BASE = `${IM_API_BASE}/rights`;
/** The spec's own scope names, so a GovStack client asks for what it knows. */
export const IM_RIGHTS_SCOPES = { read: 'read:rights', write: 'write:rights' } as const;
export const IM_CONF_SCOPES = { read: 'read:conf' } as const;
declareScopes({
  [IM_RIGHTS_SCOPES.read]: { en: 'Information mediator: read its agency\'s access rights (GovStack IM)', 'zh-CN': '信息中介：查看本单位的访问权限（GovStack IM）' },
  [IM_RIGHTS_SCOPES.write]: { en: 'Information mediator: allow and deny access to its agency\'s services (GovStack IM)', 'zh-CN': '信息中介：授予和撤销对本单位服务的访问权限（GovStack IM）' },
  [IM_CONF_SCOPES.read]: { en: 'Information mediator: read the configuration and status (GovStack IM)', 'zh-CN': '信息中介：查看配置和状态（GovStack IM）' },
});

const TAG = ['GovStack Information Mediator'];
const Part = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' });
const Application = Type.Object({ instanceId: Type.Optional(Part), memberClass: Part, memberCode: Part, applicationId: Part });
const ServiceAccessRights = Type.Array(Type.Object({
  instanceId: Type.Optional(Part), memberClass: Part, memberCode: Part, applicationId: Part, serviceId: Part,
  rights: Type.Array(Application, { maxItems: 500 }),
}), { maxItems: 500 });

/**
 * `GET /api/v1/config` and `/api/v1/status` (read:conf), `GET/PATCH /api/v1/rights/allow` and
 * `PATCH /api/v1/rights/deny` (read:rights, write:rights) for agencies' systems: a Bearer
 * token with the spec's scope; a system changes the rights of its own agency's services only, and
 * every change is the registry's own, audited and effective at once (ADR 15, 16).
 */
export function registerGovstackImRoutes(scope: FastifyInstance, mediator: MediatorService): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const adminOf = (request: FastifyRequest): RegistryAdmin => {
    const client = request.client!;
    const agency = client.organisation.split('/')[2] ?? '';
    return { actor: clientActor(client), may: (owner) => owner === agency, requestId: request.id };
  };

  // The configuration as the calling system's agency may see it (govstack-config.ts); by default its own instance.
  app.get(`${IM_API_BASE}/config`, {
    preHandler: requireClientScope(IM_CONF_SCOPES.read),
    schema: {
      tags: TAG, summary: 'The configuration of one instance: members and applications, and the services of the caller\'s own agency with their rights',
      querystring: Type.Object({ instanceId: Type.Optional(Part) }, { additionalProperties: false }),
    },
  }, async (request) => {
    const admin = adminOf(request);
    return mediator.govstackConfig.config(request.query.instanceId ?? request.client!.organisation.split('/')[0] ?? '', admin.may);
  });
  app.get(`${IM_API_BASE}/status`, {
    preHandler: requireClientScope(IM_CONF_SCOPES.read),
    schema: { tags: TAG, summary: 'Whether the mediator is configured, up and running (503 when its registry cannot be read)' },
  }, async () => mediator.govstackConfig.status());

  app.get(`${IM_RIGHTS_BASE}/allow`, {
    preHandler: requireClientScope(IM_RIGHTS_SCOPES.read),
    schema: {
      tags: TAG, summary: 'Retrieve the access permissions (allow list) on the caller\'s agency\'s services or held by its systems, paged by service and client pairs',
      querystring: Type.Object({
        memberClass: Type.Optional(Part), memberCode: Type.Optional(Part), applicationId: Type.Optional(Part), serviceId: Type.Optional(Part),
        pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })), nextPageToken: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      }, { additionalProperties: false }),
    },
  }, async (request) => {
    const { pageSize, nextPageToken, ...filter } = request.query;
    return mediator.govstackRights.allowList(filter, { pageSize, nextPageToken }, adminOf(request).may);
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
