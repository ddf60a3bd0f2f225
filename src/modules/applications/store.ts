import { sql, type Kysely, type Selectable } from 'kysely';

/** `api`: a system applied for a person identified by resident ID number (docs/adr/0014). */
export type Channel = 'online' | 'counter' | 'api';

/** What the person uploaded for one slot, as the form engine's file field holds it. */
export interface StoredFileMeta {
  readonly name: string;
  readonly type: string;
  readonly size: number;
  readonly ref: string;
}

export type ApplicationTables = {
  applications: {
    id: string;
    reference: string | null;
    service_id: string;
    service_version: number;
    agency_code: string;
    applicant_account_id: string | null;
    applicant_id_number: string | null;
    channel: Channel;
    submitted_by: string;
    status: 'draft' | 'submitted';
    answers: Record<string, unknown>;
    documents: Record<string, StoredFileMeta>;
    locale: string;
    created_at: Date;
    updated_at: Date;
    submitted_at: Date | null;
    /** When the filler was told the draft will be deleted (docs/adr/0065); before `updated_at`: not for this version. */
    deletion_reminded_at: Date | null;
  };
  application_files: {
    id: string;
    application_id: string;
    slot: string;
    display_name: string;
    content_type: string;
    size: number;
    sha256: string;
    content: Uint8Array;
    uploaded_by: string;
    uploaded_at: Date;
  };
  /** Files kept before an application refers to them: the owner's until attached or expired. */
  application_uploads: {
    id: string;
    owner: string;
    label: string | null;
    display_name: string;
    content_type: string;
    size: number;
    sha256: string;
    content: Uint8Array;
    uploaded_at: Date;
    expires_at: Date;
  };
  /** What the performance figures count of a draft deleted by the retention job (docs/adr/0065): no person. */
  application_expired_drafts: {
    id: string;
    service_id: string;
    agency_code: string;
    channel: Channel;
    created_at: Date;
    deleted_at: Date;
  };
  application_tasks: {
    id: string;
    application_id: string;
    case_seq: number;
    question: string;
    asked_by: string;
    asked_at: Date;
    answer: string | null;
    answered_by: string | null;
    answered_at: Date | null;
  };
};

export type ApplicationRow = Selectable<ApplicationTables['applications']>;
export type FileRow = Selectable<ApplicationTables['application_files']>;
export type FileInfoRow = Omit<FileRow, 'content'>;
export type TaskRow = Selectable<ApplicationTables['application_tasks']>;
export type UploadRow = Selectable<ApplicationTables['application_uploads']>;

/** The caller's transaction, or the database. */
export type Executor = Kysely<object>;
type Q = Kysely<ApplicationTables>;
const q = (executor: Executor): Q => executor.withTables<ApplicationTables>();

// jsonb is written as a JSON string cast in SQL (one path for pg and PGlite) and read back parsed.
const jsonb = (value: unknown) => sql<never>`cast(${JSON.stringify(value)} as jsonb)`;

const FILE_INFO = ['id', 'application_id', 'slot', 'display_name', 'content_type', 'size', 'sha256', 'uploaded_by', 'uploaded_at'] as const;

export interface NewApplication {
  readonly id: string;
  readonly serviceId: string;
  readonly serviceVersion: number;
  readonly agencyCode: string;
  readonly applicantAccountId: string | null;
  readonly applicantIdNumber: string | null;
  readonly channel: Channel;
  readonly submittedBy: string;
  readonly locale: string;
  readonly at: Date;
  /** Starting answers (an online draft's, from the person's own account: docs/adr/0070). */
  readonly answers?: Record<string, unknown>;
}

export function createApplicationsStore() {
  return {
    /** Inserts a draft unless the same person already has one for this service; undefined then. */
    async insertDraft(executor: Executor, a: NewApplication): Promise<ApplicationRow | undefined> {
      return q(executor).insertInto('applications').values({
        id: a.id, reference: null, service_id: a.serviceId, service_version: a.serviceVersion, agency_code: a.agencyCode,
        applicant_account_id: a.applicantAccountId, applicant_id_number: a.applicantIdNumber, channel: a.channel,
        submitted_by: a.submittedBy, status: 'draft', answers: jsonb(a.answers ?? {}), documents: jsonb({}), locale: a.locale,
        created_at: a.at, updated_at: a.at, submitted_at: null,
      }).onConflict((oc) => oc.doNothing()).returningAll().executeTakeFirst();
    },

    findDraft(executor: Executor, key: { submittedBy: string; serviceId: string; channel: Channel; idNumber: string | null }): Promise<ApplicationRow | undefined> {
      return q(executor).selectFrom('applications').selectAll()
        .where('submitted_by', '=', key.submittedBy).where('service_id', '=', key.serviceId)
        .where('channel', '=', key.channel).where('status', '=', 'draft')
        .where(sql<boolean>`coalesce(applicant_id_number, '') = ${key.idNumber ?? ''}`)
        .executeTakeFirst();
    },

    get(executor: Executor, id: string, options: { forUpdate?: boolean } = {}): Promise<ApplicationRow | undefined> {
      let query = q(executor).selectFrom('applications').selectAll().where('id', '=', id);
      if (options.forUpdate) query = query.forUpdate();
      return query.executeTakeFirst();
    },

    getByReference(executor: Executor, reference: string): Promise<ApplicationRow | undefined> {
      return q(executor).selectFrom('applications').selectAll().where('reference', '=', reference).executeTakeFirst();
    },

    /**
     * A person's submitted applications at these agencies, by the ID number they were made with
     * (online: the account's; at a counter: the one the clerk typed), newest first, at most 50.
     */
    submittedForIdNumber(executor: Executor, idNumber: string, agencies: readonly string[]): Promise<ApplicationRow[]> {
      if (agencies.length === 0) return Promise.resolve([]);
      return q(executor).selectFrom('applications').selectAll()
        .where('applicant_id_number', '=', idNumber).where('status', '=', 'submitted').where('agency_code', 'in', [...agencies])
        .orderBy('submitted_at', 'desc').orderBy('id').limit(50).execute();
    },

    /** Which of these ids (well-formed, at most a statement's worth) are submitted applications. */
    async submittedAmong(executor: Executor, ids: readonly string[]): Promise<string[]> {
      if (ids.length === 0) return [];
      const rows = await q(executor).selectFrom('applications').select('id').where('id', 'in', [...ids]).where('status', '=', 'submitted').execute();
      return rows.map((r) => r.id);
    },

    /**
     * Every application's channel and dates, no answers and no applicant: the performance figures'
     * input; drafts deleted by the retention job still count as started (never submitted).
     */
    async facts(executor: Executor): Promise<Pick<ApplicationRow, 'id' | 'service_id' | 'agency_code' | 'channel' | 'status' | 'created_at' | 'submitted_at'>[]> {
      const [live, expired] = await Promise.all([
        q(executor).selectFrom('applications').select(['id', 'service_id', 'agency_code', 'channel', 'status', 'created_at', 'submitted_at']).execute(),
        q(executor).selectFrom('application_expired_drafts').select(['id', 'service_id', 'agency_code', 'channel', 'created_at']).execute(),
      ]);
      return [...live, ...expired.map((e) => ({ ...e, status: 'draft' as const, submitted_at: null }))];
    },

    async referenceTaken(executor: Executor, reference: string): Promise<boolean> {
      return (await q(executor).selectFrom('applications').select('id').where('reference', '=', reference).executeTakeFirst()) !== undefined;
    },

    async saveDraft(executor: Executor, id: string, values: { answers: Record<string, unknown>; documents: Record<string, StoredFileMeta>; at: Date }): Promise<void> {
      await q(executor).updateTable('applications')
        .set({ answers: jsonb(values.answers), documents: jsonb(values.documents), updated_at: values.at })
        .where('id', '=', id).where('status', '=', 'draft').execute();
    },

    /** Ids of drafts last changed at or before `cutoff`, oldest first, at most `limit`: one batch of the retention job. */
    async expiredDrafts(executor: Executor, cutoff: Date, limit: number): Promise<string[]> {
      const rows = await q(executor).selectFrom('applications').select('id')
        .where('status', '=', 'draft').where('updated_at', '<=', cutoff)
        .orderBy('updated_at').orderBy('id').limit(limit).execute();
      return rows.map((r) => r.id);
    },

    /**
     * Online drafts last changed in (`after`, `until`] whose filler has not been told of the
     * deletion since that change: one batch of the reminder, oldest first.
     */
    draftsToRemind(executor: Executor, after: Date, until: Date, limit: number): Promise<Pick<ApplicationRow, 'id' | 'service_id' | 'service_version' | 'submitted_by' | 'locale' | 'updated_at'>[]> {
      return q(executor).selectFrom('applications').select(['id', 'service_id', 'service_version', 'submitted_by', 'locale', 'updated_at'])
        .where('status', '=', 'draft').where('channel', '=', 'online').where('updated_at', '>', after).where('updated_at', '<=', until)
        .where((eb) => eb.or([eb('deletion_reminded_at', 'is', null), eb('deletion_reminded_at', '<', eb.ref('updated_at'))]))
        .orderBy('updated_at').orderBy('id').limit(limit).execute();
    },

    /** Marks the draft told, if it is still the version read (not saved, sent or told since); false otherwise. */
    async markDeletionReminded(executor: Executor, id: string, updatedAt: Date, at: Date): Promise<boolean> {
      const result = await q(executor).updateTable('applications').set({ deletion_reminded_at: at })
        .where('id', '=', id).where('status', '=', 'draft').where('updated_at', '=', updatedAt)
        .where((eb) => eb.or([eb('deletion_reminded_at', 'is', null), eb('deletion_reminded_at', '<', eb.ref('updated_at'))]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Deletes those of these applications that are still drafts last changed at or before `cutoff`
     * (a draft saved or submitted meanwhile stays); their files, prefill decision and tasks go with
     * them (foreign keys `on delete cascade`); what the figures count stays in `application_expired_drafts`.
     * Returns what was deleted, with its number of files.
     */
    async deleteExpiredDrafts(executor: Executor, ids: readonly string[], cutoff: Date, now: Date): Promise<(Pick<ApplicationRow, 'id' | 'service_id' | 'agency_code' | 'channel' | 'updated_at'> & { files: number })[]> {
      if (ids.length === 0) return [];
      const counts = await q(executor).selectFrom('application_files').select(['application_id', (eb) => eb.fn.countAll<string>().as('n')])
        .where('application_id', 'in', [...ids]).groupBy('application_id').execute();
      const files = new Map(counts.map((c) => [c.application_id, Number(c.n)]));
      const deleted = await q(executor).deleteFrom('applications')
        .where('id', 'in', [...ids]).where('status', '=', 'draft').where('updated_at', '<=', cutoff)
        .returning(['id', 'service_id', 'agency_code', 'channel', 'created_at', 'updated_at']).execute();
      if (deleted.length > 0) {
        await q(executor).insertInto('application_expired_drafts')
          .values(deleted.map((d) => ({ id: d.id, service_id: d.service_id, agency_code: d.agency_code, channel: d.channel, created_at: d.created_at, deleted_at: now })))
          .onConflict((oc) => oc.doNothing()).execute();
      }
      return deleted.map(({ created_at: _, ...d }) => ({ ...d, files: files.get(d.id) ?? 0 }));
    },

    async markSubmitted(executor: Executor, id: string, values: { reference: string; answers: Record<string, unknown>; documents: Record<string, StoredFileMeta>; locale: string; at: Date }): Promise<boolean> {
      const result = await q(executor).updateTable('applications')
        .set({ status: 'submitted', reference: values.reference, answers: jsonb(values.answers), documents: jsonb(values.documents), locale: values.locale, submitted_at: values.at, updated_at: values.at })
        .where('id', '=', id).where('status', '=', 'draft').executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Gives counter applications made for this ID number to the person's account. */
    async linkByIdNumber(executor: Executor, idNumber: string, accountId: string, at: Date): Promise<string[]> {
      const rows = await q(executor).updateTable('applications').set({ applicant_account_id: accountId, updated_at: at })
        .where('applicant_id_number', '=', idNumber).where('applicant_account_id', 'is', null).where('status', '=', 'submitted')
        .returning('id').execute();
      return rows.map((r) => r.id);
    },

    /** Submitted applications of an account, and drafts it is filling in itself online. */
    listForPerson(executor: Executor, accountId: string): Promise<ApplicationRow[]> {
      return q(executor).selectFrom('applications').selectAll()
        .where((eb) => eb.or([
          eb.and([eb('applicant_account_id', '=', accountId), eb('status', '=', 'submitted')]),
          eb.and([eb('submitted_by', '=', accountId), eb('status', '=', 'draft'), eb('channel', '=', 'online')]),
        ]))
        .orderBy('updated_at', 'desc').orderBy('id').execute();
    },

    async insertFile(executor: Executor, file: FileRow): Promise<void> {
      await q(executor).insertInto('application_files').values(file).execute();
    },

    listFiles(executor: Executor, applicationId: string): Promise<FileInfoRow[]> {
      return q(executor).selectFrom('application_files').select(FILE_INFO).where('application_id', '=', applicationId).orderBy('uploaded_at').orderBy('id').execute();
    },

    getFile(executor: Executor, applicationId: string, fileId: string): Promise<FileRow | undefined> {
      return q(executor).selectFrom('application_files').selectAll().where('application_id', '=', applicationId).where('id', '=', fileId).executeTakeFirst();
    },

    /** Drops a draft's files that its answers no longer point at (replaced uploads). */
    async deleteFilesExcept(executor: Executor, applicationId: string, keep: readonly string[]): Promise<void> {
      let query = q(executor).deleteFrom('application_files').where('application_id', '=', applicationId);
      if (keep.length > 0) query = query.where('id', 'not in', keep);
      await query.execute();
    },

    async insertUpload(executor: Executor, upload: UploadRow): Promise<void> {
      await q(executor).insertInto('application_uploads').values(upload).execute();
    },

    /** The owner's upload, unless it has expired (the expiry job may not have run yet). */
    getUpload(executor: Executor, id: string, owner: string, now: Date): Promise<UploadRow | undefined> {
      return q(executor).selectFrom('application_uploads').selectAll()
        .where('id', '=', id).where('owner', '=', owner).where('expires_at', '>', now).executeTakeFirst();
    },

    async deleteUploads(executor: Executor, ids: readonly string[], owner: string): Promise<void> {
      if (ids.length === 0) return;
      await q(executor).deleteFrom('application_uploads').where('id', 'in', [...ids]).where('owner', '=', owner).execute();
    },

    async deleteExpiredUpload(executor: Executor, id: string, now: Date): Promise<void> {
      await q(executor).deleteFrom('application_uploads').where('id', '=', id).where('expires_at', '<=', now).execute();
    },

    async insertTask(executor: Executor, task: TaskRow): Promise<void> {
      await q(executor).insertInto('application_tasks').values(task).onConflict((oc) => oc.doNothing()).execute();
    },

    listTasks(executor: Executor, applicationId: string): Promise<TaskRow[]> {
      return q(executor).selectFrom('application_tasks').selectAll().where('application_id', '=', applicationId).orderBy('case_seq').execute();
    },

    async answerTask(executor: Executor, taskId: string, values: { answer: string; by: string; at: Date }): Promise<boolean> {
      const result = await q(executor).updateTable('application_tasks')
        .set({ answer: values.answer, answered_by: values.by, answered_at: values.at })
        .where('id', '=', taskId).where('answered_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export type ApplicationsStore = ReturnType<typeof createApplicationsStore>;
