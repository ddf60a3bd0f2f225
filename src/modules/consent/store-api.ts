import { sql, type Kysely, type Selectable } from 'kysely';
import type { ConsentTables, Executor } from './store.js';

/** The tables of the rest of the GovStack Consent API (migration 0002). */
export type ConsentApiTables = ConsentTables & {
  consent_policies: {
    id: string; version: number; controller: string; name: string; url: string; jurisdiction: string | null; industry_sector: string | null;
    data_retention_period_days: number | null; geographic_restriction: string | null; storage_location: string | null;
    active: boolean; created_at: Date; created_by: string;
  };
  consent_individuals: { agency: string; id_number: string; identity_provider_id: string | null; created_at: Date; created_by: string; updated_at: Date };
  consent_webhooks: {
    id: string; agency: string; payload_url: string; content_type: string; secret_key: string; disabled: boolean;
    created_at: Date; created_by: string; updated_at: Date; deleted_at: Date | null;
  };
  consent_webhook_deliveries: {
    id: string; webhook_id: string; event: string; body: string; state: 'pending' | 'delivered' | 'failed'; attempts: number;
    last_status: number | null; last_error: string | null; created_at: Date; delivered_at: Date | null;
  };
  consent_signatures: {
    id: string; event_id: string; payload: string; verification_method: string; verification_payload: string; verification_payload_hash: string;
    verification_signed_by: string | null; verification_signed_as: string | null; signature: string | null;
    created_at: Date; created_by: string; signed_at: Date | null;
  };
};

export type PolicyRow = Selectable<ConsentApiTables['consent_policies']>;
export type IndividualRow = Selectable<ConsentApiTables['consent_individuals']>;
export type WebhookRow = Selectable<ConsentApiTables['consent_webhooks']>;
export type DeliveryRow = Selectable<ConsentApiTables['consent_webhook_deliveries']>;
export type SignatureRow = Selectable<ConsentApiTables['consent_signatures']>;

const q = (executor: Executor): Kysely<ConsentApiTables> => executor.withTables<ConsentApiTables>();

/** Every query on policies, individuals, webhooks, deliveries and signatures. */
export function createConsentApiStore() {
  return {
    /** The policy's transaction-scoped advisory lock, taken before a version is numbered (see `lockAgreement`). */
    async lockPolicy(executor: Executor, id: string): Promise<void> {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`consent-policy\n${id}`}, 0))`.execute(executor);
    },
    async insertPolicy(executor: Executor, row: PolicyRow): Promise<void> {
      await q(executor).insertInto('consent_policies').values(row).execute();
    },
    /** The newest version of each policy (or of one), by id. */
    latestPolicies(executor: Executor, filter: { id?: string; controller?: string } = {}): Promise<PolicyRow[]> {
      let query = q(executor).selectFrom('consent_policies as a').selectAll('a')
        .where('a.version', '=', (eb) => eb.selectFrom('consent_policies as b').select((b) => b.fn.max('b.version').as('v')).whereRef('b.id', '=', 'a.id'));
      if (filter.id !== undefined) query = query.where('a.id', '=', filter.id);
      if (filter.controller !== undefined) query = query.where('a.controller', '=', filter.controller);
      return query.orderBy('a.id').execute();
    },
    policyVersions(executor: Executor, id: string): Promise<PolicyRow[]> {
      return q(executor).selectFrom('consent_policies').selectAll().where('id', '=', id).orderBy('version', 'desc').execute();
    },

    individual(executor: Executor, agency: string, idNumber: string): Promise<IndividualRow | undefined> {
      return q(executor).selectFrom('consent_individuals').selectAll().where('agency', '=', agency).where('id_number', '=', idNumber).executeTakeFirst();
    },
    async upsertIndividual(executor: Executor, row: IndividualRow): Promise<void> {
      await q(executor).insertInto('consent_individuals').values(row)
        .onConflict((oc) => oc.columns(['agency', 'id_number']).doUpdateSet({ identity_provider_id: row.identity_provider_id, updated_at: row.updated_at }))
        .execute();
    },
    async deleteIndividual(executor: Executor, agency: string, idNumber: string): Promise<number> {
      const result = await q(executor).deleteFrom('consent_individuals').where('agency', '=', agency).where('id_number', '=', idNumber).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    /** Resident ID numbers an agency knows: registered, or with consent events under its agreements; ordered. */
    async knownIdNumbers(executor: Executor, agency: string, page: { offset: number; limit: number }): Promise<string[]> {
      const rows = await sql<{ id_number: string }>`
        select id_number from consent_individuals where agency = ${agency}
        union
        select e.id_number from consent_events e where e.agreement_id in (select id from consent_agreements where controller = ${agency})
        order by id_number limit ${page.limit} offset ${page.offset}`.execute(executor);
      return rows.rows.map((r) => r.id_number);
    },
    async knows(executor: Executor, agency: string, idNumber: string): Promise<boolean> {
      const rows = await sql<{ n: number }>`
        select 1 as n from consent_individuals where agency = ${agency} and id_number = ${idNumber}
        union all
        select 1 as n from consent_events e where e.id_number = ${idNumber} and e.agreement_id in (select id from consent_agreements where controller = ${agency})
        limit 1`.execute(executor);
      return rows.rows.length > 0;
    },

    async insertWebhook(executor: Executor, row: WebhookRow): Promise<void> {
      await q(executor).insertInto('consent_webhooks').values(row).execute();
    },
    async updateWebhook(executor: Executor, id: string, values: Pick<WebhookRow, 'payload_url' | 'content_type' | 'secret_key' | 'disabled' | 'updated_at'>): Promise<void> {
      await q(executor).updateTable('consent_webhooks').set(values).where('id', '=', id).execute();
    },
    async deleteWebhook(executor: Executor, id: string, at: Date): Promise<void> {
      await q(executor).updateTable('consent_webhooks').set({ deleted_at: at, disabled: true, updated_at: at }).where('id', '=', id).execute();
    },
    webhook(executor: Executor, id: string): Promise<WebhookRow | undefined> {
      return q(executor).selectFrom('consent_webhooks').selectAll().where('id', '=', id).executeTakeFirst();
    },
    webhooks(executor: Executor, agency: string, page: { offset: number; limit: number }): Promise<WebhookRow[]> {
      return q(executor).selectFrom('consent_webhooks').selectAll().where('agency', '=', agency).where('deleted_at', 'is', null)
        .orderBy('created_at').orderBy('id').limit(page.limit).offset(page.offset).execute();
    },
    /** The webhooks an event of this agency goes to. */
    liveWebhooks(executor: Executor, agency: string): Promise<WebhookRow[]> {
      return q(executor).selectFrom('consent_webhooks').selectAll().where('agency', '=', agency).where('deleted_at', 'is', null).where('disabled', '=', false).execute();
    },

    async insertDelivery(executor: Executor, row: DeliveryRow): Promise<void> {
      await q(executor).insertInto('consent_webhook_deliveries').values(row).execute();
    },
    delivery(executor: Executor, id: string): Promise<DeliveryRow | undefined> {
      return q(executor).selectFrom('consent_webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
    },
    deliveries(executor: Executor, webhookId: string): Promise<DeliveryRow[]> {
      return q(executor).selectFrom('consent_webhook_deliveries').selectAll().where('webhook_id', '=', webhookId).orderBy('created_at').orderBy('id').execute();
    },
    async recordAttempt(executor: Executor, id: string, values: { state: DeliveryRow['state']; status: number | null; error: string | null; at: Date }): Promise<void> {
      await q(executor).updateTable('consent_webhook_deliveries')
        .set((eb) => ({
          state: values.state, attempts: eb('attempts', '+', 1), last_status: values.status, last_error: values.error,
          ...(values.state === 'delivered' ? { delivered_at: values.at } : {}),
        }))
        .where('id', '=', id).execute();
    },

    async insertSignature(executor: Executor, row: SignatureRow): Promise<void> {
      await q(executor).insertInto('consent_signatures').values(row).execute();
    },
    /** The newest signature of a record. */
    signatureOf(executor: Executor, eventId: string): Promise<SignatureRow | undefined> {
      return q(executor).selectFrom('consent_signatures').selectAll().where('event_id', '=', eventId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
    },
    /** Signs an unsigned signature; false when it was signed already (a second PUT changes nothing). */
    async sign(executor: Executor, id: string, values: { signature: string; signedBy: string; signedAs: string | null; at: Date }): Promise<boolean> {
      const result = await q(executor).updateTable('consent_signatures')
        .set({ signature: values.signature, verification_signed_by: values.signedBy, verification_signed_as: values.signedAs, signed_at: values.at })
        .where('id', '=', id).where('signed_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    /** Unsigned signatures of a person's records under some agreements: the signing processes they left. */
    async deleteUnsigned(executor: Executor, idNumber: string, agreementIds: readonly string[]): Promise<number> {
      if (agreementIds.length === 0) return 0;
      const result = await q(executor).deleteFrom('consent_signatures').where('signed_at', 'is', null)
        .where('event_id', 'in', (eb) => eb.selectFrom('consent_events').select('id').where('id_number', '=', idNumber).where('agreement_id', 'in', agreementIds))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type ConsentApiStore = ReturnType<typeof createConsentApiStore>;
