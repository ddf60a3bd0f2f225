import { newId } from '../../kernel/ids.js';
import type { FormContext, SummaryRow } from '../../forms/index.js';
import type { Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import type { Locale } from '../../kernel/i18n/index.js';
import type { LocalizedText, ServiceVersion } from '../catalog/service.js';
import type { IdentityService } from '../identity/service.js';
import type { CaseView, WorkflowService } from '../workflow/service.js';
import { ApplicationsErrors } from './errors.js';
import { formOf } from './journey.js';
import { documentInfos, notFound, toApplication, toTask, type Application, type DocumentInfo, type Task } from './model.js';
import type { CasePanel, PanelRegistry } from './panels.js';
import type { ApplicationRow, ApplicationsStore, Executor } from './store.js';

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

/** One application in the person's copy of their data: what they gave and what became of it. */
export interface ApplicationCopy {
  readonly application: Application;
  readonly serviceName: LocalizedText;
  /** As stored, by field id (machine-readable), and as the status page shows them. */
  readonly answers: Readonly<Record<string, unknown>>;
  readonly summary: readonly { readonly label: string; readonly value: string }[];
  readonly documents: readonly DocumentInfo[];
  readonly case: {
    readonly status: string; readonly statusName: LocalizedText; readonly dueAt: Date; readonly closedAt: Date | null;
    readonly history: readonly { readonly at: Date; readonly from: string | null; readonly to: string; readonly action: string; readonly reason: string | null }[];
  } | undefined;
  readonly requests: readonly Task[];
}

/** The workflow reasons an applicant is shown (a request's question, a refusal's grounds); others are staff's notes. */
export const REASONS_SHOWN = new Set(['request_info', 'reject']);

interface ApplicantDeps {
  readonly kernel: Kernel;
  readonly store: ApplicationsStore;
  readonly identity: Pick<IdentityService, 'account'>;
  readonly workflow: Pick<WorkflowService, 'act' | 'getCase' | 'onTransition'>;
  readonly panels: PanelRegistry;
  readonly find: (id: string, executor?: Executor) => Promise<ApplicationRow | undefined>;
  readonly service: (row: ApplicationRow) => Promise<ServiceVersion>;
  readonly ctx: () => FormContext;
}

const ANSWER_MAX = 2000;

/**
 * The applicant's side once submitted: the confirmation, "my applications", the status page,
 * answers to requests for more information (tasks), and withdrawal. Counter applications made
 * for the person's ID number become theirs the first time they look.
 */
export function createApplicantAccess({ kernel, store, identity, workflow, panels, find, service, ctx }: ApplicantDeps) {
  const db: Executor = kernel.db;

  /** Gives counter applications made for the person's ID number to their account, once. */
  async function linkCounterApplications(person: Principal): Promise<void> {
    const account = await identity.account(person.accountId);
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
    if (!row) throw notFound();
    // Someone else's (a draft is its author's): still 404, logged as security.denied (issue 9).
    if (row.status !== 'submitted' ? row.submitted_by !== person.accountId : row.applicant_account_id !== person.accountId) throw notFound('not-owner');
    if (row.status !== 'submitted') throw notFound();
    return row;
  }

  // Opens the applicant's task when an officer asks for more information, in the officer's transaction.
  workflow.onTransition(async (tx, event) => {
    if (event.entry.action !== 'request_info') return;
    if (!(await store.get(tx, event.case.id))) return;
    await store.insertTask(tx, {
      id: newId(), application_id: event.case.id, case_seq: event.entry.seq, question: event.entry.reason ?? '',
      asked_by: event.entry.actor.id, asked_at: event.entry.at, answer: null, answered_by: null, answered_at: null,
    });
  });

  return {
    /** The reference and the day the decision is due, for the confirmation page of whoever submitted. */
    async confirmation(id: string, submitter: Principal): Promise<{ application: Application; serviceName: LocalizedText; dueAt: Date }> {
      const row = await find(id);
      if (!row) throw notFound();
      if (row.submitted_by !== submitter.accountId) throw notFound('not-owner');
      if (row.status !== 'submitted') throw notFound();
      const kase = await workflow.getCase(row.id);
      return { application: toApplication(row), serviceName: (await service(row)).definition.name, dueAt: kase.dueAt };
    },

    /** "My applications": drafts being filled in online, and every submitted case with its status. */
    async listForPerson(person: Principal): Promise<ListItem[]> {
      await linkCounterApplications(person);
      const rows = await store.listForPerson(db, person.accountId);
      return Promise.all(rows.map(async (row) => {
        const version = await service(row);
        const kase = row.status === 'submitted' ? await workflow.getCase(row.id) : undefined;
        return { application: toApplication(row), serviceName: version.definition.name, statusName: kase?.statusName, final: kase?.final ?? false };
      }));
    },

    /** The applicant's status page: the case, its history, answers, documents and open requests. */
    async viewForApplicant(id: string, person: Principal, locale: Locale): Promise<ApplicantView> {
      const row = await applicantRow(id, person);
      const version = await service(row);
      const [kase, files, tasks] = await Promise.all([workflow.getCase(row.id), store.listFiles(db, row.id), store.listTasks(db, row.id)]);
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
      if (text === '') {
        throw new TongbanError(ApplicationsErrors.TB_APPLICATIONS_ANSWER_REQUIRED, { fields: [{ pointer: '/answer', message: 'applications.answer.required', detail: 'Write an answer' }] });
      }
      if (text.length > ANSWER_MAX) {
        throw new TongbanError(ApplicationsErrors.TB_APPLICATIONS_ANSWER_TOO_LONG, {
          fields: [{ pointer: '/answer', message: 'applications.answer.tooLong', params: { max: ANSWER_MAX }, detail: `Write an answer of at most ${ANSWER_MAX} characters` }],
        });
      }
      const task = (await store.listTasks(db, row.id)).find((t) => t.id === taskId && t.answered_at === null);
      if (!task) throw new TongbanError(ApplicationsErrors.TB_APPLICATIONS_TASK_NOT_OPEN);
      return kernel.db.transaction().execute(async (tx) => {
        if (!(await store.answerTask(tx, task.id, { answer: text, by: person.accountId, at: kernel.now() }))) throw new TongbanError(ApplicationsErrors.TB_APPLICATIONS_TASK_NOT_OPEN);
        return workflow.act(tx, { caseId: row.id, action: 'answer_info', actor: person, applicantAccountId: row.applicant_account_id ?? undefined, ...(options.requestId ? { requestId: options.requestId } : {}) });
      });
    },

    /**
     * Everything the person's applications hold, drafts included, for their copy of their data
     * (PIPL art. 45): answers, documents (names, not contents), the case's history as their status
     * page shows it (no staff names, no internal notes) and requests for information.
     */
    async copyForPerson(person: Principal, locale: Locale): Promise<ApplicationCopy[]> {
      await linkCounterApplications(person);
      const rows = await store.listForPerson(db, person.accountId);
      return Promise.all(rows.map(async (row) => {
        const version = await service(row);
        const [kase, files, tasks] = await Promise.all([row.status === 'submitted' ? workflow.getCase(row.id) : undefined, store.listFiles(db, row.id), store.listTasks(db, row.id)]);
        return {
          application: toApplication(row), serviceName: version.definition.name, answers: row.answers,
          summary: formOf(version).summary(row.answers, locale, ctx()).map((r) => ({ label: r.label, value: r.value })),
          documents: documentInfos(version, files, row.documents),
          case: kase && {
            status: kase.status, statusName: kase.statusName, dueAt: kase.dueAt, closedAt: kase.closedAt,
            history: kase.history.map((e) => ({ at: e.at, from: e.from, to: e.to, action: e.action, reason: REASONS_SHOWN.has(e.action) ? e.reason : null })),
          },
          requests: tasks.map(toTask),
        };
      }));
    },

    /** Withdraws the application while its case is not final (the workflow says when). */
    async withdraw(id: string, person: Principal, options: { requestId?: string } = {}): Promise<CaseView> {
      const row = await applicantRow(id, person);
      return workflow.act(undefined, { caseId: row.id, action: 'withdraw', actor: person, applicantAccountId: row.applicant_account_id ?? undefined, ...(options.requestId ? { requestId: options.requestId } : {}) });
    },
  };
}
