import { sql, type Kysely, type Selectable } from 'kysely';
import type { LogFilter } from './log-search.js';

export type MediatorTables = {
  mediator_members: { id: string; instance: string; member_class: string; code: string; name: string; agency: string; created_at: Date };
  mediator_subsystems: { id: string; member_id: string; code: string; name: string; client_id: string | null; created_at: Date };
  mediator_services: {
    id: string; subsystem_id: string; code: string; name: string; base_url: string; openapi: unknown;
    needs_consent: boolean; agreement_id: string | null; timeout_ms: number | null; store_bodies: boolean; created_at: Date; updated_at: Date;
  };
  mediator_access_rights: { id: string; service_id: string; client_id: string; method: string; path: string; granted_by: string; granted_at: Date };
  mediator_message_log: {
    id: string; chain: number; seq: number; at: Date; message_id: string; request_id: string | null; client: string | null; service: string | null;
    method: string; path: string; user_id: string | null; issue: string | null; status: number; outcome: string;
    request_digest: string; response_digest: string; request_bytes: number; response_bytes: number; duration_ms: number; provider_ms: number | null;
    prev_hash: string; hash: string;
  };
  mediator_client_certificates: {
    sha256: string; subsystem_id: string; subject: string; issuer: string; serial: string; not_before: Date; not_after: Date; pem: string; added_by: string; added_at: Date;
  };
  mediator_message_bodies: {
    message_id: string; at: Date; key_id: string;
    request_iv: Uint8Array; request_tag: Uint8Array; request_body: Uint8Array;
    response_iv: Uint8Array; response_tag: Uint8Array; response_body: Uint8Array;
  };
};

export type MemberRow = Selectable<MediatorTables['mediator_members']>;
export type SubsystemRow = Selectable<MediatorTables['mediator_subsystems']>;
export type ServiceRow = Selectable<MediatorTables['mediator_services']>;
export type RightRow = Selectable<MediatorTables['mediator_access_rights']>;
export type CertificateRow = Selectable<MediatorTables['mediator_client_certificates']>;
export type LogRow = Selectable<MediatorTables['mediator_message_log']>;
export type BodiesRow = Selectable<MediatorTables['mediator_message_bodies']>;

export type Executor = Kysely<object>;

const q = (executor: Executor): Kysely<MediatorTables> => executor.withTables<MediatorTables>();
/** A LIKE pattern's literal start: `_` (in identifiers) and `%` match only themselves. */
const likePrefix = (text: string) => text.replace(/[\\%_]/g, '\\$&');
const jsonb = (value: unknown) => (value === null || value === undefined ? null : sql<never>`cast(${JSON.stringify(value)} as jsonb)`);

export interface TrafficRow { service: string | null; calls: number; refused: number; failed: number; average_ms: number; slowest_ms: number }

/** Every query on the mediator's tables. */
export function createMediatorStore(db: Executor) {
  return {
    db,
    getMember: (id: string, executor: Executor = db) => q(executor).selectFrom('mediator_members').selectAll().where('id', '=', id).executeTakeFirst(),
    listMembers: () => q(db).selectFrom('mediator_members').selectAll().orderBy('id').execute(),
    async insertMember(executor: Executor, row: MemberRow): Promise<boolean> {
      const r = await q(executor).insertInto('mediator_members').values(row).onConflict((c) => c.column('id').doNothing()).executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    getSubsystem: (id: string, executor: Executor = db) => q(executor).selectFrom('mediator_subsystems').selectAll().where('id', '=', id).executeTakeFirst(),
    listSubsystems: (memberId?: string) => {
      let query = q(db).selectFrom('mediator_subsystems').selectAll();
      if (memberId !== undefined) query = query.where('member_id', '=', memberId);
      return query.orderBy('id').execute();
    },
    async insertSubsystem(executor: Executor, row: SubsystemRow): Promise<boolean> {
      const r = await q(executor).insertInto('mediator_subsystems').values(row).onConflict((c) => c.doNothing()).executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    /** Names the API client whose tokens authenticate a subsystem's calls (ADR 47), only if it has none yet. */
    async setSubsystemClient(executor: Executor, id: string, clientId: string): Promise<boolean> {
      const r = await q(executor).updateTable('mediator_subsystems').set({ client_id: clientId }).where('id', '=', id).where('client_id', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    getService: (id: string, executor: Executor = db) => q(executor).selectFrom('mediator_services').selectAll().where('id', '=', id).executeTakeFirst(),
    listServices: (subsystemId?: string) => {
      let query = q(db).selectFrom('mediator_services').selectAll();
      if (subsystemId !== undefined) query = query.where('subsystem_id', '=', subsystemId);
      return query.orderBy('id').execute();
    },
    async upsertService(executor: Executor, row: ServiceRow): Promise<void> {
      const values = { ...row, openapi: jsonb(row.openapi) };
      await q(executor).insertInto('mediator_services').values(values).onConflict((c) => c.column('id').doUpdateSet({
        name: row.name, base_url: row.base_url, openapi: jsonb(row.openapi), needs_consent: row.needs_consent,
        agreement_id: row.agreement_id, timeout_ms: row.timeout_ms, store_bodies: row.store_bodies, updated_at: row.updated_at,
      })).execute();
    },

    getRight: (id: string, executor: Executor = db) => q(executor).selectFrom('mediator_access_rights').selectAll().where('id', '=', id).executeTakeFirst(),
    rights: (filter: { serviceId?: string | undefined; clientId?: string | undefined; serviceIds?: readonly string[] }) => {
      let query = q(db).selectFrom('mediator_access_rights').selectAll();
      if (filter.serviceId !== undefined) query = query.where('service_id', '=', filter.serviceId);
      if (filter.clientId !== undefined) query = query.where('client_id', '=', filter.clientId);
      if (filter.serviceIds !== undefined) {
        if (filter.serviceIds.length === 0) return Promise.resolve([]);
        query = query.where('service_id', 'in', filter.serviceIds);
      }
      return query.orderBy('service_id').orderBy('client_id').orderBy('path').orderBy('method').execute();
    },
    async insertRight(executor: Executor, row: RightRow): Promise<RightRow | undefined> {
      const inserted = await q(executor).insertInto('mediator_access_rights').values(row).onConflict((c) => c.doNothing()).returningAll().executeTakeFirst();
      return inserted;
    },
    findRight: (executor: Executor, key: Pick<RightRow, 'service_id' | 'client_id' | 'method' | 'path'>) => q(executor).selectFrom('mediator_access_rights').selectAll()
      .where('service_id', '=', key.service_id).where('client_id', '=', key.client_id).where('method', '=', key.method).where('path', '=', key.path).executeTakeFirst(),
    async deleteRight(executor: Executor, id: string): Promise<void> {
      await q(executor).deleteFrom('mediator_access_rights').where('id', '=', id).execute();
    },

    getCertificate: (sha256: string, executor: Executor = db) => q(executor).selectFrom('mediator_client_certificates').selectAll().where('sha256', '=', sha256).executeTakeFirst(),
    listCertificates: (subsystemId?: string) => {
      let query = q(db).selectFrom('mediator_client_certificates').selectAll();
      if (subsystemId !== undefined) query = query.where('subsystem_id', '=', subsystemId);
      return query.orderBy('subsystem_id').orderBy('not_after').execute();
    },
    async insertCertificate(executor: Executor, row: CertificateRow): Promise<boolean> {
      const r = await q(executor).insertInto('mediator_client_certificates').values(row).onConflict((c) => c.doNothing()).executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async deleteCertificate(executor: Executor, sha256: string): Promise<void> {
      await q(executor).deleteFrom('mediator_client_certificates').where('sha256', '=', sha256).execute();
    },

    /** Calls per service since `since`, from the message log. */
    async traffic(since: Date): Promise<TrafficRow[]> {
      const rows = await q(db).selectFrom('mediator_message_log')
        .select((eb) => [
          'service',
          eb.fn.countAll<string>().as('calls'),
          sql<string>`count(*) filter (where outcome <> 'ok' and status < 500)`.as('refused'),
          sql<string>`count(*) filter (where status >= 500)`.as('failed'),
          sql<string>`coalesce(avg(duration_ms), 0)`.as('average_ms'),
          sql<string>`coalesce(max(duration_ms), 0)`.as('slowest_ms'),
        ])
        .where('at', '>=', since).groupBy('service').orderBy('service').execute();
      return rows.map((r) => ({ service: r.service, calls: Number(r.calls), refused: Number(r.refused), failed: Number(r.failed), average_ms: Math.round(Number(r.average_ms)), slowest_ms: Number(r.slowest_ms) }));
    },
    /**
     * Exchanges matching the filter, newest first. `within`: member ids whose exchanges (as client
     * or service) may be returned, or undefined for all (a platform administrator).
     */
    searchLog(filter: LogFilter, within: readonly string[] | undefined, limit: number) {
      if (within !== undefined && within.length === 0) return Promise.resolve([]);
      let query = q(db).selectFrom('mediator_message_log').selectAll();
      if (filter.from) query = query.where('at', '>=', filter.from);
      if (filter.to) query = query.where('at', '<', filter.to);
      const older = filter.olderThan;
      if (older) query = query.where(sql<boolean>`(at, id) < (${older.at}, ${older.id}::uuid)`);
      if (filter.client !== undefined) query = query.where('client', '=', filter.client);
      const service = filter.service;
      if (service !== undefined) query = query.where((eb) => eb.or([eb('service', '=', service), eb('service', 'like', `${likePrefix(service)}/%`)]));
      if (filter.outcome === 'ok') query = query.where('outcome', '=', 'ok').where('status', '<', 500);
      if (filter.outcome === 'refused') query = query.where('outcome', '<>', 'ok').where('status', '<', 500);
      if (filter.outcome === 'failed') query = query.where('status', '>=', 500);
      if (within !== undefined) {
        query = query.where((eb) => eb.or(within.flatMap((member) => [eb('client', 'like', `${likePrefix(member)}/%`), eb('service', 'like', `${likePrefix(member)}/%`)])));
      }
      return query.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    },
    async insertBodies(executor: Executor, row: BodiesRow): Promise<void> {
      await q(executor).insertInto('mediator_message_bodies').values(row).execute();
    },
    getBodies: (messageId: string) => q(db).selectFrom('mediator_message_bodies').selectAll().where('message_id', '=', messageId).executeTakeFirst(),
    hasBodies: async (messageId: string) => (await q(db).selectFrom('mediator_message_bodies').select('message_id').where('message_id', '=', messageId).executeTakeFirst()) !== undefined,
    byMessageId: (messageId: string) => q(db).selectFrom('mediator_message_log').selectAll().where('message_id', '=', messageId).orderBy('chain').orderBy('seq').execute(),
  };
}

export type MediatorStore = ReturnType<typeof createMediatorStore>;
