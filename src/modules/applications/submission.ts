import type { Answers, FieldError, FormContext } from '../../forms/index.js';
import type { Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import { withIdempotency, type IdempotencyClaim } from '../../kernel/idempotency/index.js';
import type { Locale } from '../../kernel/i18n/index.js';
import type { MessagingService } from '../messaging/service.js';
import type { WorkflowService } from '../workflow/service.js';
import { submitActor } from './api.js';
import type { Draft, Drafts, PagePost } from './drafts.js';
import { ApplicationsErrors } from './errors.js';
import { newReference } from './files.js';
import type { Application } from './model.js';
import type { ApplicationRow, ApplicationsStore, Executor, StoredFileMeta } from './store.js';

export interface SubmitInput {
  readonly locale: Locale;
  readonly requestId?: string | undefined;
  readonly idempotency?: IdempotencyClaim | undefined;
}

interface SubmissionDeps {
  readonly kernel: Kernel;
  readonly store: ApplicationsStore;
  readonly drafts: Pick<Drafts['internal'], 'openDraftRow' | 'readPages' | 'saveFiles' | 'saveDraft'>;
  readonly workflow: Pick<WorkflowService, 'start'>;
  readonly messaging: Pick<MessagingService, 'notify'>;
  readonly ctx: () => FormContext;
}

/**
 * The submission: one transaction that marks the draft submitted with its reference, opens the
 * workflow case, writes the audit record and queues the notification (docs/adr/0013, and
 * docs/adr/0027-request-hot-paths.md for the API's pages-and-submit in one go).
 */
export function createSubmission({ kernel, store, drafts, workflow, messaging, ctx }: SubmissionDeps) {
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
      await workflow.start(tx, {
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
        await messaging.notify(tx, {
          accountId: app.applicantAccountId, template: 'applicationSubmitted', locale: input.locale,
          params: { reference, service: d.service.definition.name[input.locale] },
        });
      }
      return { ...app, status: 'submitted' as const, reference, submittedAt: at, updatedAt: at };
    });
  }

  /**
   * Pages posted and the draft submitted, as `savePage` for each page and then `submit` would,
   * but with one read of the draft and, when all is well, one transaction for the answers, the
   * files and the submission (docs/adr/0027-request-hot-paths.md): the JSON API's path. With
   * errors, or answers still incomplete, the draft is saved as those posts would have left it
   * and nothing is submitted.
   */
  async function submitPages(id: string, editor: Principal, posts: readonly PagePost[], input: SubmitInput): Promise<{ ok: true; application: Application } | { ok: false; errors: readonly FieldError[] }> {
    const { draft: d, row } = await drafts.openDraftRow(id, editor);
    const c = ctx();
    const read = drafts.readPages(d, posts, c);
    if (read.errors.length > 0) {
      await drafts.saveDraft(d.application.id, editor, read);
      return { ok: false, errors: read.errors };
    }
    try {
      checkComplete(d, read.answers, read.documents, c);
    } catch (error) {
      await drafts.saveDraft(d.application.id, editor, read);
      throw error;
    }
    const at = kernel.now();
    const application = await kernel.db.transaction().execute(async (tx) => {
      await drafts.saveFiles(tx, d.application.id, editor, read, at);
      return submitIn(tx, d, row, editor, { ...input, answers: read.answers, documents: read.documents, at, c });
    });
    return { ok: true, application };
  }

  /**
   * Submits a complete draft whose declaration was accepted. ONE transaction: the application
   * marked submitted with its reference, the workflow case opened, the audit record, and the
   * notification queued; any failure leaves none of them.
   */
  async function submit(id: string, editor: Principal, input: SubmitInput & { declaration: boolean }): Promise<Application> {
    const { draft: d, row } = await drafts.openDraftRow(id, editor);
    const c = ctx();
    checkComplete(d, d.answers, d.documents, c);
    if (!input.declaration) {
      throw new TongbanError(ApplicationsErrors.TB_APPLICATIONS_DECLARATION_REQUIRED, {
        fields: [{ pointer: '/declaration', message: 'applications.declaration.required', detail: 'Confirm the declaration' }],
      });
    }
    const at = kernel.now();
    return kernel.db.transaction().execute((tx) => submitIn(tx, d, row, editor, { ...input, answers: d.answers, documents: d.documents, at, c }));
  }

  return { submitPages, submit };
}
