import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasRole, principalOf, recentSignInGuards, requireRole, requireSignedIn } from '../../kernel/auth/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import { pageContext } from '../../ui/index.js';
import { parseAgreement, valuesOf, type FieldError, type Posted } from './forms.js';
import { ADMIN_PATH, renderAdminPage, renderAgreementForm, renderRetirePage, type ShownError } from './pages-admin.js';
import { PERSON_PATH, renderPersonPage, renderWithdrawPage, type AgencyNames, type PageContext } from './pages-person.js';
import { agreementAdmin } from './routes.js';
import { adminPageQuery, agreementParams, personPageQuery, postedForm } from './schemas.js';
import type { ConsentService, DataAgreement } from './service.js';

function context(request: FastifyRequest, reply: FastifyReply): PageContext {
  return { ...pageContext(request), user: { name: principalOf(request).name }, csrfToken: reply.generateCsrf() };
}
const html = (reply: FastifyReply, body: string, status = 200) => reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
const shown = (request: FastifyRequest, errors: readonly FieldError[]): ShownError[] => errors.map((e) => ({ field: e.field, text: request.t(e.key) }));

/** The person's consent page and the administrators' agreement pages; no JavaScript needed. */
export function registerConsentPages(scope: FastifyInstance, consent: ConsentService, now: () => Date): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const person = { config: { page: true }, preHandler: requireSignedIn };
  const ADMINS = requireRole(['agency_admin', 'platform_admin']);
  const admin = { config: { page: true }, preHandler: ADMINS };
  // A data agreement says which data is shared for what and whether consent is needed: changing
  // one needs a sign-in within ten minutes (ASVS 5.0 7.5.3; ADR 52), its form's page asks first.
  const guards = recentSignInGuards(ADMINS, { now, backTo: ADMIN_PATH, why: 'consent.admin.reauthenticate' });
  const form = { config: { page: true }, preHandler: guards.page };
  const changeForm = { config: { page: true }, preHandler: guards.post };

  const agencyNames = async (): Promise<AgencyNames> => Object.fromEntries((await consent.agencies()).map((a) => [a.code, a.name]));
  const idNumberOf = async (request: FastifyRequest): Promise<string> => {
    const idNumber = await consent.idNumberOf(principalOf(request).accountId);
    if (!idNumber) throw new TongbanError('TB_CONSENT_NO_ID_NUMBER');
    return idNumber;
  };
  const consentable = async (id: string): Promise<DataAgreement> => {
    const agreement = await consent.latest(id);
    if (!agreement?.needsConsent) throw new TongbanError('TB_CONSENT_AGREEMENT_NOT_FOUND', { detail: `No data agreement ${id} that takes consent` });
    return agreement;
  };
  const change = (request: FastifyRequest, id: string, idNumber: string) => ({
    agreementId: id, idNumber, accountId: principalOf(request).accountId, channel: 'online' as const,
    actor: { kind: 'person' as const, id: principalOf(request).accountId }, requestId: request.id,
  });

  app.get(PERSON_PATH, { ...person, schema: { querystring: personPageQuery, hide: true } }, async (request, reply) => {
    const idNumber = await consent.idNumberOf(principalOf(request).accountId);
    const [lines, history, agencies] = idNumber ? await Promise.all([consent.forPerson(idNumber), consent.history(idNumber), agencyNames()]) : [[], [], {}];
    return html(reply, renderPersonPage(context(request, reply), { idNumberKnown: idNumber !== undefined, lines, history, agencies, done: request.query.done }));
  });
  app.post(`${PERSON_PATH}/:id/give`, { ...person, schema: { params: agreementParams, body: postedForm, hide: true } }, async (request, reply) => {
    const agreement = await consentable(request.params.id);
    await consent.give(change(request, agreement.id, await idNumberOf(request)));
    return reply.redirect(`${PERSON_PATH}?done=given#agreement-${agreement.id}`, 303);
  });
  app.get(`${PERSON_PATH}/:id/withdraw`, { ...person, schema: { params: agreementParams, hide: true } }, async (request, reply) => {
    const agreement = await consentable(request.params.id);
    return html(reply, renderWithdrawPage(context(request, reply), agreement, await agencyNames()));
  });
  app.post(`${PERSON_PATH}/:id/withdraw`, { ...person, schema: { params: agreementParams, body: postedForm, hide: true } }, async (request, reply) => {
    const agreement = await consentable(request.params.id);
    await consent.withdraw(change(request, agreement.id, await idNumberOf(request)));
    return reply.redirect(`${PERSON_PATH}?done=withdrawn#agreement-${agreement.id}`, 303);
  });

  /** The agencies this administrator may act for, as the form's choices. */
  const controllers = async (request: FastifyRequest) => {
    const me = principalOf(request);
    return (await consent.agencies()).filter((a) => hasRole(me, 'platform_admin') || hasRole(me, 'agency_admin', a.code))
      .map((a) => ({ code: a.code, name: a.name[request.locale] }));
  };
  const editable = async (request: FastifyRequest, id: string): Promise<DataAgreement> => {
    const agreement = await consent.latest(id);
    if (!agreement?.active || !agreementAdmin(request).may(agreement.controller)) throw new TongbanError('TB_CONSENT_AGREEMENT_NOT_FOUND', { detail: `No active data agreement ${id} of your agencies` });
    return agreement;
  };
  async function save(request: FastifyRequest, reply: FastifyReply, posted: Posted, editing: DataAgreement | undefined) {
    const again = async (errors: readonly FieldError[]) => html(reply, renderAgreementForm(context(request, reply), {
      editing, versions: editing ? await consent.versions(editing.id) : undefined, controllers: await controllers(request), values: posted, errors: shown(request, errors),
    }), 422);
    const parsed = parseAgreement(posted, editing?.id);
    if (!parsed.ok) return again(parsed.errors);
    try {
      await consent.saveAgreement(parsed.input, agreementAdmin(request), { create: editing === undefined });
    } catch (error) {
      if (!(error instanceof TongbanError)) throw error;
      const field = { TB_CONSENT_AGREEMENT_EXISTS: 'id', TB_CONSENT_FORBIDDEN: 'controller', TB_CONSENT_AGREEMENT_INVALID: 'controller' }[error.code];
      if (!field) throw error;
      return again([{ field, key: error.code === 'TB_CONSENT_AGREEMENT_EXISTS' ? 'consent.admin.error.exists' : 'consent.admin.error.controller' }]);
    }
    return reply.redirect(`${ADMIN_PATH}?done=saved`, 303);
  }

  app.get(ADMIN_PATH, { ...admin, schema: { querystring: adminPageQuery, hide: true } }, async (request, reply) => {
    const me = agreementAdmin(request);
    const agreements = (await consent.listAgreements({ includeRetired: true })).filter((a) => me.may(a.controller));
    return html(reply, renderAdminPage(context(request, reply), { agreements, agencies: await agencyNames(), done: request.query.done }));
  });
  app.get(`${ADMIN_PATH}/new`, { ...form, schema: { hide: true } }, async (request, reply) =>
    html(reply, renderAgreementForm(context(request, reply), { controllers: await controllers(request), values: { lawfulBasis: 'consent' }, errors: [] })));
  app.post(`${ADMIN_PATH}/new`, { ...changeForm, schema: { body: postedForm, hide: true } }, async (request, reply) => save(request, reply, request.body, undefined));
  app.get(`${ADMIN_PATH}/:id/edit`, { ...form, schema: { params: agreementParams, hide: true } }, async (request, reply) => {
    const agreement = await editable(request, request.params.id);
    return html(reply, renderAgreementForm(context(request, reply), {
      editing: agreement, versions: await consent.versions(agreement.id), controllers: await controllers(request), values: valuesOf(agreement), errors: [],
    }));
  });
  app.post(`${ADMIN_PATH}/:id/edit`, { ...changeForm, schema: { params: agreementParams, body: postedForm, hide: true } }, async (request, reply) =>
    save(request, reply, request.body, await editable(request, request.params.id)));
  app.get(`${ADMIN_PATH}/:id/retire`, { ...form, schema: { params: agreementParams, hide: true } }, async (request, reply) =>
    html(reply, renderRetirePage(context(request, reply), await editable(request, request.params.id), await agencyNames())));
  app.post(`${ADMIN_PATH}/:id/retire`, { ...changeForm, schema: { params: agreementParams, body: postedForm, hide: true } }, async (request, reply) => {
    await editable(request, request.params.id);
    await consent.retireAgreement(request.params.id, agreementAdmin(request));
    return reply.redirect(`${ADMIN_PATH}?done=retired`, 303);
  });
}
