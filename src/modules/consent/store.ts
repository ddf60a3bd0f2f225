import { sql, type Kysely, type Selectable } from 'kysely';

export type ConsentTables = {
  consent_agreements: {
    id: string; version: number; controller: string; purpose_zh: string; purpose_en: string; lawful_basis: string;
    legal_basis_zh: string; legal_basis_en: string; items: string[]; retention_zh: string; retention_en: string;
    needs_consent: boolean; consent_days: number | null; consent_from_version: number; active: boolean; created_at: Date; created_by: string;
  };
  consent_events: {
    id: string; agreement_id: string; agreement_version: number; id_number: string; account_id: string | null;
    kind: 'given' | 'withdrawn'; channel: 'online' | 'counter' | 'api'; at: Date; expires_at: Date | null;
    actor_kind: string; actor_id: string; request_id: string | null;
  };
};

export type AgreementRow = Selectable<ConsentTables['consent_agreements']>;
export type EventRow = Selectable<ConsentTables['consent_events']>;

/** The caller's transaction, or the database. */
export type Executor = Kysely<object>;

const q = (executor: Executor): Kysely<ConsentTables> => executor.withTables<ConsentTables>();
// jsonb is written as a JSON string cast in SQL: one path for pg and PGlite.
const jsonb = (value: unknown) => sql<never>`cast(${JSON.stringify(value)} as jsonb)`;

/** Every query on the agreements and the consent events. */
export function createConsentStore() {
  return {
    /**
     * Takes the agreement's transaction-scoped advisory lock (an agreement not made yet too):
     * `exclusive` to write a version (save, retire), so versions are numbered one after another;
     * `shared` to record consent, so consents do not wait for each other, only for a version
     * being written (and a retirement waits for them).
     */
    async lockAgreement(executor: Executor, id: string, mode: 'exclusive' | 'shared'): Promise<void> {
      const key = `consent-agreement\n${id}`;
      await (mode === 'shared'
        ? sql`select pg_advisory_xact_lock_shared(hashtextextended(${key}, 0))`
        : sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`).execute(executor);
    },

    async insertAgreement(executor: Executor, row: AgreementRow): Promise<void> {
      await q(executor).insertInto('consent_agreements').values({ ...row, items: jsonb(row.items) }).execute();
    },

    /** The newest version of each agreement (or of one), by id. */
    latestAgreements(executor: Executor, filter: { id?: string; controllers?: readonly string[] } = {}): Promise<AgreementRow[]> {
      let query = q(executor).selectFrom('consent_agreements as a').selectAll('a')
        .where('a.version', '=', (eb) => eb.selectFrom('consent_agreements as b').select((b) => b.fn.max('b.version').as('v')).whereRef('b.id', '=', 'a.id'));
      if (filter.id !== undefined) query = query.where('a.id', '=', filter.id);
      if (filter.controllers !== undefined) {
        if (filter.controllers.length === 0) return Promise.resolve([]);
        query = query.where('a.controller', 'in', filter.controllers);
      }
      return query.orderBy('a.id').execute();
    },

    agreementVersion(executor: Executor, id: string, version: number): Promise<AgreementRow | undefined> {
      return q(executor).selectFrom('consent_agreements').selectAll().where('id', '=', id).where('version', '=', version).executeTakeFirst();
    },

    agreementVersions(executor: Executor, id: string): Promise<AgreementRow[]> {
      return q(executor).selectFrom('consent_agreements').selectAll().where('id', '=', id).orderBy('version', 'desc').execute();
    },

    async insertEvent(executor: Executor, row: EventRow): Promise<void> {
      await q(executor).insertInto('consent_events').values(row).execute();
    },

    /** A person's latest event under one agreement: the one their state is derived from. */
    latestEvent(executor: Executor, idNumber: string, agreementId: string): Promise<EventRow | undefined> {
      return q(executor).selectFrom('consent_events').selectAll().where('id_number', '=', idNumber).where('agreement_id', '=', agreementId)
        .orderBy('at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
    },

    /** A person's events, newest first; under one agreement when it is named. */
    eventsOf(executor: Executor, idNumber: string, agreementId?: string): Promise<EventRow[]> {
      let query = q(executor).selectFrom('consent_events').selectAll().where('id_number', '=', idNumber);
      if (agreementId !== undefined) query = query.where('agreement_id', '=', agreementId);
      return query.orderBy('at', 'desc').orderBy('id', 'desc').execute();
    },

    event(executor: Executor, id: string): Promise<EventRow | undefined> {
      return q(executor).selectFrom('consent_events').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** Each person's latest event, newest first: the "current consent records" of a page of people. */
    async latestEvents(executor: Executor, filter: { agreementId?: string; idNumber?: string; controllers?: readonly string[]; limit: number; offset: number }): Promise<EventRow[]> {
      if (filter.controllers?.length === 0) return [];
      let inner = q(executor).selectFrom('consent_events as e').selectAll('e')
        .where((eb) => eb.not(eb.exists(eb.selectFrom('consent_events as n').select('n.id')
          .whereRef('n.id_number', '=', 'e.id_number').whereRef('n.agreement_id', '=', 'e.agreement_id')
          .where((w) => w.or([w('n.at', '>', w.ref('e.at')), w.and([w('n.at', '=', w.ref('e.at')), w('n.id', '>', w.ref('e.id'))])])))));
      if (filter.agreementId !== undefined) inner = inner.where('e.agreement_id', '=', filter.agreementId);
      if (filter.idNumber !== undefined) inner = inner.where('e.id_number', '=', filter.idNumber);
      if (filter.controllers !== undefined) {
        inner = inner.where('e.agreement_id', 'in', (eb) => eb.selectFrom('consent_agreements').select('id').where('controller', 'in', filter.controllers!));
      }
      return inner.orderBy('e.at', 'desc').orderBy('e.id', 'desc').limit(filter.limit).offset(filter.offset).execute();
    },
  };
}

export type ConsentStore = ReturnType<typeof createConsentStore>;
