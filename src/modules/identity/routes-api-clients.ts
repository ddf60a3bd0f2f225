import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { principalOf, recentSignInGuards, requireRecentSignIn, requireRole, signedInRecently } from '../../kernel/auth/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import { field } from '../../kernel/http/query.js';
import { pageContext } from '../../ui/index.js';
import type { ApiClient, ApiClientAdmin, ClientAdmin } from './api-clients.js';
import {
  API_CLIENTS_PATH, editValuesOf, renderChangeClientPage, renderClientsPage, renderEditClientPage, type ClientVerb, type EditValues, type PageContext, type ShownError,
} from './pages-api-clients.js';
import { changeApiClientSchema, clientIdParams, editClientForm, listApiClientsSchema } from './schemas.js';

const PLATFORM_ADMIN = requireRole('platform_admin');
const page = { config: { page: true }, preHandler: PLATFORM_ADMIN };
const VERBS: readonly ClientVerb[] = ['disable', 'enable'];
const pageQuery = Type.Object({ done: Type.Optional(Type.Union([Type.Literal('disabled'), Type.Literal('enabled'), Type.Literal('changed'), Type.Literal('unchanged')])) });
// The confirmation's form posts only the CSRF token, which the kernel's hook reads and checks.
const confirmForm = Type.Record(Type.String(), Type.Union([Type.String({ maxLength: 2000 }), Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 10 })]));

function adminOf(request: FastifyRequest): ClientAdmin {
  return { actor: { kind: 'staff', id: principalOf(request).accountId }, requestId: request.id };
}
function context(request: FastifyRequest, reply: FastifyReply): PageContext {
  return { ...pageContext(request), user: { name: principalOf(request).name }, csrfToken: reply.generateCsrf(), returnTo: request.url };
}
const html = (reply: FastifyReply, body: string) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
const shown = (c: ApiClient) => ({
  clientId: c.clientId, name: c.name, organisation: c.organisation, scopes: [...c.scopes], enabled: c.enabled, createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString(),
  keys: c.keys.map((k) => ({ kty: k.kty ?? '', ...(k.kid ? { kid: k.kid } : {}), ...(k.crv ? { crv: k.crv } : {}), ...(k.alg ? { alg: k.alg } : {}) })),
});

/** Scopes as typed in the form: one per line or separated by spaces. */
const scopesOf = (ticked: string | readonly string[] | undefined): string[] => (ticked === undefined ? [] : typeof ticked === 'string' ? [ticked] : [...ticked]);

/** The kernel's refusal of a name or scopes, as messages next to the form's two fields; anything else is thrown on. */
function shownErrors(request: FastifyRequest, error: unknown, values: EditValues): ShownError[] {
  if (!(error instanceof TongbanError) || error.code !== 'TB_AUTH_CLIENT_INVALID' || error.fields.length === 0) throw error;
  return error.fields.map((f) => (f.pointer.startsWith('/name')
    // The registry asks for a name of up to 200 characters either way; the page says which was wrong.
    ? { field: 'name', text: request.t(values.name.trim() === '' ? f.message : 'identity.clients.nameTooLong', f.params) }
    : { field: 'scopes', text: request.t(f.message, f.params) }));
}

/**
 * API clients for platform administrators (ADR 48): the page `/admin/api-clients` with a
 * confirmation before a client is disabled or enabled, and the same through `/api/identity/api-clients`.
 * Registering clients and their keys stays with the operator's `tongban clients` (ADR 46).
 */
export function registerApiClientRoutes(scope: FastifyInstance, clients: ApiClientAdmin, now: () => Date): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  // Changing a system's access is a sensitive operation (ASVS 5.0 7.5.3): the administrator must
  // have entered their credentials at the identity provider within the last ten minutes.
  const change = { preHandler: [PLATFORM_ADMIN, requireRecentSignIn(now)] };
  // A page's post after the window is refused all the same, but what was typed is kept (ADR 55).
  const changePage = { config: { page: true }, preHandler: recentSignInGuards(PLATFORM_ADMIN, { now, backTo: API_CLIENTS_PATH, why: 'identity.clients.reauthenticate' }).post };
  const mayChange = (request: FastifyRequest) => signedInRecently(request, now());

  app.get('/api/identity/api-clients', { schema: listApiClientsSchema, preHandler: PLATFORM_ADMIN }, async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ clients: (await clients.list()).map(shown) }));
  app.patch('/api/identity/api-clients/:clientId', { schema: changeApiClientSchema, ...change }, async (request) =>
    shown((await clients.update(request.params.clientId, request.body, adminOf(request))).client));

  app.get(API_CLIENTS_PATH, { ...page, schema: { querystring: pageQuery, hide: true } }, async (request, reply) =>
    html(reply, renderClientsPage(context(request, reply), { clients: await clients.list(), done: request.query.done })));

  const editPath = `${API_CLIENTS_PATH}/:clientId/edit`;
  app.get(editPath, { ...page, schema: { params: clientIdParams, hide: true } }, async (request, reply) => {
    const client = await clients.get(request.params.clientId);
    return html(reply, renderEditClientPage(context(request, reply), client, { values: editValuesOf(client), errors: [], mayChange: mayChange(request) }));
  });
  app.post(editPath, { ...changePage, schema: { params: clientIdParams, body: editClientForm, hide: true } }, async (request, reply) => {
    const values: EditValues = { name: field(request.body, 'name') ?? '', scopes: scopesOf(request.body.scopes) };
    try {
      const { outcome } = await clients.update(request.params.clientId, { name: values.name, scopes: values.scopes }, adminOf(request));
      return await reply.redirect(`${API_CLIENTS_PATH}?done=${outcome}`, 303);
    } catch (error) {
      const errors = shownErrors(request, error, values);
      const client = await clients.get(request.params.clientId);
      return html(reply.status(422), renderEditClientPage(context(request, reply), client, { values, errors, mayChange: true }));
    }
  });

  for (const verb of VERBS) {
    const path = `${API_CLIENTS_PATH}/:clientId/${verb}`;
    app.get(path, { ...page, schema: { params: clientIdParams, hide: true } }, async (request, reply) =>
      html(reply, renderChangeClientPage(context(request, reply), await clients.get(request.params.clientId), verb, mayChange(request))));
    app.post(path, { ...changePage, schema: { params: clientIdParams, body: confirmForm, hide: true } }, async (request, reply) => {
      await clients.setEnabled(request.params.clientId, verb === 'enable', adminOf(request));
      return reply.redirect(`${API_CLIENTS_PATH}?done=${verb}d`, 303);
    });
  }
}
