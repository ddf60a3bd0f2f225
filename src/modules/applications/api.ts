import { clientActor } from '../../kernel/auth/machine/index.js';
import { compileForm, fieldModule, type FieldError, type FormDefinition, type Posted, type RawValue, type SummaryRow, type Text } from '../../forms/index.js';
import type { Actor } from '../../kernel/audit/types.js';
import type { Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import type { IdempotencyClaim } from '../../kernel/idempotency/index.js';
import { translate, type Locale } from '../../kernel/i18n/index.js';
import type { CatalogService, LocalizedText, ServiceVersion } from '../catalog/service.js';
import type { CaseView, WorkflowService } from '../workflow/service.js';
import { ApplicationsErrors } from './errors.js';
import { DOCUMENTS_PAGE, formContext, formOf, type Upload } from './journey.js';
import { documentInfos, notFound, toApplication, type Application, type DocumentInfo } from './model.js';
import type { ApplicationRow, ApplicationsStore, Channel, Executor } from './store.js';

/**
 * JSON answers instead of form posts, and the `api` channel: a system (a machine client) applying
 * for a person it identifies by resident ID number, as a clerk does at a counter. The answers
 * become the very posts a browser sends, so the pages' parsing, checks and saving apply unchanged.
 */

/** A machine client acting for a person; recorded as `client:<clientId>`. */
export interface ApiAgent { readonly clientId: string; readonly organisation: string }

const CLIENT_PREFIX = 'client:';

/** The agent as the draft's editor: its account id is `client:<clientId>`, its name its organisation. */
export const agentPrincipal = (agent: ApiAgent): Principal => ({ accountId: `${CLIENT_PREFIX}${agent.clientId}`, kind: 'staff', name: agent.organisation, roles: [] });

/** Who the audit trail names for a submission: the person, the clerk, or the system acting for the person. */
export function submitActor(channel: Channel, editor: Principal, agency: string): Actor {
  if (channel === 'api') return clientActor({ clientId: editor.accountId.slice(CLIENT_PREFIX.length), organisation: editor.name });
  if (channel === 'counter') return { kind: 'staff', id: editor.accountId, organisation: agency };
  return { kind: 'person', id: editor.accountId };
}

/** The form inputs of one raw value: `<id>`, `<id>-<part>`, `<id>-<n>-<sub-field>` (the engine's naming). */
function flatten(out: Record<string, unknown>, name: string, raw: RawValue): void {
  if (typeof raw === 'string') { out[name] = raw; return; }
  if (Array.isArray(raw)) {
    if (raw.every((v) => typeof v === 'string')) out[name] = raw;
    else raw.forEach((item, n) => flatten(out, `${name}-${n}`, item as RawValue));
    return;
  }
  for (const [part, value] of Object.entries(raw as Record<string, RawValue | undefined>)) if (value !== undefined) flatten(out, `${name}-${part}`, value);
}

/** One page's JSON answers (already checked against its JSON Schema) as the page's form post. */
export function postedPage(form: FormDefinition, pageId: string, answers: Readonly<Record<string, unknown>>): Posted {
  const page = form.pages.find((p) => p.id === pageId);
  const out: Record<string, unknown> = {};
  for (const field of page?.fields ?? []) {
    const value = answers[field.id];
    if (value === undefined || value === null) continue;
    flatten(out, field.id, fieldModule(field.type).toRaw(field, value));
  }
  return out;
}

const text = (key: string): Text => ({ en: translate('en', key), 'zh-CN': translate('zh-CN', key) });
/** The counter's ID number check (format, checksum, date of birth), as a one-field form. */
const ID_FORM = compileForm({ pages: [{ id: 'applicant', title: text('applications.counter.title'), fields: [{ id: 'resident_id', type: 'resident-id', label: text('applications.counter.residentId') }] }] });

export interface JsonAnswers {
  /** By page id, then field id, in the form engine's JSON shapes. */
  readonly answers: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Files for the service's documents: `fieldId` is the document id. */
  readonly uploads: readonly Upload[];
  readonly locale: Locale;
  readonly requestId?: string;
  /** The caller's Idempotency-Key: recorded in the submission's transaction (ADR 31). */
  readonly idempotency?: IdempotencyClaim | undefined;
}

export type JsonResult = { readonly ok: true; readonly application: Application } | { readonly ok: false; readonly errors: readonly FieldError[] };

/** What the one who submitted sees right after: the answers as shown, the documents, the case. */
export interface SubmittedView {
  readonly application: Application;
  readonly serviceName: LocalizedText;
  readonly case: CaseView;
  readonly rows: readonly SummaryRow[];
  readonly documents: readonly DocumentInfo[];
}

interface ApiDeps {
  readonly kernel: Kernel;
  readonly catalog: Pick<CatalogService, 'getCurrentService'>;
  readonly workflow: Pick<WorkflowService, 'getCase'>;
  readonly store: Pick<ApplicationsStore, 'listFiles'>;
  readonly find: (id: string, executor?: Executor) => Promise<ApplicationRow | undefined>;
  readonly service: (row: ApplicationRow) => Promise<ServiceVersion>;
  readonly createDraft: (input: { service: ServiceVersion; editor: Principal; channel: Channel; applicantAccountId: string | null; idNumber: string | null; locale: Locale }) => Promise<Application>;
  /** Every page posted and the draft submitted: `savePage` for each, then `submit`, in one transaction. */
  readonly submitPages: (id: string, editor: Principal, posts: readonly { pageId: string; body: Posted; uploads: readonly Upload[] }[], input: { locale: Locale; requestId?: string; idempotency?: IdempotencyClaim | undefined }) => Promise<JsonResult>;
}

export function createApiChannel(deps: ApiDeps) {
  const { kernel } = deps;
  return {
    /**
     * Opens (or resumes) a system's draft for a person named by resident ID number, channel `api`.
     * The person has no account link yet; it is made when they sign in, as for the counter.
     */
    async startForPerson(agent: ApiAgent, input: { serviceId: string; idNumber: string; locale: Locale }): Promise<JsonResult> {
      const read = ID_FORM.readPage('applicant', { resident_id: input.idNumber }, {}, formContext(kernel.now()));
      const idNumber = read.answers.resident_id;
      if (read.errors.length > 0 || typeof idNumber !== 'string') return { ok: false, errors: read.errors };
      const version = await deps.catalog.getCurrentService(input.serviceId);
      if (!version) throw new TongbanError(ApplicationsErrors.TB_APPLICATIONS_SERVICE_UNAVAILABLE);
      const application = await deps.createDraft({ service: version, editor: agentPrincipal(agent), channel: 'api', applicantAccountId: null, idNumber, locale: input.locale });
      return { ok: true, application };
    },

    /**
     * Fills a draft from JSON answers and submits it: every page posted (an absent one empty, so
     * nothing an earlier attempt left counts), the documents page with the files, then `submit`
     * (which throws TB_APPLICATIONS_INCOMPLETE for what only the whole form shows).
     */
    async submitAnswers(draftId: string, editor: Principal, input: JsonAnswers): Promise<JsonResult> {
      const row = await deps.find(draftId);
      if (!row) throw notFound();
      if (row.submitted_by !== editor.accountId) throw notFound('not-owner');
      const version = await deps.service(row);
      const form = version.definition.form;
      const posts = form.pages.map((page) => ({ pageId: page.id, body: postedPage(form, page.id, input.answers[page.id] ?? {}), uploads: [] as readonly Upload[] }));
      if (input.uploads.length > 0) posts.push({ pageId: DOCUMENTS_PAGE, body: {}, uploads: input.uploads });
      return deps.submitPages(draftId, editor, posts, { locale: input.locale, ...(input.requestId ? { requestId: input.requestId } : {}), idempotency: input.idempotency });
    },

    /** The submitted application, for whoever submitted it (the person, a clerk, or a system); 404 for anyone else. */
    async viewSubmitted(id: string, submitter: Principal, locale: Locale): Promise<SubmittedView> {
      const row = await deps.find(id);
      if (!row) throw notFound();
      if (row.submitted_by !== submitter.accountId) throw notFound('not-owner');
      if (row.status !== 'submitted') throw notFound();
      const version = await deps.service(row);
      const [kase, files] = await Promise.all([deps.workflow.getCase(row.id), deps.store.listFiles(kernel.db, row.id)]);
      return {
        application: toApplication(row), serviceName: version.definition.name, case: kase,
        rows: formOf(version).summary(row.answers, locale, formContext(kernel.now())), documents: documentInfos(version, files, row.documents),
      };
    },
  };
}
