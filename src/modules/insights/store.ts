import type { Kysely, Selectable } from 'kysely';

export type RatingChannel = 'online' | 'counter';

export type InsightsTables = {
  insights_ratings: {
    id: string;
    case_id: string;
    reference: string | null;
    service_id: string;
    agency: string;
    score: number;
    comment: string | null;
    channel: RatingChannel;
    applicant_account_id: string | null;
    recorded_by: string;
    rated_at: Date;
  };
  insights_follow_ups: {
    id: string;
    rating_id: string;
    case_id: string;
    agency: string;
    opened_at: Date;
    due_at: Date;
    answer: string | null;
    changes: string | null;
    answered_by: string | null;
    answered_at: Date | null;
    resolved: boolean | null;
    responded_at: Date | null;
  };
};

export type RatingRow = Selectable<InsightsTables['insights_ratings']>;
export type FollowUpRow = Selectable<InsightsTables['insights_follow_ups']>;
export type FollowUpWithRating = FollowUpRow & { score: number; comment: string | null; reference: string | null; service_id: string; applicant_account_id: string | null; rated_at: Date };

/** The caller's transaction, or the database. */
export type Executor = Kysely<object>;
const q = (executor: Executor): Kysely<InsightsTables> => executor.withTables<InsightsTables>();

const WITH_RATING = ['f.id', 'f.rating_id', 'f.case_id', 'f.agency', 'f.opened_at', 'f.due_at', 'f.answer', 'f.changes', 'f.answered_by', 'f.answered_at', 'f.resolved', 'f.responded_at',
  'r.score', 'r.comment', 'r.reference', 'r.service_id', 'r.applicant_account_id', 'r.rated_at'] as const;

/** Every query on the ratings and follow-ups tables. */
export function createInsightsStore() {
  return {
    /** False when the case already has a rating (the unique index decides a race). */
    async insertRating(executor: Executor, row: RatingRow): Promise<boolean> {
      const result = await q(executor).insertInto('insights_ratings').values(row).onConflict((oc) => oc.column('case_id').doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },

    ratingForCase(executor: Executor, caseId: string): Promise<RatingRow | undefined> {
      return q(executor).selectFrom('insights_ratings').selectAll().where('case_id', '=', caseId).executeTakeFirst();
    },

    /** Scores and when, by service and agency: no comments, no people (the dashboard's input). */
    ratingFacts(executor: Executor): Promise<Pick<RatingRow, 'service_id' | 'agency' | 'score' | 'channel' | 'rated_at'>[]> {
      return q(executor).selectFrom('insights_ratings').select(['service_id', 'agency', 'score', 'channel', 'rated_at']).execute();
    },

    async insertFollowUp(executor: Executor, row: FollowUpRow): Promise<void> {
      await q(executor).insertInto('insights_follow_ups').values(row).execute();
    },

    followUpForRating(executor: Executor, ratingId: string): Promise<FollowUpRow | undefined> {
      return q(executor).selectFrom('insights_follow_ups').selectAll().where('rating_id', '=', ratingId).executeTakeFirst();
    },

    getFollowUp(executor: Executor, id: string, options: { forUpdate?: boolean } = {}): Promise<FollowUpWithRating | undefined> {
      let query = q(executor).selectFrom('insights_follow_ups as f').innerJoin('insights_ratings as r', 'r.id', 'f.rating_id').select(WITH_RATING).where('f.id', '=', id);
      if (options.forUpdate) query = query.forUpdate();
      return query.executeTakeFirst();
    },

    /** The agencies' follow-ups, open ones first by deadline, then answered ones newest first. */
    listFollowUps(executor: Executor, agencies: readonly string[], state: 'open' | 'answered'): Promise<FollowUpWithRating[]> {
      if (agencies.length === 0) return Promise.resolve([]);
      let query = q(executor).selectFrom('insights_follow_ups as f').innerJoin('insights_ratings as r', 'r.id', 'f.rating_id').select(WITH_RATING).where('f.agency', 'in', agencies);
      query = state === 'open' ? query.where('f.answered_at', 'is', null).orderBy('f.due_at', 'asc') : query.where('f.answered_at', 'is not', null).orderBy('f.answered_at', 'desc');
      return query.orderBy('f.id').limit(200).execute();
    },

    async answerFollowUp(executor: Executor, id: string, values: { answer: string; changes: string; by: string; at: Date }): Promise<boolean> {
      const result = await q(executor).updateTable('insights_follow_ups')
        .set({ answer: values.answer, changes: values.changes, answered_by: values.by, answered_at: values.at })
        .where('id', '=', id).where('answered_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async respond(executor: Executor, id: string, values: { resolved: boolean; at: Date }): Promise<boolean> {
      const result = await q(executor).updateTable('insights_follow_ups').set({ resolved: values.resolved, responded_at: values.at })
        .where('id', '=', id).where('answered_at', 'is not', null).where('responded_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export type InsightsStore = ReturnType<typeof createInsightsStore>;
