import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasRole, principalOf, recentSignInGuards, requireRole } from '../../kernel/auth/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import {
  REGISTRY_PATH, renderRegistryPage, renderRevokePage, renderRightForm, renderServiceForm, renderSubsystemForm,
} from './pages-registry.js';
import { registryAdmin } from './routes.js';
import { context, fieldErrorOf, html, shown } from './routes-page-kit.js';
import { NEW_CERTIFICATE_PATH, renderCertificateForm, renderRemoveCertificatePage } from './pages-certificates.js';
import { NEW_KEY_PATH, REMOVE_KEY_PATH, renderKeyForm, renderRemoveKeyPage } from './pages-keys.js';
import { parsePublicJwk } from './client-keys.js';
import { containsPrivateKey } from './certificates.js';
import { parseCertificateForm, parseRight, parseService, parseSubsystem, text, type FieldError, type Posted } from './registry-forms.js';
import { certificatePageParams, keyPageQuery, registryForm, registryPageQuery, rightParams, serviceEditQuery } from './schemas.js';
import { CertificateRefused, certificateProblemKey, KeyRefused, normaliseFingerprint, type SubsystemKey, type MediatorService, type MemberRow, type ServiceRow } from './service.js';

const ADMINS = requireRole(['agency_admin', 'platform_admin']);
const page = { config: { page: true }, preHandler: ADMINS };


/**
 * The registry in web pages (`/admin/mediator/registry/...`): the same registry functions as
 * /api/mediator, so every change is checked and audited the same way; works without JavaScript.
 */
export function registerRegistryPages(scope: FastifyInstance, mediator: MediatorService): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  // Who may call which system and read what is a sensitive change (ASVS 5.0 7.5.3; ADR 52): each
  // form's page asks for a sign-in within ten minutes first, and its post requires one.
  const guards = recentSignInGuards(ADMINS, { now: mediator.now, backTo: REGISTRY_PATH, why: 'mediator.admin.reauthenticate' });
  const form = { config: { page: true }, preHandler: guards.page };
  const change = { config: { page: true }, preHandler: guards.post };

  /** What this administrator may manage: their agencies' members (all of them for a platform administrator). */
  async function scopeOf(request: FastifyRequest) {
    const me = principalOf(request);
    const members = (await mediator.listMembers()).filter((m) => hasRole(me, 'platform_admin') || hasRole(me, 'agency_admin', m.agency));
    const memberIds = new Set(members.map((m) => m.id));
    const allSubsystems = await mediator.listSubsystems();
    const subsystems = allSubsystems.filter((s) => memberIds.has(s.member_id));
    const subsystemIds = new Set(subsystems.map((s) => s.id));
    const services = (await mediator.listServices()).filter((s) => subsystemIds.has(s.subsystem_id));
    return { members, subsystems, services, clients: allSubsystems.filter((s) => s.client_id !== null) };
  }
  const refuse = (member: MemberRow) => new TongbanError('TB_MEDIATOR_FORBIDDEN', { detail: `Member ${member.id} belongs to agency ${member.agency}` });

  app.get(REGISTRY_PATH, { ...page, schema: { querystring: registryPageQuery, hide: true } }, async (request, reply) => {
    const mine = await scopeOf(request);
    const serviceIds = new Set(mine.services.map((s) => s.id));
    const subsystemIds = new Set(mine.subsystems.map((s) => s.id));
    const [rights, certificates, keys] = await Promise.all([mediator.listRights(), mediator.listCertificates(), mediator.clientKeysOf(mine.subsystems)]);
    return html(reply, renderRegistryPage(context(request, reply), {
      ...mine, rights: rights.filter((r) => serviceIds.has(r.service_id)), certificates: certificates.filter((c) => subsystemIds.has(c.subsystem_id)), keys, done: request.query.done, now: mediator.now(),
    }));
  });

  app.get(`${REGISTRY_PATH}/subsystems/new`, { ...form, schema: { hide: true } }, async (request, reply) =>
    html(reply, renderSubsystemForm(context(request, reply), { members: (await scopeOf(request)).members, values: {}, errors: [] })));
  app.post(`${REGISTRY_PATH}/subsystems/new`, { ...change, schema: { body: registryForm, hide: true } }, async (request, reply) => {
    const posted: Posted = request.body;
    const again = async (errors: readonly FieldError[]) =>
      html(reply, renderSubsystemForm(context(request, reply), { members: (await scopeOf(request)).members, values: posted, errors: shown(request, errors) }), 422);
    const parsed = parseSubsystem(posted);
    if (!parsed.ok) return again(parsed.errors);
    try {
      await mediator.addSubsystem(parsed.input, registryAdmin(request));
    } catch (error) {
      return again([fieldErrorOf(error, {
        TB_MEDIATOR_EXISTS: { field: 'code', key: 'mediator.admin.error.exists' }, TB_MEDIATOR_NOT_FOUND: { field: 'member', key: 'mediator.admin.error.member' },
      })]);
    }
    return reply.redirect(`${REGISTRY_PATH}?done=subsystem`, 303);
  });

  const serviceValues = (s: ServiceRow): Posted => ({
    subsystem: s.subsystem_id, code: s.code, name: s.name, baseUrl: s.base_url, openapi: s.openapi === null ? '' : JSON.stringify(s.openapi, null, 2),
    options: [...(s.needs_consent ? ['needsConsent'] : []), ...(s.store_bodies ? ['storeBodies'] : [])], agreementId: s.agreement_id ?? '', timeoutMs: s.timeout_ms === null ? '' : String(s.timeout_ms),
  });
  async function editable(request: FastifyRequest, id: string): Promise<ServiceRow> {
    const { service, member } = await mediator.serviceOf(id);
    if (!registryAdmin(request).may(member.agency)) throw refuse(member);
    return service;
  }
  async function saveService(request: FastifyRequest, body: Posted, reply: FastifyReply, editing: ServiceRow | undefined) {
    // On an edit, the subsystem and code come from the stored service, never from the form.
    const posted: Posted = editing ? { ...body, subsystem: editing.subsystem_id, code: editing.code } : body;
    const again = async (errors: readonly FieldError[]) =>
      html(reply, renderServiceForm(context(request, reply), { subsystems: (await scopeOf(request)).subsystems, editing, values: posted, errors: shown(request, errors) }), 422);
    const parsed = parseService(posted);
    if (!parsed.ok) return again(parsed.errors);
    if (parsed.input.storeBodies && !mediator.canStoreBodies) return again([{ field: 'options', key: 'mediator.admin.error.bodyKey' }]);
    try {
      await mediator.saveService(parsed.input, registryAdmin(request));
    } catch (error) {
      return again([fieldErrorOf(error, { TB_MEDIATOR_NOT_FOUND: { field: 'subsystem', key: 'mediator.admin.error.subsystem' }, TB_MEDIATOR_INVALID: { field: 'name', key: 'mediator.error.invalid' } })]);
    }
    return reply.redirect(`${REGISTRY_PATH}?done=service`, 303);
  }
  app.get(`${REGISTRY_PATH}/services/new`, { ...form, schema: { hide: true } }, async (request, reply) =>
    html(reply, renderServiceForm(context(request, reply), { subsystems: (await scopeOf(request)).subsystems, values: {}, errors: [] })));
  app.post(`${REGISTRY_PATH}/services/new`, { ...change, schema: { body: registryForm, hide: true } }, async (request, reply) => saveService(request, request.body, reply, undefined));
  app.get(`${REGISTRY_PATH}/services/edit`, { ...form, schema: { querystring: serviceEditQuery, hide: true } }, async (request, reply) => {
    const service = await editable(request, request.query.id);
    return html(reply, renderServiceForm(context(request, reply), { subsystems: [], editing: service, values: serviceValues(service), errors: [] }));
  });
  app.post(`${REGISTRY_PATH}/services/edit`, { ...change, schema: { querystring: serviceEditQuery, body: registryForm, hide: true } }, async (request, reply) =>
    saveService(request, request.body, reply, await editable(request, request.query.id)));

  app.get(`${REGISTRY_PATH}/rights/new`, { ...form, schema: { hide: true } }, async (request, reply) => {
    const mine = await scopeOf(request);
    return html(reply, renderRightForm(context(request, reply), { services: mine.services, clients: mine.clients, values: {}, errors: [] }));
  });
  app.post(`${REGISTRY_PATH}/rights/new`, { ...change, schema: { body: registryForm, hide: true } }, async (request, reply) => {
    const posted: Posted = request.body;
    const again = async (errors: readonly FieldError[]) => {
      const mine = await scopeOf(request);
      return html(reply, renderRightForm(context(request, reply), { services: mine.services, clients: mine.clients, values: posted, errors: shown(request, errors) }), 422);
    };
    const parsed = parseRight(posted);
    if (!parsed.ok) return again(parsed.errors);
    // The service is looked up first, so a missing one and a missing client are told apart.
    let missing: FieldError = { field: 'service', key: 'mediator.admin.error.service' };
    try {
      await mediator.serviceOf(parsed.input.serviceId);
      missing = { field: 'client', key: 'mediator.admin.error.client' };
      await mediator.grant(parsed.input, registryAdmin(request));
    } catch (error) {
      return again([fieldErrorOf(error, { TB_MEDIATOR_NOT_FOUND: missing })]);
    }
    return reply.redirect(`${REGISTRY_PATH}?done=grant`, 303);
  });

  app.get(NEW_CERTIFICATE_PATH, { ...form, schema: { hide: true } }, async (request, reply) =>
    html(reply, renderCertificateForm(context(request, reply), { subsystems: (await scopeOf(request)).subsystems, values: {}, errors: [] })));
  app.post(NEW_CERTIFICATE_PATH, { ...change, schema: { body: registryForm, hide: true } }, async (request, reply) => {
    // A private key pasted by mistake is not sent back in the page (nor kept anywhere).
    const posted: Posted = containsPrivateKey(text(request.body, 'certificate')) ? { ...request.body, certificate: '' } : request.body;
    const again = async (errors: readonly FieldError[]) =>
      html(reply, renderCertificateForm(context(request, reply), { subsystems: (await scopeOf(request)).subsystems, values: posted, errors: shown(request, errors) }), 422);
    const parsed = parseCertificateForm(request.body, mediator.now());
    if (!parsed.ok) return again(parsed.errors);
    try {
      await mediator.addCertificate(parsed.input, registryAdmin(request));
    } catch (error) {
      if (error instanceof CertificateRefused) return again([{ field: 'certificate', key: certificateProblemKey(error.problem) }]);
      return again([fieldErrorOf(error, {
        TB_MEDIATOR_EXISTS: { field: 'certificate', key: 'mediator.admin.error.certificateExists' }, TB_MEDIATOR_NOT_FOUND: { field: 'subsystem', key: 'mediator.admin.error.certificateSubsystem' },
      })]);
    }
    return reply.redirect(`${REGISTRY_PATH}?done=certificate`, 303);
  });

  async function removable(request: FastifyRequest, fingerprint: string) {
    const sha256 = normaliseFingerprint(fingerprint);
    const certificate = sha256 === undefined ? undefined : (await mediator.listCertificates()).find((c) => c.sha256 === sha256);
    if (!certificate) throw new TongbanError('TB_MEDIATOR_NOT_FOUND', { detail: 'No such certificate' });
    const { member } = await mediator.subsystemOf(certificate.subsystem_id);
    if (!registryAdmin(request).may(member.agency)) throw refuse(member);
    return certificate;
  }
  app.get(`${REGISTRY_PATH}/certificates/:sha256/remove`, { ...form, schema: { params: certificatePageParams, hide: true } }, async (request, reply) =>
    html(reply, renderRemoveCertificatePage(context(request, reply), await removable(request, request.params.sha256))));
  app.post(`${REGISTRY_PATH}/certificates/:sha256/remove`, { ...change, schema: { params: certificatePageParams, body: registryForm, hide: true } }, async (request, reply) => {
    const certificate = await removable(request, request.params.sha256);
    await mediator.removeCertificate(certificate.sha256, registryAdmin(request));
    return reply.redirect(`${REGISTRY_PATH}?done=certificateRemoved`, 303);
  });

  app.get(NEW_KEY_PATH, { ...form, schema: { hide: true } }, async (request, reply) =>
    html(reply, renderKeyForm(context(request, reply), { subsystems: (await scopeOf(request)).subsystems, values: {}, errors: [] })));
  app.post(NEW_KEY_PATH, { ...change, schema: { body: registryForm, hide: true } }, async (request, reply) => {
    const subsystemId = text(request.body, 'subsystem').trim();
    const key = text(request.body, 'key');
    const again = async (errors: readonly FieldError[], keep = true) => html(reply, renderKeyForm(context(request, reply), {
      subsystems: (await scopeOf(request)).subsystems, values: keep ? request.body : { ...request.body, key: '' }, errors: shown(request, errors),
    }), 422);
    const errors: FieldError[] = [];
    if (!subsystemId) errors.push({ field: 'subsystem', key: 'mediator.admin.error.keySubsystem' });
    try {
      parsePublicJwk(key);
    } catch (error) {
      if (!(error instanceof KeyRefused)) throw error;
      errors.push({ field: 'key', key: `mediator.admin.error.key.${error.problem}` });
      // A private key pasted by mistake is not sent back in the page (nor kept anywhere).
      if (error.problem === 'privateKey') return again(errors, false);
    }
    if (errors.length > 0) return again(errors);
    try {
      await mediator.addClientKey({ subsystemId, key }, registryAdmin(request));
    } catch (error) {
      if (error instanceof KeyRefused) return again([{ field: 'key', key: `mediator.admin.error.key.${error.problem}` }]);
      return again([fieldErrorOf(error, { TB_MEDIATOR_NOT_FOUND: { field: 'subsystem', key: 'mediator.admin.error.keySubsystem' } })]);
    }
    return reply.redirect(`${REGISTRY_PATH}?done=key`, 303);
  });

  /** A key of one of the administrator's subsystems, or a 404 / 403 like any registry entry. */
  async function removableKey(request: FastifyRequest, subsystemId: string, kid: string): Promise<SubsystemKey> {
    const { subsystem, member } = await mediator.subsystemOf(subsystemId);
    if (!registryAdmin(request).may(member.agency)) throw refuse(member);
    const key = (await mediator.clientKeysOf([subsystem])).find((k) => k.kid === kid);
    if (!key) throw new TongbanError('TB_MEDIATOR_NOT_FOUND', { detail: `The subsystem ${subsystemId} has no key ${kid}` });
    return key;
  }
  app.get(REMOVE_KEY_PATH, { ...form, schema: { querystring: keyPageQuery, hide: true } }, async (request, reply) =>
    html(reply, renderRemoveKeyPage(context(request, reply), await removableKey(request, request.query.subsystem, request.query.kid))));
  app.post(REMOVE_KEY_PATH, { ...change, schema: { querystring: keyPageQuery, body: registryForm, hide: true } }, async (request, reply) => {
    const key = await removableKey(request, request.query.subsystem, request.query.kid);
    await mediator.removeClientKey(key.subsystemId, key.kid, registryAdmin(request));
    return reply.redirect(`${REGISTRY_PATH}?done=keyRemoved`, 303);
  });

  async function revocable(request: FastifyRequest, id: string) {
    const right = (await mediator.listRights()).find((r) => r.id === id);
    if (!right) throw new TongbanError('TB_MEDIATOR_NOT_FOUND', { detail: `No access right ${id}` });
    await editable(request, right.service_id);
    return right;
  }
  app.get(`${REGISTRY_PATH}/rights/:id/revoke`, { ...form, schema: { params: rightParams, hide: true } }, async (request, reply) =>
    html(reply, renderRevokePage(context(request, reply), await revocable(request, request.params.id))));
  app.post(`${REGISTRY_PATH}/rights/:id/revoke`, { ...change, schema: { params: rightParams, body: registryForm, hide: true } }, async (request, reply) => {
    await revocable(request, request.params.id);
    await mediator.revoke(request.params.id, registryAdmin(request));
    return reply.redirect(`${REGISTRY_PATH}?done=revoke`, 303);
  });
}
