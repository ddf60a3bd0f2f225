import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Actor } from '../../kernel/audit/types.js';
import { hasRole, principalOf, requireRole, STAFF_ROLES, type Principal } from '../../kernel/auth/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import { field } from '../../kernel/http/query.js';
import { pageContext } from '../../ui/index.js';
import {
  ADMIN_PATH, renderAdminPage, renderLookupPage, renderResolvePage, renderTasksPage, TASKS_PATH, type PageContext, type ShownError,
} from './pages.js';
import { itemTitleOf, type RegistriesService, type Registry } from './service.js';

const page = { config: { page: true }, preHandler: requireRole(STAFF_ROLES) };
/**
 * A posted form, read through `field()` (the first value when repeated): the handlers check each
 * field's length themselves, so a long one comes back with the form, its errors and what was typed.
 */
const form = Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]));
/** The longest key, purpose or note a page takes. */
const FIELD_MAX = 2000;
const codeParams = Type.Object({ code: Type.String({ pattern: '^[a-z][a-z0-9-]{1,40}$' }) });
const idParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

function context(request: FastifyRequest, reply: FastifyReply): PageContext {
  return { ...pageContext(request), user: { name: principalOf(request).name }, csrfToken: reply.generateCsrf() };
}
const html = (reply: FastifyReply, body: string, status = 200) => reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

/** The agencies a staff member works for (every agency for a platform administrator). */
function agenciesOf(me: Principal): readonly string[] | 'all' {
  if (hasRole(me, 'platform_admin')) return 'all';
  return [...new Set(me.roles.map((r) => r.agency))];
}
const serves = (me: Principal, owner: string) => {
  const agencies = agenciesOf(me);
  return agencies === 'all' || agencies.includes(owner);
};
/**
 * Records are looked up by staff of the owner agency only: a platform administrator has no other
 * role (docs/security.md), so they see the list of registries but look nothing up.
 */
const staffOf = (me: Principal, owner: string) => me.roles.some((r) => r.role !== 'platform_admin' && r.agency === owner);
/** A staff member acts for the registry's owner agency when they look something up in it. */
const staffActor = (me: Principal, organisation: string): Actor => ({ kind: 'staff', id: me.accountId, organisation });

/**
 * Staff pages (no JavaScript needed): the agency's registries, a look-up by key (audited with the
 * purpose typed), and the reports of wrong data for the owner agency to close with a note.
 */
export function registerRegistryPages(scope: FastifyInstance, registries: RegistriesService): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  const ownRegistry = async (request: FastifyRequest, code: string): Promise<Registry> => {
    const registry = await registries.registry(code);
    if (!staffOf(principalOf(request), registry.owner)) throw new TongbanError('TB_REGISTRIES_FORBIDDEN', { detail: `${registry.code} belongs to ${registry.owner}` });
    return registry;
  };

  app.get(ADMIN_PATH, { ...page, schema: { hide: true } }, async (request, reply) => {
    const me = principalOf(request);
    const mine = (await registries.registries()).filter((r) => serves(me, r.owner));
    const open = new Map<string, number>();
    for (const task of await registries.corrections(agenciesOf(me))) open.set(task.registry, (open.get(task.registry) ?? 0) + 1);
    return html(reply, renderAdminPage(context(request, reply), { registries: mine, open, mayLookUp: (owner) => staffOf(me, owner) }));
  });

  app.get(`${ADMIN_PATH}/:code/lookup`, { ...page, schema: { params: codeParams, hide: true } }, async (request, reply) => {
    const registry = await ownRegistry(request, request.params.code);
    return html(reply, renderLookupPage(context(request, reply), { registry, values: {}, errors: [], title: itemTitleOf }));
  });

  app.post(`${ADMIN_PATH}/:code/lookup`, { ...page, schema: { params: codeParams, body: form, hide: true } }, async (request, reply) => {
    const registry = await ownRegistry(request, request.params.code);
    const values = { key: field(request.body, 'key'), purpose: field(request.body, 'purpose') };
    const key = (values.key ?? '').trim().toUpperCase();
    const purpose = (values.purpose ?? '').trim();
    const errors: ShownError[] = [
      ...(key === '' ? [{ field: 'key', text: request.t('registries.lookup.error.key') }] : []),
      ...(key.length > FIELD_MAX ? [{ field: 'key', text: request.t('registries.lookup.error.keyTooLong') }] : []),
      ...(purpose === '' ? [{ field: 'purpose', text: request.t('registries.lookup.error.purpose') }] : []),
      ...(purpose.length > FIELD_MAX ? [{ field: 'purpose', text: request.t('registries.lookup.error.purposeTooLong') }] : []),
    ];
    if (errors.length > 0) return html(reply, renderLookupPage(context(request, reply), { registry, values, errors, title: itemTitleOf }), 422);
    // The owner agency is one of the staff member's own (ownRegistry): the agency they act for.
    const reader = { actor: staffActor(principalOf(request), registry.owner), purpose, requestId: String(request.id) };
    const result = (await registries.records.read(registry, { [registry.keyField]: key }, reader)) ?? null;
    return html(reply, renderLookupPage(context(request, reply), { registry, values, errors: [], result, title: itemTitleOf }), result ? 200 : 404);
  });

  app.get(TASKS_PATH, { ...page, schema: { querystring: Type.Object({ done: Type.Optional(Type.Literal('1')) }), hide: true } }, async (request, reply) => {
    const me = principalOf(request);
    const tasks = await registries.corrections(agenciesOf(me));
    // The page shows ID numbers and what people wrote: a read of their data, recorded for each.
    await registries.auditTaskView(tasks, { accountId: me.accountId, requestId: String(request.id) });
    const names = new Map((await registries.registries()).map((r) => [r.code, r.name]));
    return html(reply, renderTasksPage(context(request, reply), { tasks, names, done: request.query.done === '1' }));
  });

  const openTask = async (request: FastifyRequest, id: string) => {
    const task = await registries.correction(id);
    // Another agency's task answers as an unknown one (its existence and the person's report are
    // not disclosed), logged as security.denied with the reason (ADR 34).
    if (task && !serves(principalOf(request), task.owner)) throw new TongbanError('TB_REGISTRIES_CORRECTION_NOT_FOUND', { denied: 'other-agency' });
    if (!task || task.status !== 'open') throw new TongbanError('TB_REGISTRIES_CORRECTION_NOT_FOUND');
    const registryName = (await registries.registries()).find((r) => r.code === task.registry)?.name[request.locale] ?? task.registry;
    return { task, registryName };
  };

  // The form shows the person's ID number and what they wrote: a view, audited as on the list.
  const showResolve = async (request: FastifyRequest, reply: FastifyReply, shown: Awaited<ReturnType<typeof openTask>>, note: string, errors: ShownError[]) => {
    await registries.auditTaskView([shown.task], { accountId: principalOf(request).accountId, requestId: String(request.id) });
    return renderResolvePage(context(request, reply), { ...shown, note, errors });
  };

  app.get(`${TASKS_PATH}/:id/resolve`, { ...page, schema: { params: idParams, hide: true } }, async (request, reply) =>
    html(reply, await showResolve(request, reply, await openTask(request, request.params.id), '', [])));

  app.post(`${TASKS_PATH}/:id/resolve`, { ...page, schema: { params: idParams, body: form, hide: true } }, async (request, reply) => {
    const shown = await openTask(request, request.params.id);
    const note = field(request.body, 'note') ?? '';
    const problem = note.trim() === '' ? 'registries.error.noteMissing' : note.trim().length > FIELD_MAX ? 'registries.error.noteTooLong' : undefined;
    if (problem) return html(reply, await showResolve(request, reply, shown, note, [{ field: 'note', text: request.t(problem) }]), 422);
    const me = principalOf(request);
    await registries.resolveCorrection({ id: shown.task.id, note, actor: staffActor(me, shown.task.owner), mayResolve: (owner) => serves(me, owner), requestId: String(request.id) });
    return reply.redirect(`${TASKS_PATH}?done=1`, 303);
  });
}
