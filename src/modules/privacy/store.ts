import type { Kysely, Selectable } from 'kysely';

export type PrivacyTables = {
  privacy_question: {
    id: string;
    account_id: string;
    audit_record_id: string;
    organisation: string;
    question: string;
    locale: string;
    created_at: Date;
    answer: string | null;
    answered_by: string | null;
    answered_at: Date | null;
  };
  privacy_notice_preference: {
    account_id: string;
    email_on_use: boolean;
    told_up_to: Date;
    locale: string;
    updated_at: Date;
  };
};

export type QuestionRow = Selectable<PrivacyTables['privacy_question']>;
export type PreferenceRow = Selectable<PrivacyTables['privacy_notice_preference']>;

/** The caller's transaction, or the database. */
export type Executor = Kysely<object>;

const q = (executor: Executor): Kysely<PrivacyTables> => executor.withTables<PrivacyTables>();

/** Every query on the privacy module's two tables. */
export function createPrivacyStore() {
  return {
    async insertQuestion(executor: Executor, row: Omit<QuestionRow, 'answer' | 'answered_by' | 'answered_at'>): Promise<void> {
      await q(executor).insertInto('privacy_question').values({ ...row, answer: null, answered_by: null, answered_at: null }).execute();
    },

    question(executor: Executor, id: string): Promise<QuestionRow | undefined> {
      return q(executor).selectFrom('privacy_question').selectAll().where('id', '=', id).executeTakeFirst();
    },

    questionsOf(executor: Executor, accountId: string): Promise<QuestionRow[]> {
      return q(executor).selectFrom('privacy_question').selectAll().where('account_id', '=', accountId)
        .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(200).execute();
    },

    /** Unanswered questions to these organisations, oldest first (answered in the order asked). */
    openQuestionsFor(executor: Executor, organisations: readonly string[] | 'all'): Promise<QuestionRow[]> {
      let query = q(executor).selectFrom('privacy_question').selectAll().where('answer', 'is', null);
      if (organisations !== 'all') {
        if (organisations.length === 0) return Promise.resolve([]);
        query = query.where('organisation', 'in', organisations);
      }
      return query.orderBy('created_at').orderBy('id').limit(200).execute();
    },

    /** Answers a question once; false when it was answered already (two staff at once). */
    async answer(executor: Executor, id: string, answer: { text: string; by: string; at: Date }): Promise<boolean> {
      const result = await q(executor).updateTable('privacy_question')
        .set({ answer: answer.text, answered_by: answer.by, answered_at: answer.at })
        .where('id', '=', id).where('answer', 'is', null).executeTakeFirst();
      return result.numUpdatedRows === 1n;
    },

    preference(executor: Executor, accountId: string): Promise<PreferenceRow | undefined> {
      return q(executor).selectFrom('privacy_notice_preference').selectAll().where('account_id', '=', accountId).executeTakeFirst();
    },

    async savePreference(executor: Executor, row: PreferenceRow): Promise<void> {
      await q(executor).insertInto('privacy_notice_preference').values(row)
        .onConflict((oc) => oc.column('account_id').doUpdateSet({ email_on_use: row.email_on_use, told_up_to: row.told_up_to, locale: row.locale, updated_at: row.updated_at }))
        .execute();
    },

    /** People who want an email, told up to before `before`: the next batch for the notice job. */
    dueForNotice(executor: Executor, before: Date, limit: number): Promise<PreferenceRow[]> {
      return q(executor).selectFrom('privacy_notice_preference').selectAll().where('email_on_use', '=', true)
        .where('told_up_to', '<', before).orderBy('told_up_to').limit(limit).execute();
    },

    /** Moves the person's mark on, unless someone else did first (two instances running the job). */
    async markTold(executor: Executor, accountId: string, from: Date, to: Date): Promise<boolean> {
      const result = await q(executor).updateTable('privacy_notice_preference').set({ told_up_to: to })
        .where('account_id', '=', accountId).where('told_up_to', '=', from).executeTakeFirst();
      return result.numUpdatedRows === 1n;
    },
  };
}

export type PrivacyStore = ReturnType<typeof createPrivacyStore>;
