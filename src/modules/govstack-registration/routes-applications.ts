import { purposeText } from '../../kernel/audit/index.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import type { SummaryRow } from '../../forms/index.js';
import type { Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError, type FieldProblem } from '../../kernel/http/index.js';
import { idempotentAnswer, type IdempotencyClaim } from '../../kernel/idempotency/index.js';
import type { Locale } from '../../kernel/i18n/index.js';
import type { Application, ApplicationsService, DocumentInfo, JsonResult } from '../applications/service.js';
import type { CatalogService, LocalizedText, ServiceVersion } from '../catalog/service.js';
import type { CaseSummary, CaseView, QueueSort, WorkflowService } from '../workflow/service.js';
import { callerOf, handledAgencies, isOperator, requireCaller, SCOPES, type Caller } from './caller.js';
import { GovstackRegistrationErrors } from './errors.js';
import { eFormIdOf, statusOf } from './mapping.js';
import { getApplicationSchema, listApplicationsSchema, submitSchema, updateApplicationSchema, type SortKey } from './schemas-cases.js';
import { completenessProblems, readDocumentUrls, requestProblems, shapeProblems } from './submission.js';
import './messages.js';

export interface CaseDeps {
  readonly kernel: Kernel;
  readonly catalog: Pick<CatalogService, 'getCurrentService' | 'getServiceVersion' | 'searchServices'>;
  readonly applications: Pick<ApplicationsService, 'startOnline' | 'startForPerson' | 'submitAnswers' | 'viewSubmitted' | 'keepUpload' | 'keptUpload' | 'discardUploads' | 'listForPerson' | 'viewForApplicant' | 'viewForStaff'>;
  readonly workflow: Pick<WorkflowService, 'getCase' | 'queue' | 'act' | 'addNote' | 'update' | 'availableActions' | 'needsReason' | 'statistics'>;
}

export const PURPOSE = purposeText('govstack.registration.purpose.cases');

/** The operator's case, or "not found" for a case of another agency: its existence is not theirs to learn. */
export async function handledCase(workflow: CaseDeps['workflow'], caller: Caller, caseId: string): Promise<CaseView> {
  const kase = await workflow.getCase(caseId);
  if (!handledAgencies(caller).includes(kase.agency)) throw new TongbanError('TB_WORKFLOW_NOT_FOUND', { denied: 'other-agency' });
  return kase;
}

/** Service names of many cases, read once per version. */
export function serviceNames(catalog: CaseDeps['catalog']) {
  const cache = new Map<string, Promise<ServiceVersion | undefined>>();
  return async (id: string, version: number): Promise<LocalizedText> => {
    const key = `${id}.${version}`;
    if (!cache.has(key)) cache.set(key, catalog.getServiceVersion(id, version));
    const found = await cache.get(key);
    return found?.definition.name ?? { 'zh-CN': id, en: id };
  };
}

/** The queue's window and order for the spec's paging and sorting parameters (firstResult is an index, not a page). */
export function paging(q: { firstResult?: number | undefined; maxResult?: number | undefined; sortBy?: SortKey | undefined; sortOrder?: 'asc' | 'desc' | undefined }, defaultSort: QueueSort) {
  const sorts: Record<SortKey, QueueSort> = {
    instanceId: 'id', caseInstanceId: 'id', executionId: 'id', caseExecutionId: 'id', id: 'id',
    dueDate: 'due', priority: 'due', created: 'submitted', assignee: 'assignee', description: 'reference', name: 'status', nameCaseInsensitive: 'status',
  };
  return { offset: q.firstResult ?? 0, pageSize: q.maxResult ?? 20, sort: q.sortBy ? sorts[q.sortBy] : defaultSort, descending: q.sortOrder === 'desc' };
}

/** A person's few cases in the queue's order (the same keys, the id last), for lists not read from the queue. */
export function sortCases<C extends CaseSummary>(cases: readonly C[], sort: QueueSort, descending: boolean): C[] {
  const key = (c: C): string | number | null => sort === 'due' ? c.dueAt.getTime() : sort === 'submitted' ? c.submittedAt.getTime()
    : sort === 'assignee' ? c.assignee : sort === 'reference' ? c.reference : sort === 'status' ? c.status : c.id;
  const sign = descending ? -1 : 1;
  return [...cases].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    // As in the queue's SQL: no value comes last either way.
    if (ka === null || kb === null) return ka === kb ? 0 : ka === null ? 1 : -1;
    return sign * (ka < kb ? -1 : ka > kb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
}

export function registerApplicationRoutes(scope: FastifyInstance, deps: CaseDeps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { kernel, catalog, applications, workflow } = deps;
  const publicUrl = kernel.config.publicUrl.replace(/\/$/, '');

  const fileResponse = (input: { application: Application; serviceName: LocalizedText; kase: CaseSummary; rows: readonly SummaryRow[]; documents: readonly DocumentInfo[]; applicantId: string | null }, locale: Locale) => {
    const { application: a } = input;
    const data: Record<string, Record<string, string>> = {};
    for (const row of input.rows) (data[row.pageId] ??= {})[row.fieldId] = row.value;
    return {
      // The spec requires applicantId at the top as well as in applicationData.
      fileId: a.id, applicantId: input.applicantId ?? '', ...(a.submittedAt ? { registered: a.submittedAt.toISOString() } : {}), serviceId: a.serviceId, serviceName: input.serviceName[locale],
      status: statusOf(input.kase, locale), ended: input.kase.final,
      applicationData: {
        applicantId: input.applicantId ?? '', ...(a.reference ? { applicationName: a.reference } : {}), created: a.createdAt.toISOString(),
        formData: { eFormId: eFormIdOf(a.serviceId, a.serviceVersion), data },
        documentUrls: input.documents.map((d) => `${publicUrl}/applications/${a.id}/files/${d.id}`),
      },
    };
  };

  /** The application as the caller may see it: their own, or (audited by the applications module) their agency's. */
  const viewFile = async (request: FastifyRequest, caller: Caller, fileId: string) => {
    if (isOperator(caller)) {
      const kase = await handledCase(workflow, caller, fileId);
      const view = await applications.viewForStaff(fileId, caller.principal, PURPOSE, { locale: request.locale, requestId: String(request.id) });
      return fileResponse({ ...view, kase, applicantId: view.application.applicantAccountId }, request.locale);
    }
    const view = await applications.viewForApplicant(fileId, caller.principal, request.locale);
    return fileResponse({ ...view, kase: view.case, applicantId: caller.principal.accountId }, request.locale);
  };

  // With an Idempotency-Key, a retry gets the first answer and submits nothing twice (ADR 31): the
  // lookup comes first, since a retry's uploads were already taken by the first submission.
  app.post('/services/:serviceId/applications', { schema: submitSchema, preHandler: requireCaller(kernel, { scope: SCOPES.apply, sessions: true }) }, async (request, reply) => {
    const caller = callerOf(request);
    const idempotencyCaller = caller.kind === 'client' ? `client:${caller.client.clientId}` : `account:${caller.principal.accountId}`;
    return idempotentAnswer(kernel, request, reply, (claim) => submitApplication({ serviceId: request.params.serviceId, body: request.body, locale: request.locale, id: String(request.id) }, caller, claim), async (application: Pick<Application, 'id'>) => {
      if (caller.kind === 'session') return { status: 200, body: await viewFile(request, caller, application.id) };
      const view = await applications.viewSubmitted(application.id, caller.principal, request.locale);
      return { status: 200, body: fileResponse({ ...view, kase: view.case, applicantId: request.body.applicantId }, request.locale) };
    }, { caller: idempotencyCaller });
  });

  const submitApplication = async (request: { serviceId: string; body: Static<typeof submitSchema.body>; locale: Locale; id: string }, caller: Caller, idempotency: IdempotencyClaim | undefined): Promise<Application> => {
    // A member of staff applies through the counter pages; here a person applies, or a system for a person.
    if (caller.kind === 'session' && caller.principal.kind === 'staff') throw new TongbanError(GovstackRegistrationErrors.TB_GOVSTACK_PERSON_REQUIRED);
    const editor: Principal = caller.principal;
    const body = request.body;
    if (caller.kind === 'session' && body.applicantId !== editor.accountId) {
      throw new TongbanError('TB_KERNEL_FORBIDDEN', { detail: 'You may apply only for yourself', fields: [{ pointer: '/applicantId', message: 'kernel.error.forbidden', detail: 'must be your own account id' }] });
    }
    const version = await catalog.getCurrentService(request.serviceId);
    if (!version) throw new TongbanError('TB_CATALOG_SERVICE_NOT_FOUND', { detail: `No published service ${request.serviceId}` });
    const current = eFormIdOf(version.id, version.version);
    if (body.formData?.eFormId !== undefined && body.formData.eFormId !== current) {
      throw new TongbanError(GovstackRegistrationErrors.TB_GOVSTACK_EFORM_MISMATCH, { fields: [{ pointer: '/formData/eFormId', message: 'govstack.registration.error.eFormMismatch', detail: `must be ${current}` }] });
    }
    const data = (body.formData?.data ?? {}) as Record<string, Record<string, unknown>>;
    const sent = await readDocumentUrls(body.documentUrls ?? [], version, (id) => applications.keptUpload(id, editor.accountId));
    const shape = [...shapeProblems(version, data), ...sent.problems];
    if (shape.length > 0) throw new TongbanError('TB_KERNEL_VALIDATION', { fields: shape });
    // Checked whole before the draft is touched, so one request never leans on what an earlier one left there.
    const gaps = completenessProblems(version, data, sent.documents, kernel.now());
    if (gaps.length > 0) throw new TongbanError('TB_APPLICATIONS_INCOMPLETE', { fields: gaps });

    // The person's own draft, or the system's draft for the person it names by resident ID number (channel api).
    let draft: Application;
    if (caller.kind === 'client') {
      const started = await applications.startForPerson({ clientId: caller.client.clientId, organisation: caller.client.organisation }, { serviceId: version.id, idNumber: body.applicantId, locale: request.locale });
      if (!started.ok) {
        throw new TongbanError('TB_KERNEL_VALIDATION', { fields: started.errors.map((e) => ({ pointer: '/applicantId', message: e.messageKey, params: e.params, detail: 'must be the person\'s resident identity card number' })) });
      }
      draft = started.application;
    } else {
      draft = await applications.startOnline(version.slug, editor, request.locale);
    }
    const uploads = sent.documents.map((d) => ({ fieldId: d.documentId, filename: d.documentId, claimedType: d.type, content: d.content, truncated: false }));
    let result: JsonResult;
    try {
      result = await applications.submitAnswers(draft.id, editor, { answers: data, uploads, locale: request.locale, requestId: request.id, idempotency });
    } catch (error) {
      if (error instanceof TongbanError && error.code === 'TB_APPLICATIONS_INCOMPLETE') {
        const fields = error.fields.map((f) => ({ pointer: f.pointer, fieldId: '', messageKey: f.message, params: f.params ?? {}, subject: { en: f.detail, 'zh-CN': f.detail } }));
        throw new TongbanError('TB_APPLICATIONS_INCOMPLETE', { fields: requestProblems(version, fields, sent.documents), cause: error });
      }
      throw error;
    }
    if (!result.ok) throw new TongbanError('TB_APPLICATIONS_INCOMPLETE', { fields: requestProblems(version, result.errors, sent.documents) });
    // The application holds its own copies now.
    await applications.discardUploads(sent.uploadIds, editor.accountId);
    return result.application;
  };

  app.get('/applications', { schema: listApplicationsSchema, preHandler: requireCaller(kernel, { scope: SCOPES.read, sessions: true }) }, async (request) => {
    const caller = callerOf(request);
    const q = request.query;
    const nameOf = serviceNames(catalog);
    const item = async (kase: CaseSummary, applicantId?: string | null) => ({
      fileId: kase.id, mainTaskId: kase.id, taskTitle: kase.statusName[request.locale], ...(kase.assignee ? { assigneeId: kase.assignee } : {}),
      status: statusOf(kase, request.locale), ...(applicantId ? { applicantId } : {}), registered: kase.submittedAt.toISOString(),
      description: kase.reference ?? '', serviceName: (await nameOf(kase.serviceId, kase.serviceVersion))[request.locale], serviceId: kase.serviceId,
      eformId: eFormIdOf(kase.serviceId, kase.serviceVersion),
    });
    if (isOperator(caller)) {
      const agencies = handledAgencies(caller);
      if (agencies.length === 0) return [];
      const result = await workflow.queue({ agency: agencies, state: 'all', serviceId: q.serviceId, ...paging(q, 'submitted') });
      return Promise.all(result.items.map((c) => item(c)));
    }
    // A person's own applications are few: read whole, then ordered and windowed as the queue would be.
    const mine = (await applications.listForPerson(caller.principal)).filter((i) => i.application.status === 'submitted' && (!q.serviceId || i.application.serviceId === q.serviceId));
    const window = paging(q, 'submitted');
    const cases = sortCases(await Promise.all(mine.map((i) => workflow.getCase(i.application.id))), window.sort, window.descending);
    const created = new Map(mine.map((i) => [i.application.id, i.application.createdAt.toISOString()]));
    return Promise.all(cases.slice(window.offset, window.offset + window.pageSize)
      .map(async (c) => ({ ...(await item(c, caller.principal.accountId)), created: created.get(c.id) ?? c.submittedAt.toISOString() })));
  });

  app.get('/applications/:fileId', { schema: getApplicationSchema, preHandler: requireCaller(kernel, { scope: SCOPES.read, sessions: true }) }, async (request) =>
    viewFile(request, callerOf(request), request.params.fileId));

  app.put('/applications/:fileId', { schema: updateApplicationSchema, preHandler: requireCaller(kernel, { scope: SCOPES.operate, sessions: true }) }, async (request, reply) => {
    const caller = callerOf(request);
    if (!isOperator(caller)) throw new TongbanError('TB_KERNEL_FORBIDDEN', { detail: 'Only an officer or a case system of the agency may update an application' });
    const { fileId } = request.params;
    await handledCase(workflow, caller, fileId);
    const data = (request.body.formData?.data ?? {}) as { decision?: { action?: unknown; reason?: unknown }; note?: { text?: unknown } };
    const decision = data.decision;
    const note = data.note;
    const problems: FieldProblem[] = [];
    if (decision && typeof decision.action !== 'string') problems.push({ pointer: '/formData/data/decision/action', message: 'kernel.error.fieldInvalid', detail: 'must be a workflow action' });
    if (decision?.reason !== undefined && typeof decision.reason !== 'string') problems.push({ pointer: '/formData/data/decision/reason', message: 'kernel.error.fieldInvalid', detail: 'must be text' });
    if (note && typeof note.text !== 'string') problems.push({ pointer: '/formData/data/note/text', message: 'kernel.error.fieldInvalid', detail: 'must be text' });
    if (!decision && !note) problems.push({ pointer: '/formData/data', message: 'kernel.error.fieldInvalid', detail: 'must hold a decision { action, reason } or a note { text }' });
    if (problems.length > 0) throw new TongbanError('TB_KERNEL_VALIDATION', { fields: problems });
    if (decision) checkAction(caller, decision.action as string);
    // The note and the action in one transaction; with an Idempotency-Key a retry writes neither twice (issue 9, ADR 31).
    return idempotentAnswer(kernel, request, reply, (claim) => workflow.update({
      caseId: fileId, actor: caller.principal, note: note?.text as string | undefined, requestId: String(request.id), idempotency: claim,
      action: decision ? { action: decision.action as string, reason: decision.reason as string | undefined } : undefined,
    }), async ({ id }) => ({ status: 200, body: await viewFile(request, caller, id) }), { caller: idempotencyCallerOf(caller) });
  });
}

/** One workflow action by an operator; a system may not ask the applicant a question (a person must). */
export async function takeAction(deps: Pick<CaseDeps, 'workflow'>, caller: Caller, caseId: string, action: string, reason: string | undefined, requestId: string, idempotency?: IdempotencyClaim): Promise<CaseView> {
  checkAction(caller, action);
  return deps.workflow.act(undefined, { caseId, action, actor: caller.principal, reason, requestId, idempotency });
}

function checkAction(caller: Caller, action: string): void {
  if (caller.kind === 'client' && action === 'request_info') {
    throw new TongbanError(GovstackRegistrationErrors.TB_GOVSTACK_PERSON_REQUIRED, { detail: 'A request for more information is asked by an officer, not by a system' });
  }
}

/** Whose Idempotency-Key it is: the machine client, or the signed-in account (ADR 31). */
export const idempotencyCallerOf = (caller: Caller): string => caller.kind === 'client' ? `client:${caller.client.clientId}` : `account:${caller.principal.accountId}`;
