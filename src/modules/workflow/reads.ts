import { purposeText } from '../../kernel/audit/index.js';
import { readerActor } from '../../kernel/auth/machine/agency.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import { newId, UUID } from '../../kernel/ids.js';
import { withIdempotency, type IdempotencyClaim } from '../../kernel/idempotency/index.js';
import type { DerivedCase } from './derive.js';
import { WorkflowErrors } from './errors.js';
import type { PrincipalLike } from './service.js';
import type { CaseRow, Executor, WorkflowStore } from './store.js';
import { handlesCases, toNote, toView, type CaseView, type Note } from './view.js';

const NOTE_MAX = 2000;

/** Why staff or their agency's system read a case through the JSON API, as the audit trail says it. */
const CASE_API_PURPOSE = purposeText('workflow.purpose.caseApi');

interface ReadsDeps {
  readonly kernel: Kernel;
  readonly store: WorkflowStore;
  readonly load: (executor: Executor, caseId: string) => Promise<{ row: CaseRow; state: DerivedCase }>;
  readonly applicantAccount: (executor: Executor, caseId: string, given: undefined) => Promise<string | null>;
  readonly inTransaction: <T>(executor: Executor | undefined, work: (tx: Executor) => Promise<T>) => Promise<T>;
  readonly notFound: (caseId: string) => TongbanError;
}

/**
 * What staff read and write on a case beside its actions: internal notes, and the JSON API's
 * reads, each audited for the applicant before it is shown.
 */
export function createCaseReads({ kernel, store, load, applicantAccount, inTransaction, notFound }: ReadsDeps) {
  /** The case's row without its history, or the unknown case's 404. */
  async function caseRow(executor: Executor, caseId: string): Promise<CaseRow> {
    const row = UUID.test(caseId) ? await store.getCase(executor, caseId.toLowerCase()) : undefined;
    if (!row) throw notFound(caseId);
    return row;
  }

  /** Refuses a reader outside the case's agency as if the case did not exist, else audits the read for its applicant. */
  async function recordRead(row: CaseRow, reader: PrincipalLike, part: 'case' | 'notes', requestId: string | undefined): Promise<void> {
    if (!handlesCases(reader, row.agency)) throw new TongbanError(WorkflowErrors.TB_WORKFLOW_NOT_FOUND, { detail: `No case ${row.id}`, denied: 'other-agency' });
    const subject = await applicantAccount(kernel.db, row.id, undefined);
    await kernel.audit.append(kernel.db, {
      actor: readerActor(reader, row.agency), action: 'workflow.case.view', ...(subject ? { subject } : {}),
      resource: { type: 'case', id: row.id }, purpose: CASE_API_PURPOSE, ...(requestId ? { requestId } : {}),
      details: { part, ...(row.reference ? { reference: row.reference } : {}) },
    });
  }

  return {
    /** An internal note by an officer or supervisor of the case's agency; never shown to the applicant. */
    async addNote(caseId: string, author: PrincipalLike, text: string, options: { requestId?: string; idempotency?: IdempotencyClaim | undefined; executor?: Executor } = {}): Promise<Note> {
      const trimmed = text.trim();
      // A NUL byte cannot be stored in text: it gave a 500 (found by the form fuzzing, issue 9).
      if (trimmed === '' || trimmed.length > NOTE_MAX || trimmed.includes('\u0000')) {
        throw new TongbanError(WorkflowErrors.TB_WORKFLOW_NOTE_REQUIRED, { fields: [{ pointer: '/text', message: 'workflow.error.noteRequired', detail: `Write a note of at most ${NOTE_MAX} characters` }] });
      }
      return inTransaction(options.executor, (tx) => withIdempotency(tx, options.idempotency, async () => {
        const row = await caseRow(tx, caseId);
        if (!handlesCases(author, row.agency)) throw new TongbanError(WorkflowErrors.TB_WORKFLOW_FORBIDDEN);
        const note = { id: newId(), case_id: row.id, author_id: author.accountId, text: trimmed, at: kernel.now() };
        await store.insertNote(tx, note);
        await kernel.audit.append(tx, {
          actor: { kind: 'staff', id: author.accountId, organisation: row.agency }, action: 'workflow.note.add',
          resource: { type: 'case', id: row.id }, ...(options.requestId ? { requestId: options.requestId } : {}), details: { noteId: note.id },
        });
        return toNote(note);
      }));
    },

    /**
     * A case read by staff or a system of its agency through the JSON API, written to the audit
     * trail for its applicant ("who used my data") before it is shown. Another agency's case does
     * not exist for them. The case page needs none: it shows the application, whose read is audited.
     */
    async readCase(caseId: string, reader: PrincipalLike, options: { requestId?: string } = {}): Promise<CaseView> {
      const { row, state } = await load(kernel.db, caseId);
      await recordRead(row, reader, 'case', options.requestId);
      return toView(row, state, kernel.now());
    },

    /** The case's internal notes through the JSON API, audited as `readCase` is. */
    async readNotes(caseId: string, reader: PrincipalLike, options: { requestId?: string } = {}): Promise<Note[]> {
      const row = await caseRow(kernel.db, caseId);
      await recordRead(row, reader, 'notes', options.requestId);
      return (await store.listNotes(kernel.db, row.id)).map(toNote);
    },

    /** The notes for the case page (its application's read is the audited one); staff of the case's agency only. */
    async listNotes(caseId: string, viewer: PrincipalLike): Promise<Note[]> {
      const row = await caseRow(kernel.db, caseId);
      if (!handlesCases(viewer, row.agency)) throw new TongbanError(WorkflowErrors.TB_WORKFLOW_FORBIDDEN);
      return (await store.listNotes(kernel.db, row.id)).map(toNote);
    },
  };
}
