import { newId } from '../../kernel/ids.js';
import { answersFromAccount, type Answers, type CompiledForm, type FieldError, type FormContext, type Posted, type RawValue, type SummaryRow } from '../../forms/index.js';
import type { Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import type { Locale } from '../../kernel/i18n/index.js';
import type { ServiceVersion } from '../catalog/service.js';
import { ApplicationsErrors } from './errors.js';
import {
  checkUploads, DOCUMENTS_PAGE, documentsForm, fileRefs, formOf, mergeErrors, nextStep, previousStep as previousStepIn, resumeStep,
  type AcceptedUpload, type Step, type Upload,
} from './journey.js';
import { documentInfos, notFound, toApplication, type Application, type DocumentInfo } from './model.js';
import { markedForm, markedRowTargets, type Prefill, type PrefillMarks } from './prefill.js';
import { accountMarkedForm, type AccountFactsOf } from './prefill-account.js';
import type { ApplicationRow, ApplicationsStore, Channel, Executor, StoredFileMeta } from './store.js';
import { sha256 } from '../../kernel/digest.js';

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
  /** Errors of answers that were entered but not saved (the draft kept the one stored before). */
  readonly notSaved: readonly FieldError[];
  /** Where to go after a post without errors; undefined for "add another" / "remove". */
  readonly next: Step | undefined;
}

/** One page as posted: its fields, and the files sent with it. */
export interface PagePost {
  readonly pageId: string;
  readonly body: Posted;
  readonly uploads: readonly Upload[];
}

/** Pages read in memory: the answers and documents they leave, their errors, and the files they brought. */
export interface ReadPages {
  answers: Answers;
  documents: Answers;
  errors: FieldError[];
  /** Of `errors`, those whose entered answer or upload was not kept (see ReadPage.notSaved). */
  notSaved: FieldError[];
  accepted: (AcceptedUpload & { readonly slot: string })[];
  /** Of the last page read (what `savePage` shows again with errors). */
  raw: Readonly<Record<string, RawValue>>;
  pageAnswers: Answers;
  action: boolean;
}

export interface NewDraft {
  readonly service: ServiceVersion;
  readonly editor: Principal;
  readonly channel: Channel;
  readonly applicantAccountId: string | null;
  readonly idNumber: string | null;
  readonly locale: Locale;
}

interface DraftDeps {
  readonly kernel: Kernel;
  readonly store: ApplicationsStore;
  readonly prefill: Prefill;
  readonly find: (id: string, executor?: Executor) => Promise<ApplicationRow | undefined>;
  readonly service: (row: ApplicationRow) => Promise<ServiceVersion>;
  readonly ctx: () => FormContext;
  /** What a person's own account says, for their online drafts (docs/adr/0070). */
  readonly accountFacts: AccountFactsOf;
}

/**
 * Drafts: made once per person, service and channel, opened only by whoever fills them in, and
 * saved page by page (answers, documents and files in one transaction). See docs/adr/0013.
 */
export function createDrafts({ kernel, store, prefill, find, service, ctx, accountFacts }: DraftDeps) {
  const db: Executor = kernel.db;

  async function openDraftRow(id: string, editor: Principal): Promise<{ draft: Draft; row: ApplicationRow }> {
    const row = await find(id);
    if (!row) throw notFound();
    if (row.submitted_by !== editor.accountId) throw notFound('not-owner');
    if (row.status !== 'draft') throw new TongbanError(ApplicationsErrors.TB_APPLICATIONS_NOT_A_DRAFT);
    const version = await service(row);
    const marks = await prefill.marks(row, version, row.answers);
    const facts = row.channel === 'online' && row.applicant_account_id ? await accountFacts(row.applicant_account_id) : undefined;
    const form = accountMarkedForm(markedForm(formOf(version), marks), facts, row.answers, marks);
    const draft = { application: toApplication(row), service: version, form, documentsForm: documentsForm(version), answers: row.answers, documents: row.documents, prefill: marks };
    return { draft, row };
  }

  /** The draft, for whoever is filling it in; anyone else learns nothing, not even that it exists. */
  async function openDraft(id: string, editor: Principal): Promise<Draft> {
    return (await openDraftRow(id, editor)).draft;
  }

  /**
   * Reads posted pages one after the other, each on the answers the previous one left, exactly
   * as separate posts of those pages would (each page's uploads checked against that page).
   */
  function readPages(d: Draft, posts: readonly PagePost[], c: FormContext): ReadPages {
    const out: ReadPages = { answers: d.answers, documents: d.documents, errors: [], notSaved: [], accepted: [], raw: {}, pageAnswers: {}, action: false };
    for (const post of posts) {
      const isDocuments = post.pageId === DOCUMENTS_PAGE;
      const form = isDocuments ? d.documentsForm : d.form;
      if (!form?.pages.some((p) => p.id === post.pageId)) throw notFound();
      const checked = checkUploads(form, post.pageId, post.body, post.uploads, newId);
      const read = form.readPage(post.pageId, checked.posted, isDocuments ? out.documents : out.answers, c);
      out.errors.push(...mergeErrors(read.errors, checked.refused));
      out.notSaved.push(...mergeErrors(read.notSaved, checked.refused));
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
        sha256: sha256(upload.content, 'hex'), content: upload.content, uploaded_by: editor.accountId, uploaded_at: at,
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

  async function createDraft(input: NewDraft): Promise<Application> {
    const key = { submittedBy: input.editor.accountId, serviceId: input.service.id, channel: input.channel, idNumber: input.idNumber };
    const existing = await store.findDraft(db, key);
    if (existing) return toApplication(existing);
    // A person applying online never types what their own account says (docs/adr/0070). At a
    // counter or through the API the signed-in clerk or system is not the applicant: nothing is filled.
    const facts = input.channel === 'online' && input.applicantAccountId ? await accountFacts(input.applicantAccountId) : undefined;
    const answers = facts ? { ...answersFromAccount(formOf(input.service).definition, facts) } : {};
    const inserted = await store.insertDraft(db, {
      answers,
      id: newId(), serviceId: input.service.id, serviceVersion: input.service.version, agencyCode: input.service.agencyCode,
      applicantAccountId: input.applicantAccountId, applicantIdNumber: input.idNumber, channel: input.channel,
      submittedBy: input.editor.accountId, locale: input.locale, at: kernel.now(),
    });
    if (inserted) return toApplication(inserted);
    // Two tabs starting at once: the unique index let one insert win; both resume that draft.
    const row = await store.findDraft(db, key);
    if (!row) throw new Error('draft vanished right after it was written');
    return toApplication(row);
  }

  /** Where to continue a draft: the first unanswered page, the documents, or the check page. */
  async function resume(id: string, editor: Principal): Promise<Step> {
    const d = await openDraft(id, editor);
    if (await prefill.pending(d.application, d.service)) return { kind: 'prefill' };
    return resumeStep(d.form, d.documentsForm, d.answers, d.documents, ctx());
  }

  function previousStep(draft: Draft, pageId: string): Step | undefined {
    return previousStepIn(draft.form, pageId, draft.answers, ctx());
  }

  /**
   * One post of one page (a form page, or the documents page): checks the uploads, reads the
   * page with the form engine and saves the draft, new files included, in one transaction,
   * whether or not the page has errors: an answer with an error leaves the one stored before.
   */
  async function savePage(id: string, editor: Principal, pageId: string, body: Posted, uploads: readonly Upload[]): Promise<PageResult> {
    const d = await openDraft(id, editor);
    const c = ctx();
    const read = readPages(d, [{ pageId, body, uploads }], c);
    await saveDraft(d.application.id, editor, read);
    const next = read.errors.length === 0 && !read.action ? nextStep(d.form, d.documentsForm, pageId, read.answers, c) : undefined;
    return { errors: read.errors, notSaved: read.notSaved, raw: read.raw, answers: read.pageAnswers, next };
  }

  /** "Check your answers": every shown answer with its page, and the documents. */
  async function review(id: string, editor: Principal, locale: Locale): Promise<{ draft: Draft; rows: SummaryRow[]; documents: DocumentInfo[]; resume: Step; prefillRows: Map<string, { field: string; changed: boolean }> }> {
    const d = await openDraft(id, editor);
    const files = await store.listFiles(db, d.application.id);
    return {
      draft: d, prefillRows: markedRowTargets(d.form, d.prefill),
      rows: d.form.summary(d.answers, locale, ctx()),
      documents: documentInfos(d.service, files, d.documents as Record<string, StoredFileMeta>),
      resume: resumeStep(d.form, d.documentsForm, d.answers, d.documents, ctx()),
    };
  }

  return {
    /** For the submission and the other channels (counter, API). */
    internal: { openDraftRow, readPages, saveFiles, saveDraft, createDraft },
    /** The service's own methods for the form pages. */
    pages: { openDraft, resume, previousStep, savePage, review },
  };
}

export type Drafts = ReturnType<typeof createDrafts>;
