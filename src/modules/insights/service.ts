import { purposeText } from '../../kernel/audit/index.js';
import { newId, UUID } from '../../kernel/ids.js';
import type { Principal } from '../../kernel/auth/index.js';
import type { Actor } from '../../kernel/audit/types.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError, type DenialReason } from '../../kernel/http/index.js';
import type { Application, ApplicationsService } from '../applications/service.js';
import type { CatalogService, LocalizedText } from '../catalog/service.js';
import { slaDueAt, type CaseView, type WorkflowService } from '../workflow/service.js';
import { createDashboard, type Scope } from './dashboard.js';
import { InsightsErrors } from './errors.js';
import { ratingPanel } from './panel.js';
import { createInsightsStore, type Executor, type FollowUpRow, type FollowUpWithRating, type RatingChannel, type RatingRow } from './store.js';
import './messages.js';

export type { Dashboard, Scope, ScopeInfo } from './dashboard.js';
export type { Figures, MonthFigures } from './figures.js';
export { InsightsErrors } from './errors.js';

/** Working days an agency has to answer a rating of 1 or 2. */
export const FOLLOW_UP_WORKING_DAYS = 5;
export const COMMENT_MAX = 1000;
export const ANSWER_MAX = 2000;
/** Staff who see and answer follow-ups at their agency. */
const FOLLOW_UP_ROLES = new Set(['officer', 'supervisor', 'agency_admin']);
const LOW_SCORE = 2;
export const FOLLOW_UP_PURPOSE = purposeText('insights.purpose.followUp');

export interface Rating {
  readonly id: string; readonly caseId: string; readonly reference: string | null; readonly serviceId: string; readonly agency: string;
  readonly score: number; readonly comment: string | null; readonly channel: RatingChannel; readonly ratedAt: Date;
}

export interface FollowUp {
  readonly id: string; readonly caseId: string; readonly agency: string; readonly openedAt: Date; readonly dueAt: Date;
  readonly answer: string | null; readonly changes: string | null; readonly answeredAt: Date | null;
  readonly resolved: boolean | null; readonly respondedAt: Date | null;
}

export interface FollowUpItem extends FollowUp {
  readonly score: number; readonly comment: string | null; readonly reference: string | null; readonly ratedAt: Date;
  readonly serviceName: LocalizedText | undefined; readonly overdue: boolean;
}

/** What the rating page shows the applicant. */
export interface RatingView {
  readonly application: Application;
  readonly case: CaseView;
  readonly serviceName: LocalizedText | undefined;
  readonly rating: Rating | undefined;
  readonly followUp: FollowUp | undefined;
}

export interface RatingInput { readonly score: unknown; readonly comment?: string | undefined; readonly requestId?: string | undefined }

export interface Deps {
  readonly applications: Pick<ApplicationsService, 'submittedSummary' | 'facts' | 'addPanel'>;
  readonly workflow: Pick<WorkflowService, 'getCase' | 'caseFacts' | 'onTransition'>;
  readonly catalog: Pick<CatalogService, 'searchServices' | 'listAgencies' | 'getCurrentService'>;
}

const toRating = (r: RatingRow): Rating => ({
  id: r.id, caseId: r.case_id, reference: r.reference, serviceId: r.service_id, agency: r.agency, score: r.score, comment: r.comment, channel: r.channel, ratedAt: r.rated_at,
});
const toFollowUp = (f: FollowUpRow): FollowUp => ({
  id: f.id, caseId: f.case_id, agency: f.agency, openedAt: f.opened_at, dueAt: f.due_at, answer: f.answer, changes: f.changes,
  answeredAt: f.answered_at, resolved: f.resolved, respondedAt: f.responded_at,
});
const notFound = (denied?: DenialReason) => new TongbanError(InsightsErrors.TB_INSIGHTS_NOT_FOUND, denied ? { denied } : {});
const field = (code: string, pointer: string, message: string, detail: string) => new TongbanError(code, { fields: [{ pointer, message, detail }] });

/** The agencies where the principal holds one of `roles`. */
export const agenciesWith = (principal: Pick<Principal, 'roles'>, roles: ReadonlySet<string>): string[] =>
  [...new Set(principal.roles.filter((r) => roles.has(r.role)).map((r) => r.agency))].sort();

function readScore(input: RatingInput): { score: number; comment: string | null } {
  // A form posts "1"…"5"; the API may send the number. Anything else is no choice at all.
  const score = typeof input.score === 'number' ? input.score : typeof input.score === 'string' && /^[1-5]$/.test(input.score.trim()) ? Number(input.score.trim()) : Number.NaN;
  if (!Number.isInteger(score) || score < 1 || score > 5) {
    throw field(InsightsErrors.TB_INSIGHTS_SCORE_REQUIRED, '/score', 'insights.error.scoreRequired', 'Choose a whole number from 1 to 5');
  }
  const comment = input.comment?.trim() ?? '';
  if (comment.length > COMMENT_MAX) throw field(InsightsErrors.TB_INSIGHTS_COMMENT_TOO_LONG, '/comment', 'insights.error.commentTooLong', `At most ${COMMENT_MAX} characters`);
  return { score, comment: comment === '' ? null : comment };
}

/**
 * Ratings of finished cases (好差评), the follow-up a low rating opens at the agency, the
 * applicant's panel, and the public performance figures. See docs/adr/0023-insights.md.
 */
export function createInsightsService(kernel: Kernel, deps: Deps, options: { cacheMs?: number } = {}) {
  const store = createInsightsStore();
  const db: Executor = kernel.db;
  const dashboard = createDashboard({
    kernel, applications: deps.applications, workflow: deps.workflow, catalog: deps.catalog, cacheMs: options.cacheMs ?? 30_000,
    ratingFacts: async () => (await store.ratingFacts(db)).map((r) => ({ serviceId: r.service_id, agency: r.agency, score: r.score, ratedAt: r.rated_at })),
  });
  // A case that ends changes the figures: the next dashboard reads fresh ones.
  deps.workflow.onTransition((_tx, event) => {
    if (event.case.final) dashboard.clear();
    return Promise.resolve();
  });

  const serviceName = async (serviceId: string) => (await deps.catalog.getCurrentService(serviceId, { includeUnlisted: true }))?.definition.name;

  /** The applicant's own submitted application and its case; 404 for anyone else. */
  async function ownCase(caseId: string, person: Principal): Promise<{ application: Application; case: CaseView }> {
    const application = UUID.test(caseId) ? await deps.applications.submittedSummary(caseId) : undefined;
    if (!application) throw notFound();
    // Someone else's application: still 404, logged as security.denied (issue 9).
    if (application.applicantAccountId !== person.accountId) throw notFound('not-owner');
    return { application, case: await deps.workflow.getCase(application.id) };
  }

  async function record(application: Application, kase: CaseView, input: RatingInput, by: { channel: RatingChannel; actor: Actor; recordedBy: string }): Promise<Rating> {
    if (!kase.final) throw new TongbanError(InsightsErrors.TB_INSIGHTS_NOT_FINISHED);
    const { score, comment } = readScore(input);
    const now = kernel.now();
    const row: RatingRow = {
      id: newId(), case_id: application.id, reference: application.reference, service_id: application.serviceId, agency: application.agencyCode,
      score, comment, channel: by.channel, applicant_account_id: application.applicantAccountId, recorded_by: by.recordedBy, rated_at: now,
    };
    await kernel.db.transaction().execute(async (tx) => {
      if (!(await store.insertRating(tx, row))) throw new TongbanError(InsightsErrors.TB_INSIGHTS_ALREADY_RATED);
      const followUp = score <= LOW_SCORE ? newId() : undefined;
      if (followUp) {
        await store.insertFollowUp(tx, {
          id: followUp, rating_id: row.id, case_id: row.case_id, agency: row.agency, opened_at: now, due_at: slaDueAt(now, FOLLOW_UP_WORKING_DAYS),
          answer: null, changes: null, answered_by: null, answered_at: null, resolved: null, responded_at: null,
        });
      }
      await kernel.audit.append(tx, {
        actor: by.actor, action: 'insights.rating.create', resource: { type: 'case', id: row.case_id },
        ...(row.applicant_account_id ? { subject: row.applicant_account_id } : {}),
        ...(by.channel === 'counter' ? { onBehalfOf: row.applicant_account_id ?? `case:${row.case_id}` } : {}),
        ...(input.requestId ? { requestId: input.requestId } : {}),
        details: { score, channel: by.channel, ...(followUp ? { followUp } : {}) },
      });
    });
    dashboard.clear();
    return toRating(row);
  }

  async function staffFollowUp(id: string, staff: Principal, executor: Executor = db, forUpdate = false): Promise<FollowUpWithRating> {
    const row = UUID.test(id) ? await store.getFollowUp(executor, id.toLowerCase(), { forUpdate }) : undefined;
    if (!row) throw notFound();
    if (!agenciesWith(staff, FOLLOW_UP_ROLES).includes(row.agency)) throw new TongbanError(InsightsErrors.TB_INSIGHTS_FORBIDDEN);
    return row;
  }

  const toItem = async (row: FollowUpWithRating): Promise<FollowUpItem> => ({
    ...toFollowUp(row), score: row.score, comment: row.comment, reference: row.reference, ratedAt: row.rated_at,
    serviceName: await serviceName(row.service_id), overdue: row.answered_at === null && kernel.now().getTime() >= row.due_at.getTime(),
  });

  const self = {
    /** The rating page: the case, and the rating and follow-up once there are. */
    async view(caseId: string, person: Principal): Promise<RatingView> {
      const own = await ownCase(caseId, person);
      const rating = await store.ratingForCase(db, own.application.id);
      const followUp = rating ? await store.followUpForRating(db, rating.id) : undefined;
      return { ...own, serviceName: await serviceName(own.application.serviceId), rating: rating && toRating(rating), followUp: followUp && toFollowUp(followUp) };
    },

    /** The applicant rates their finished case online, once. */
    async rateOnline(caseId: string, person: Principal, input: RatingInput): Promise<Rating> {
      const own = await ownCase(caseId, person);
      return record(own.application, own.case, input, { channel: 'online', actor: { kind: 'person', id: person.accountId }, recordedBy: person.accountId });
    },

    /**
     * A clerk records the rating a person gives at the counter, found by the application's
     * reference: only for an application made at a counter, and only a clerk of its agency or the
     * clerk who took it (a hall's counter takes every agency's applications, acting for that
     * agency). The rating is once per case, so anyone else would take the applicant's own.
     */
    async rateAtCounter(reference: string, clerk: Principal, input: RatingInput): Promise<Rating> {
      const desks = agenciesWith(clerk, new Set(['clerk']));
      if (desks.length === 0) throw new TongbanError(InsightsErrors.TB_INSIGHTS_FORBIDDEN, { detail: 'Only a clerk records ratings at a counter' });
      const application = reference.trim() === '' || UUID.test(reference.trim()) ? undefined : await deps.applications.submittedSummary(reference);
      const kase = application && (await deps.workflow.getCase(application.id));
      if (!application || !kase?.final) throw field(InsightsErrors.TB_INSIGHTS_REFERENCE_UNKNOWN, '/reference', 'insights.error.referenceUnknown', 'No finished application has this reference number');
      if (!desks.includes(application.agencyCode) && application.submittedBy !== clerk.accountId) {
        throw field(InsightsErrors.TB_INSIGHTS_OTHER_AGENCY, '/reference', 'insights.error.otherAgency', `Only a clerk of ${application.agencyCode}, or the clerk who took the application, records its rating`);
      }
      if (application.channel !== 'counter') {
        throw field(InsightsErrors.TB_INSIGHTS_NOT_AT_COUNTER, '/reference', 'insights.error.notAtCounter', 'The application was not made at a counter: the applicant rates it themselves');
      }
      // The clerk acts for the application's agency, as when the application was taken.
      return record(application, kase, input, { channel: 'counter', actor: { kind: 'staff', id: clerk.accountId, organisation: application.agencyCode }, recordedBy: clerk.accountId });
    },

    /** The follow-up queue of the agencies where the member of staff answers them. */
    async followUps(staff: Principal, state: 'open' | 'answered'): Promise<FollowUpItem[]> {
      const agencies = agenciesWith(staff, FOLLOW_UP_ROLES);
      if (agencies.length === 0) throw new TongbanError(InsightsErrors.TB_INSIGHTS_FORBIDDEN);
      return Promise.all((await store.listFollowUps(db, agencies, state)).map(toItem));
    },

    /** One follow-up with the person's comment: a read of their words, so audited. */
    async followUp(id: string, staff: Principal, options: { requestId?: string } = {}): Promise<FollowUpItem> {
      const row = await staffFollowUp(id, staff);
      await kernel.audit.append(db, {
        actor: { kind: 'staff', id: staff.accountId, organisation: row.agency }, action: 'insights.follow_up.read', resource: { type: 'follow_up', id: row.id },
        ...(row.applicant_account_id ? { subject: row.applicant_account_id } : {}), purpose: FOLLOW_UP_PURPOSE, ...(options.requestId ? { requestId: options.requestId } : {}),
      });
      return toItem(row);
    },

    /** The agency's answer and what it changed; once. */
    async answer(id: string, staff: Principal, input: { answer: string; changes: string; requestId?: string }): Promise<FollowUpItem> {
      const answer = input.answer.trim();
      const changes = input.changes.trim();
      const fields = [
        ...(answer === '' || answer.length > ANSWER_MAX ? [{ pointer: '/answer', message: 'insights.error.answerRequired', detail: `Write an answer of at most ${ANSWER_MAX} characters` }] : []),
        ...(changes === '' || changes.length > ANSWER_MAX ? [{ pointer: '/changes', message: 'insights.error.changesRequired', detail: `Say what was changed, in at most ${ANSWER_MAX} characters` }] : []),
      ];
      await staffFollowUp(id, staff);
      if (fields.length > 0) throw new TongbanError(InsightsErrors.TB_INSIGHTS_ANSWER_REQUIRED, { fields });
      const row = await kernel.db.transaction().execute(async (tx) => {
        const current = await staffFollowUp(id, staff, tx, true);
        if (!(await store.answerFollowUp(tx, current.id, { answer, changes, by: staff.accountId, at: kernel.now() }))) throw new TongbanError(InsightsErrors.TB_INSIGHTS_FOLLOW_UP_CLOSED);
        await kernel.audit.append(tx, {
          actor: { kind: 'staff', id: staff.accountId, organisation: current.agency }, action: 'insights.follow_up.answer', resource: { type: 'follow_up', id: current.id },
          ...(current.applicant_account_id ? { subject: current.applicant_account_id } : {}), ...(input.requestId ? { requestId: input.requestId } : {}),
        });
        return { ...current, answer, changes, answered_by: staff.accountId, answered_at: kernel.now() };
      });
      return toItem(row);
    },

    /** The applicant says whether the agency's answer solved the problem; once. */
    async respond(caseId: string, person: Principal, input: { resolved: unknown; requestId?: string }): Promise<FollowUp> {
      const view = await self.view(caseId, person);
      if (!view.followUp?.answeredAt) throw notFound();
      if (input.resolved !== 'yes' && input.resolved !== 'no') {
        throw field(InsightsErrors.TB_INSIGHTS_RESPONSE_REQUIRED, '/resolved', 'insights.error.responseRequired', 'Choose yes or no');
      }
      const resolved = input.resolved === 'yes';
      const followUp = view.followUp;
      await kernel.db.transaction().execute(async (tx) => {
        if (!(await store.respond(tx, followUp.id, { resolved, at: kernel.now() }))) throw new TongbanError(InsightsErrors.TB_INSIGHTS_FOLLOW_UP_CLOSED);
        await kernel.audit.append(tx, {
          actor: { kind: 'person', id: person.accountId }, action: 'insights.follow_up.respond', subject: person.accountId,
          resource: { type: 'follow_up', id: followUp.id }, ...(input.requestId ? { requestId: input.requestId } : {}), details: { resolved },
        });
      });
      return { ...followUp, resolved, respondedAt: kernel.now() };
    },

    /** Whether the principal sees the follow-up queue (for links). */
    answersFollowUps: (principal: Principal | undefined) => principal !== undefined && agenciesWith(principal, FOLLOW_UP_ROLES).length > 0,
    isClerk: (principal: Principal | undefined) => principal !== undefined && agenciesWith(principal, new Set(['clerk'])).length > 0,

    dashboard: (scope: Scope) => dashboard.dashboard(scope),
  };

  deps.applications.addPanel('applicant', async (input) => {
    if (!input.case.final) return null;
    const rating = await store.ratingForCase(db, input.application.id);
    const followUp = rating ? await store.followUpForRating(db, rating.id) : undefined;
    return ratingPanel({ applicationId: input.application.id, locale: input.locale, rating: rating && toRating(rating), followUp: followUp && toFollowUp(followUp) });
  });

  return self;
}

export type InsightsService = ReturnType<typeof createInsightsService>;
