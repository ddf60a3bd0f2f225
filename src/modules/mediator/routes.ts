import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hasRole, principalOf, requireRecentSignIn, requireRole } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { idempotentAnswer } from '../../kernel/idempotency/index.js';
import { addCertificateSchema, addClientKeySchema, addMemberSchema, removeClientKeySchema, addSubsystemSchema, removeCertificateSchema, getOpenApiSchema, grantSchema, listClientsSchema, listMethodsSchema, listSchema, revokeSchema, saveServiceSchema } from './schemas.js';
import { normaliseFingerprint, subsystemIdOf, type MediatorService, type RegistryAdmin } from './service.js';
import { credentialsOf } from './credentials.js';

const ADMINS = ['agency_admin', 'platform_admin'] as const;

/** The signed-in administrator as the registry sees them: may they change an agency's entries? */
export function registryAdmin(request: FastifyRequest): RegistryAdmin {
  const principal = principalOf(request);
  return {
    actor: { kind: principal.kind === 'staff' ? 'staff' : 'person', id: principal.accountId },
    may: (agency) => hasRole(principal, 'platform_admin') || hasRole(principal, 'agency_admin', agency),
    everything: hasRole(principal, 'platform_admin'),
    agencies: principal.roles.filter((r) => r.role === 'agency_admin').map((r) => r.agency),
    requestId: request.id,
  };
}

const dates = <T extends object>(row: T) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));

/**
 * The registry's JSON API under /api/mediator (agency and platform administrators) and the
 * directory metaservices (calling systems, authenticated like an exchange).
 */
export function registerMediatorRoutes(scope: FastifyInstance, mediator: MediatorService, kernel: Pick<Kernel, 'db' | 'now' | 'config'>): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  // A change of the registry needs a sign-in within ten minutes, as on its pages (ADR 52).
  const change = [requireRole(ADMINS), requireRecentSignIn(kernel.now)];

  app.get('/api/mediator/registry', { schema: listSchema, preHandler: requireRole(ADMINS) }, async (request) => {
    const [members, subsystems, services, rights, certificates] = await Promise.all([
      mediator.listMembers(), mediator.listSubsystems(request.query.member), mediator.listServices(), mediator.listRights(), mediator.listCertificates(),
    ]);
    return { members: members.map(dates), subsystems: subsystems.map(dates), services: services.map(dates), rights: rights.map(dates), certificates: certificates.map(dates) };
  });
  app.post('/api/mediator/members', { schema: addMemberSchema, preHandler: change }, async (request, reply) =>
    reply.status(201).send(dates(await mediator.addMember(request.body, registryAdmin(request)))));
  app.post('/api/mediator/subsystems', { schema: addSubsystemSchema, preHandler: change }, async (request, reply) =>
    reply.status(201).send(dates(await mediator.addSubsystem(request.body, registryAdmin(request)))));
  // An upsert: with an Idempotency-Key a retry gets the first answer and writes no second audit record (ADR 31).
  // The answer is the row as stored, read again by id: a kept result comes back from jsonb with its
  // keys in another order, so a replay rendered from it would not be the first answer byte for byte.
  app.post('/api/mediator/services', { schema: saveServiceSchema, preHandler: change }, async (request, reply) =>
    idempotentAnswer(kernel, request, reply, (idempotency) => mediator.saveService(request.body, registryAdmin(request), idempotency ? { idempotency } : {}),
      async (saved) => ({ status: 200, body: dates((await mediator.serviceOf(saved.id)).service) })));
  app.post('/api/mediator/rights', { schema: grantSchema, preHandler: change }, async (request, reply) =>
    reply.status(201).send(dates(await mediator.grant(request.body, registryAdmin(request)))));
  app.delete('/api/mediator/rights/:id', { schema: revokeSchema, preHandler: change }, async (request, reply) => {
    await mediator.revoke(request.params.id, registryAdmin(request));
    return reply.status(204).send();
  });

  app.post('/api/mediator/certificates', { schema: addCertificateSchema, preHandler: change }, async (request, reply) =>
    reply.status(201).send(dates(await mediator.addCertificate({ subsystemId: request.body.subsystemId, pem: request.body.certificate }, registryAdmin(request)))));
  app.delete('/api/mediator/certificates/:sha256', { schema: removeCertificateSchema, preHandler: change }, async (request, reply) => {
    // The schema's pattern admits only fingerprints, so this is never undefined.
    await mediator.removeCertificate(normaliseFingerprint(request.params.sha256) ?? '', registryAdmin(request));
    return reply.status(204).send();
  });

  app.post('/api/mediator/keys', { schema: addClientKeySchema, preHandler: change }, async (request, reply) =>
    reply.status(201).send(await mediator.addClientKey(request.body, registryAdmin(request))));
  app.delete('/api/mediator/keys', { schema: removeClientKeySchema, preHandler: change }, async (request, reply) => {
    await mediator.removeClientKey(request.query.subsystemId, request.query.kid, registryAdmin(request));
    return reply.status(204).send();
  });

  const credentials = credentialsOf;

  app.get('/listClients', { schema: listClientsSchema }, async (request) => {
    await mediator.verifyCaller(credentials(request));
    return mediator.listClients(request.query.instanceId);
  });
  const provider = (p: { instance: string; memberClass: string; member: string; subsystem: string }) => subsystemIdOf(p);
  app.get('/r1/:instance/:memberClass/:member/:subsystem/listMethods', { schema: listMethodsSchema }, async (request) => {
    await mediator.authenticate(credentials(request));
    return mediator.listMethods(provider(request.params), request.query.serviceId);
  });
  app.get('/r1/:instance/:memberClass/:member/:subsystem/allowedMethods', { schema: listMethodsSchema }, async (request) => {
    const client = await mediator.authenticate(credentials(request));
    return mediator.allowedMethods(provider(request.params), subsystemIdOf(client), request.query.serviceId);
  });
  app.get('/r1/:instance/:memberClass/:member/:subsystem/getOpenAPI', { schema: getOpenApiSchema }, async (request) => {
    await mediator.authenticate(credentials(request));
    return mediator.getOpenAPI(provider(request.params), request.query.serviceCode);
  });
}
