import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Answers, CompiledForm, FieldError, FormContext, Posted, RawValue, SummaryRow } from '../../forms/index.js';
import { hasRole, type Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import { withIdempotency, type IdempotencyClaim } from '../../kernel/idempotency/index.js';
import type { Locale } from '../../kernel/i18n/index.js';
import type { CatalogService, LocalizedText, ServiceVersion } from '../catalog/service.js';
import type { IdentityService } from '../identity/service.js';
import type { MessagingService } from '../messaging/service.js';
import type { CaseView, WorkflowService } from '../workflow/service.js';
import { ApplicationsErrors } from './errors.js';
import { newReference } from './files.js';
import {
  checkUploads, DOCUMENTS_PAGE, documentsForm, fileRefs, formContext, formOf, mergeErrors, nextStep, previousStep, resumeStep,
  type AcceptedUpload, type Step, type Upload,
} from './journey.js';
import { documentInfos, notFound, toApplication, toTask, type Application, type DocumentInfo, type Task } from './model.js';
import { createApplicationsStore, type ApplicationRow, type Channel, type Executor, type StoredFileMeta } from './store.js';
import { createPanelRegistry, type CasePanel } from './panels.js';
import { createStaffAccess } from './staff.js';
import { createCounter } from './counter.js';
import { notifyApplicantOnTransitions } from './notifications.js';
import { createApiChannel, submitActor } from './api.js';
import { createKeptUploads } from './uploads.js';
import { createPrefill, markedForm, markedRowTargets, type PrefillMarks } from './prefill.js';
import type { PrefillPort } from './prefill-port.js';
import { createPrefillSteps } from './prefill-steps.js';

export { DOCUMENTS_PAGE, type Step, type Upload } from './journey.js';
export { REFERENCE_PATTERN, extensionOf } from './files.js';
export { ApplicationsErrors } from './errors.js';
export type { Channel } from './store.js';
export type { Application, DocumentInfo, Task } from './model.js';
export type { StaffView } from './staff.js';
export type { CasePanel, PanelAudience, PanelInput, PanelSource } from './panels.js';
export { COUNTER_PAGE, type CounterStart } from './counter.js';
export { agentPrincipal, postedPage, type ApiAgent, type JsonAnswers, type JsonResult, type SubmittedView } from './api.js';
export type { PrefillAgreement, PrefillConsentCheck, PrefillPort, PrefillRegistryInfo } from './prefill-port.js';
export type { PrefillItem, PrefillMarks, PrefillPlan, PrefillResult, PrefillStanding } from './prefill.js';
export { UPLOAD_LIFETIME_MS, type KeepResult, type KeptUpload, type UploadOwner } from './uploads.js';

/** An application opened for editing: what a form page needs. */
export interface Draft {
  readonly application: Application;
  readonly service: ServiceVersion;
  readonly form: CompiledForm;
  readonly documentsForm: CompiledForm | undefined;
  readonly answers: Answers;
  readonly documents: Answers;
  /** Which answers came from a registry (the form's hints already say so): docs/adr/0019. */
  readonly prefill?: PrefillMarks | undefined;
}

export interface PageResult {
  readonly errors: readonly FieldError[];
  readonly raw: Readonly<Record<string, RawValue>>;
  readonly answers: Answers;
  /** Where to go after a post without errors; undefined for "add another" / "remove". */
  readonly next: Step | undefined;
}

export interface ListItem {
  readonly application: Application;
  readonly serviceName: LocalizedText;
  readonly statusName: LocalizedText | undefined;
  readonly final: boolean;
}

export interface ApplicantView {
  readonly application: Application;
  readonly serviceName: LocalizedText;
  readonly case: CaseView;
  readonly rows: readonly SummaryRow[];
  readonly documents: readonly DocumentInfo[];
  readonly tasks: readonly Task[];
  /** Sections other modules add (fee, appointment, certificate, rating): see panels.ts. */
  readonly panels: readonly CasePanel[];
}

export interface Deps {
  readonly catalog: Pick<CatalogService, 'getCurrentService' | 'getServiceVersion' | 'searchServices' | 'listCategories' | 'listLifeEvents' | 'listAgencies'>;
  readonly workflow: Pick<WorkflowService, 'start' | 'act' | 'getCase' | 'onTransition'>;
  readonly messaging: Pick<MessagingService, 'notify'>;
  readonly identity: Pick<IdentityService, 'account'>;
  /** Registries and consent, for the once-only prefill; without it no service prefills. */
  readonly prefill?: PrefillPort;
}

/** One page as posted: its fields, and the files sent with it. */
export interface PagePost {
  readonly pageId: string;
  readonly body: Posted;
  readonly uploads: readonly Upload[];
}

interface SubmitInput {
  readonly locale: Locale;
  readonly requestId?: string | undefined;
  readonly idempotency?: IdempotencyClaim | undefined;
}

/** Pages read in memory: the answers and documents they leave, their errors, and the files they brought. */
interface ReadPages {
  answers: Answers;
  documents: Answers;
  errors: FieldError[];
  accepted: (AcceptedUpload & { readonly slot: string })[];
  /** Of the last page read (what `savePage` shows again with errors). */
  raw: Readonly<Record<string, RawValue>>;
  pageAnswers: Answers;
  action: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ANSWER_MAX = 2000;

/**
 * Applications: drafts filled in page by page (online or at a counter), their documents, the one
 * submission transaction, the applicant's view of the case, and the staff view. See
 * docs/adr/0013-applications.md.
 */
export function createApplicationsService(kernel: Kernel, deps: Deps) {
  const store = createApplicationsStore();
  const db: Executor = kernel.db;
  const ctx = () => formContext(kernel.now());
  const prefill = createPrefill({ kernel, port: deps.prefill, catalog: deps.catalog });

  const service = async (row: ApplicationRow): Promise<ServiceVersion> => {
    const found = await deps.catalog.getServiceVersion(row.service_id, row.service_version);
    if (!found) throw new Error(`Application ${row.id} refers to a service version that does not exist`);
    return found;
  };

  const find = async (id: string, executor: Executor = db): Promise<ApplicationRow | undefined> =>
    (UUID.test(id) ? store.get(executor, id.toLowerCase()) : undefined);

  /** The draft, for whoever is filling it in; anyone else learns nothing, not even that it exists. */
  async function openDraft(id: string, editor: Principal): Promise<Draft> {
    return (await openDraftRow(id, editor)).draft;
  }

  async function openDraftRow(id: string, editor: Principal): Promise<{ draft: Draft; row: ApplicationRow }> {
    const row = await find(id);
    if (!row || row.submitted_by !== editor.accountId) throw notFound();
    if (row.status !== 'draft') throw new TongbanError(ApplicationsErrors.TB_APPLICATIONS_NOT_A_DRAFT);
    const version = await service(row);
    const marks = await prefill.marks(row, version, row.answers);
    const draft = { application: toApplication(row), service: version, form: markedForm(formOf(version), marks), documentsForm: documentsForm(version), answers: row.answers, documents: row.documents, prefill: marks };
    return { draft, row };
  }

  /**
   * Reads posted pages one after the other, each on the answers the previous one left, exactly
   * as separate posts of those pages would (each page's uploads checked against that page).
   */
  function readPages(d: Draft, posts: readonly PagePost[], c: FormContext): ReadPages {
    const out: ReadPages = { answers: d.answers, documents: d.documents, errors: [], accepted: [], raw: {}, pageAnswers: {}, action: false };
    for (const post of posts) {
      const isDocuments = post.pageId === DOCUMENTS_PAGE;
      const form = isDocuments ? d.documentsForm : d.form;
      if (!form?.pages.some((p) => p.id === post.pageId)) throw notFound();
      const checked = checkUploads(form, post.pageId, post.body, post.uploads, uuidv7);
      const read = form.readPage(post.pageId, checked.posted, isDocuments ? out.documents : out.answers, c);
      out.errors.push(...mergeErrors(read.errors, checked.refused));
      if (isDocuments) out.documents = read.answers;
      else out.answers = read.answers;
      out.accepted.push(...checked.accepted.map((a) => ({ ...a, slot: `${isDocuments ? 'document' : 'field'}:${a.fieldId}` })));
      out.raw = read.raw;
      out.pageAnswers = read.answers;
      out.action = Boolean(read.action);
    }
    return out;
  }

  /** Stores the new files the answers point at and drops those they no longer do, in the caller's transaction. */
  async function saveFiles(tx: Executor, applicationId: string, editor: Principal, read: ReadPages, at: Date): Promise<void> {
    const kept = new Set(fileRefs(read.answers, read.documents));
    for (const upload of read.accepted.filter((u) => kept.has(u.fileId))) {
      await store.insertFile(tx, {
        id: upload.fileId, application_id: applicationId, slot: upload.slot,
        display_name: upload.name, content_type: upload.type, size: upload.content.length,
        sha256: createHash('sha256').update(upload.content).digest('hex'), content: upload.content, uploaded_by: editor.accountId, uploaded_at: at,
      });
    }
    await store.deleteFilesExcept(tx, applicationId, [...kept]);
  }

  /** Saves read pages (answers, documents, files) in one transaction, whether or not they had errors. */
  async function saveDraft(applicationId: string, editor: Principal, read: ReadPages): Promise<void> {
    const at = kernel.now();
    await kernel.db.transaction().execute(async (tx) => {
      await saveFiles(tx, applicationId, editor, read, at);
      await store.saveDraft(tx, applicationId, { answers: { ...read.answers }, documents: { ...read.documents } as Record<string, StoredFileMeta>, at });
    });
  }

  /** Throws TB_APPLICATIONS_INCOMPLETE with every missing answer or document. */
  function checkComplete(d: Draft, answers: Answers, documents: Answers, c: FormContext): void {
    const missing = [...d.form.validateAll(answers, c), ...(d.documentsForm?.validateAll(documents, c) ?? [])];
    if (missing.length > 0) {
      throw new TongbanError(ApplicationsErrors.TB_APPLICATIONS_INCOMPLETE, {
        fields: missing.map((e) => ({ pointer: e.pointer, message: e.messageKey, params: e.params, detail: `${e.subject.en}: ${e.messageKey}` })),
      });
    }
  }

  /**
   * The submission, in the caller's transaction: the application marked submitted with its
   * reference, the workflow case opened, the audit record, the notification queued, and with an
   * Idempotency-Key the key recorded (ADR 31). Any failure leaves none of them.
   */
  async function submitIn(tx: Executor, d: Draft, row: ApplicationRow, editor: Principal, input: SubmitInput & { answers: Answers; documents: Answers; at: Date; c: FormContext }): Promise<Application> {
    const app = d.application;
    const { at } = input;
    // At a counter a clerk, through the API a system, acts for the person.
    const assisted = app.channel !== 'online';
    const actor = submitActor(app.channel, editor, app.agencyCode);
    return withIdempotency(tx, input.idempotency, async () => {
      let reference = newReference(at);
      while (await store.referenceTaken(tx, reference)) reference = newReference(at);
      const answers = d.form.pruneAnswers(input.answers, input.c);
      if (!(await store.markSubmitted(tx, app.id, { reference, answers: { ...answers }, documents: { ...input.documents } as Record<string, StoredFileMeta>, locale: input.locale, at }))) {
        throw new TongbanError(ApplicationsErrors.TB_APPLICATIONS_NOT_A_DRAFT);
      }
      await deps.workflow.start(tx, {
        caseId: app.id, reference, serviceId: app.serviceId, serviceVersion: app.serviceVersion, agency: app.agencyCode,
        definition: d.service.definition.workflow, submittedAt: at,
        actor: { accountId: editor.accountId, role: assisted ? 'clerk' : 'applicant' },
        ...(input.requestId ? { requestId: input.requestId } : {}),
      });
      await kernel.audit.append(tx, {
        actor, action: 'application.submit', resource: { type: 'application', id: app.id },
        ...(app.applicantAccountId ? { subject: app.applicantAccountId } : {}),
        // Named by account, or by ID number before they have one.
        ...(assisted ? { onBehalfOf: app.applicantAccountId ?? `resident-id:${row.applicant_id_number ?? ''}` } : {}),
        ...(input.requestId ? { requestId: input.requestId } : {}),
        details: { reference, channel: app.channel, serviceId: app.serviceId, serviceVersion: app.serviceVersion },
      });
      if (app.applicantAccountId) {
        await deps.messaging.notify(tx, {
          accountId: app.applicantAccountId, template: 'applicationSubmitted', locale: input.locale,
          params: { reference, service: d.service.definition.name[input.locale] },
        });
      }
      return { ...app, status: 'submitted' as const, reference, submittedAt: at, updatedAt: at };
    });
  }

  async function createDraft(input: { service: ServiceVersion; editor: Principal; channel: Channel; applicantAccountId: string | null; idNumber: string | null; locale: Locale }): Promise<Application> {
    const key = { submittedBy: input.editor.accountId, serviceId: input.service.id, channel: input.channel, idNumber: input.idNumber };
    const existing = await store.findDraft(db, key);
    if (existing) return toApplication(existing);
    const inserted = await store.insertDraft(db, {
      id: uuidv7(), serviceId: input.service.id, serviceVersion: input.service.version, agencyCode: input.service.agencyCode,
      applicantAccountId: input.applicantAccountId, applicantIdNumber: input.idNumber, channel: input.channel,
      submittedBy: input.editor.accountId, locale: input.locale, at: kernel.now(),
    });
    if (inserted) return toApplication(inserted);
    // Two tabs starting at once: the unique index let one insert win; both resume that draft.
    const row = await store.findDraft(db, key);
    if (!row) throw new Error('draft vanished right after it was written');
    return toApplication(row);
  }

  /** Gives counter applications made for the person's ID number to their account, once. */
  async function linkCounterApplications(person: Principal): Promise<void> {
    const account = await deps.identity.account(person.accountId);
    if (!account?.idNumber || account.kind !== 'person') return;
    await kernel.db.transaction().execute(async (tx) => {
      const linked = await store.linkByIdNumber(tx, account.idNumber!, person.accountId, kernel.now());
      for (const id of linked) {
        await kernel.audit.append(tx, { actor: { kind: 'person', id: person.accountId }, action: 'application.link', subject: person.accountId, resource: { type: 'application', id } });
      }
    });
  }

  /** A submitted application the person made or was served at a counter; 404 for anyone else. */
  async function applicantRow(id: string, person: Principal): Promise<ApplicationRow> {
    await linkCounterApplications(person);
    const row = await find(id);
    if (!row || row.status !== 'submitted' || row.applicant_account_id !== person.accountId) throw notFound();
    return row;
  }

  // Opens the applicant's task when an officer asks for more information, in the officer's transaction.
  deps.workflow.onTransition(async (tx, event) => {
    if (event.entry.action !== 'request_info') return;
    if (!(await store.get(tx, event.case.id))) return;
    await store.insertTask(tx, {
      id: uuidv7(), application_id: event.case.id, case_seq: event.entry.seq, question: event.entry.reason ?? '',
      asked_by: event.entry.actor.id, asked_at: event.entry.at, answer: null, answered_by: null, answered_at: null,
    });
  });

  notifyApplicantOnTransitions({ workflow: deps.workflow, messaging: deps.messaging, catalog: deps.catalog, find });

  const panels = createPanelRegistry();
  panels.addPanel('staff', prefill.staffPanel);
  const staff = createStaffAccess({ kernel, store, service, find, panels, getCase: (id) => deps.workflow.getCase(id) });
  const counter = createCounter({ kernel, catalog: deps.catalog, createDraft });
  const prefillSteps = createPrefillSteps({ prefill, find, service, ctx });

  const self = {
    /** Starts (or resumes) the signed-in person's online draft for a service. */
    async startOnline(slug: string, person: Principal, locale: Locale): Promise<Application> {
      const version = await deps.catalog.getCurrentService(slug);
      if (!version || version.slug !== slug) throw new TongbanError(ApplicationsErrors.TB_APPLICATIONS_SERVICE_UNAVAILABLE);
      const account = await deps.identity.account(person.accountId);
      return createDraft({ service: version, editor: person, channel: 'online', applicantAccountId: person.accountId, idNumber: account?.idNumber ?? null, locale });
    },

    ...counter,
    ...prefillSteps,
    openDraft,

    /** Where to continue a draft: the first unanswered page, the documents, or the check page. */
    async resume(id: string, editor: Principal): Promise<Step> {
      const d = await openDraft(id, editor);
      if (await prefill.pending(d.application, d.service)) return { kind: 'prefill' };
      return resumeStep(d.form, d.documentsForm, d.answers, d.documents, ctx());
    },

    previousStep(draft: Draft, pageId: string): Step | undefined {
      return previousStep(draft.form, pageId, draft.answers, ctx());
    },

    formContext: ctx,

    /**
     * One post of one page (a form page, or the documents page): checks the uploads, reads the
     * page with the form engine and saves the draft, new files included, in one transaction,
     * whether or not the page has errors (answers keep only what passed).
     */
    async savePage(id: string, editor: Principal, pageId: string, body: Posted, uploads: readonly Upload[]): Promise<PageResult> {
      const d = await openDraft(id, editor);
      const c = ctx();
      const read = readPages(d, [{ pageId, body, uploads }], c);
      await saveDraft(d.application.id, editor, read);
      const next = read.errors.length === 0 && !read.action ? nextStep(d.form, d.documentsForm, pageId, read.answers, c) : undefined;
      return { errors: read.errors, raw: read.raw, answers: read.pageAnswers, next };
    },

    /**
     * Pages posted and the draft submitted, as `savePage` for each page and then `submit` would,
     * but with one read of the draft and, when all is well, one transaction for the answers, the
     * files and the submission (docs/adr/0027-request-hot-paths.md): the JSON API's path. With
     * errors, or answers still incomplete, the draft is saved as those posts would have left it
     * and nothing is submitted.
     */
    async submitPages(id: string, editor: Principal, posts: readonly PagePost[], input: SubmitInput): Promise<{ ok: true; application: Application } | { ok: false; errors: readonly FieldError[] }> {
      const { draft: d, row } = await openDraftRow(id, editor);
      const c = ctx();
      const read = readPages(d, posts, c);
      if (read.errors.length > 0) {
        await saveDraft(d.application.id, editor, read);
        return { ok: false, errors: read.errors };
      }
      try {
        checkComplete(d, read.answers, read.documents, c);
      } catch (error) {
        await saveDraft(d.application.id, editor, read);
        throw error;
      }
      const at = kernel.now();
      const application = await kernel.db.transaction().execute(async (tx) => {
        await saveFiles(tx, d.application.id, editor, read, at);
        return submitIn(tx, d, row, editor, { ...input, answers: read.answers, documents: read.documents, at, c });
      });
      return { ok: true, application };
    },

    /** "Check your answers": every shown answer with its page, and the documents. */
    async review(id: string, editor: Principal, locale: Locale): Promise<{ draft: Draft; rows: SummaryRow[]; documents: DocumentInfo[]; resume: Step; prefillRows: Map<string, { field: string; changed: boolean }> }> {
      const d = await openDraft(id, editor);
      const files = await store.listFiles(db, d.application.id);
      return {
        draft: d, prefillRows: markedRowTargets(d.form, d.prefill),
        rows: d.form.summary(d.answers, locale, ctx()),
        documents: documentInfos(d.service, files, d.documents as Record<string, StoredFileMeta>),
        resume: resumeStep(d.form, d.documentsForm, d.answers, d.documents, ctx()),
      };
    },

    /**
     * Submits a complete draft whose declaration was accepted. ONE transaction: the application
     * marked submitted with its reference, the workflow case opened, the audit record, and the
     * notification queued; any failure leaves none of them.
     */
    async submit(id: string, editor: Principal, input: SubmitInput & { declaration: boolean }): Promise<Application> {
      const { draft: d, row } = await openDraftRow(id, editor);
      const c = ctx();
      checkComplete(d, d.answers, d.documents, c);
      if (!input.declaration) {
        throw new TongbanError(ApplicationsErrors.TB_APPLICATIONS_DECLARATION_REQUIRED, {
          fields: [{ pointer: '/declaration', message: 'applications.declaration.required', detail: 'Confirm the declaration' }],
        });
      }
      const at = kernel.now();
      return kernel.db.transaction().execute((tx) => submitIn(tx, d, row, editor, { ...input, answers: d.answers, documents: d.documents, at, c }));
    },

    /** The reference, for the confirmation page of whoever submitted. */
    async confirmation(id: string, submitter: Principal): Promise<{ application: Application; serviceName: LocalizedText }> {
      const row = await find(id);
      if (!row || row.status !== 'submitted' || row.submitted_by !== submitter.accountId) throw notFound();
      return { application: toApplication(row), serviceName: (await service(row)).definition.name };
    },

    /** "My applications": drafts being filled in online, and every submitted case with its status. */
    async listForPerson(person: Principal): Promise<ListItem[]> {
      await linkCounterApplications(person);
      const rows = await store.listForPerson(db, person.accountId);
      return Promise.all(rows.map(async (row) => {
        const version = await service(row);
        const kase = row.status === 'submitted' ? await deps.workflow.getCase(row.id) : undefined;
        return { application: toApplication(row), serviceName: version.definition.name, statusName: kase?.statusName, final: kase?.final ?? false };
      }));
    },

    /** The applicant's status page: the case, its history, answers, documents and open requests. */
    async viewForApplicant(id: string, person: Principal, locale: Locale): Promise<ApplicantView> {
      const row = await applicantRow(id, person);
      const version = await service(row);
      const [kase, files, tasks] = await Promise.all([deps.workflow.getCase(row.id), store.listFiles(db, row.id), store.listTasks(db, row.id)]);
      const application = toApplication(row);
      return {
        application, serviceName: version.definition.name, case: kase,
        rows: formOf(version).summary(row.answers, locale, ctx()), documents: documentInfos(version, files, row.documents), tasks: tasks.map(toTask),
        panels: await panels.panelsFor('applicant', { application, definition: version.definition, case: kase, viewer: person, locale }),
      };
    },

    /** Answers an open request for more information and moves the case on, in one transaction. */
    async answerInfo(id: string, person: Principal, taskId: string, answer: string, options: { requestId?: string } = {}): Promise<CaseView> {
      const row = await applicantRow(id, person);
      const text = answer.trim();
      if (text === '' || text.length > ANSWER_MAX) {
        throw new TongbanError(ApplicationsErrors.TB_APPLICATIONS_ANSWER_REQUIRED, { fields: [{ pointer: '/answer', message: 'applications.answer.required', detail: `Write an answer of at most ${ANSWER_MAX} characters` }] });
      }
      const task = (await store.listTasks(db, row.id)).find((t) => t.id === taskId && t.answered_at === null);
      if (!task) throw new TongbanError(ApplicationsErrors.TB_APPLICATIONS_TASK_NOT_OPEN);
      return kernel.db.transaction().execute(async (tx) => {
        if (!(await store.answerTask(tx, task.id, { answer: text, by: person.accountId, at: kernel.now() }))) throw new TongbanError(ApplicationsErrors.TB_APPLICATIONS_TASK_NOT_OPEN);
        return deps.workflow.act(tx, { caseId: row.id, action: 'answer_info', actor: person, applicantAccountId: row.applicant_account_id ?? undefined, ...(options.requestId ? { requestId: options.requestId } : {}) });
      });
    },

    /** Withdraws the application while its case is not final (the workflow says when). */
    async withdraw(id: string, person: Principal, options: { requestId?: string } = {}): Promise<CaseView> {
      const row = await applicantRow(id, person);
      return deps.workflow.act(undefined, { caseId: row.id, action: 'withdraw', actor: person, applicantAccountId: row.applicant_account_id ?? undefined, ...(options.requestId ? { requestId: options.requestId } : {}) });
    },

    /** A document's bytes, for the applicant, the person filling in the draft, or staff of the agency (audited). */
    async file(id: string, fileId: string, viewer: Principal, options: { requestId?: string } = {}): Promise<{ content: Uint8Array; type: string; name: string }> {
      const row = await find(id);
      if (!row || !UUID.test(fileId)) throw notFound();
      const own = row.status === 'submitted' ? row.applicant_account_id === viewer.accountId || row.submitted_by === viewer.accountId : row.submitted_by === viewer.accountId;
      if (!own) await staff.authorise(row, viewer, 'Reading a document of the application', { ...options, details: { fileId } });
      const file = await store.getFile(db, row.id, fileId.toLowerCase());
      if (!file) throw notFound();
      return { content: file.content, type: file.content_type, name: `${row.reference ?? row.id}-${file.slot.split(':')[1] ?? 'file'}` };
    },

    viewForStaff: staff.viewForStaff,

    /** Lets another module add a section to the applicant's or the back office's page of an application. */
    addPanel: panels.addPanel,

    /**
     * A submitted application with its answers and the service version it was made under, read
     * through the caller's executor (a transition listener's transaction: the documents module
     * fills a certificate from it). Undefined for a draft or an unknown id.
     */
    async submittedWithAnswers(id: string, executor: Executor = db): Promise<{ application: Application; answers: Answers; locale: string; service: ServiceVersion } | undefined> {
      const row = await find(id, executor);
      if (!row || row.status !== 'submitted') return undefined;
      const version = await deps.catalog.getServiceVersion(row.service_id, row.service_version, executor);
      if (!version) return undefined;
      return { application: toApplication(row), answers: row.answers, locale: row.locale, service: version };
    },

    /** The public home page's browse links. */
    async browse(): Promise<{ categories: { id: string; count: number }[]; lifeEvents: { id: string; count: number }[] }> {
      const [categories, lifeEvents] = await Promise.all([deps.catalog.listCategories(), deps.catalog.listLifeEvents()]);
      return { categories, lifeEvents };
    },

    /** A submitted application by id or reference, without its answers: who applied, for what, how (for ratings). */
    async submittedSummary(idOrReference: string): Promise<Application | undefined> {
      const row = UUID.test(idOrReference) ? await find(idOrReference) : await store.getByReference(db, idOrReference.trim().toUpperCase());
      return row?.status === 'submitted' ? toApplication(row) : undefined;
    },

    /** Every application's service, agency, channel, state and dates (no personal data): performance figures. */
    async facts(): Promise<{ id: string; serviceId: string; agencyCode: string; channel: Channel; status: 'draft' | 'submitted'; createdAt: Date; submittedAt: Date | null }[]> {
      return (await store.facts(db)).map((r) => ({
        id: r.id, serviceId: r.service_id, agencyCode: r.agency_code, channel: r.channel, status: r.status, createdAt: r.created_at, submittedAt: r.submitted_at,
      }));
    },

    /** Whether the principal may use the counter at all (a clerk somewhere). */
    isClerk: (principal: Principal | undefined) => hasRole(principal, 'clerk'),
  };
  const api = createApiChannel({ kernel, catalog: deps.catalog, workflow: deps.workflow, store, find, service, createDraft, submitPages: (...a) => self.submitPages(...a) });
  return { ...self, ...api, ...createKeptUploads({ kernel, store }) };
}

export type ApplicationsService = ReturnType<typeof createApplicationsService>;
