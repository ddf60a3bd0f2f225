import { sql, type Kysely, type Selectable } from 'kysely';
import type { AgencyContact, ServiceDefinition } from './definition.js';
import type { ServiceColumns } from './derive.js';

export type CatalogTables = {
  catalog_agencies: {
    code: string;
    name_zh: string;
    name_en: string;
    contact: AgencyContact;
    content_hash: string;
    created_at: Date;
    updated_at: Date;
  };
  catalog_services: {
    id: string;
    slug: string;
    agency_code: string;
    current_version: number;
    listed: boolean;
    category: string;
    life_events: string[];
    name_zh: string;
    name_en: string;
    summary_zh: string;
    summary_en: string;
    name_search: string;
    text_search: string;
    created_at: Date;
    updated_at: Date;
  };
  catalog_service_versions: {
    service_id: string;
    version: number;
    definition: ServiceDefinition;
    content_hash: string;
    published_at: Date;
    published_by: string;
  };
};

export type AgencyRow = Selectable<CatalogTables['catalog_agencies']>;
export type ServiceRow = Selectable<CatalogTables['catalog_services']>;
export type VersionRow = Selectable<CatalogTables['catalog_service_versions']>;

/** The caller's transaction, or the database: any Kysely instance, whatever tables it knows. */
export type Executor = Kysely<object>;
type Q = Kysely<CatalogTables>;

const q = (executor: Executor): Q => executor.withTables<CatalogTables>();

// jsonb is written as a JSON string cast in SQL (one path for pg and PGlite) and read back parsed.
const jsonb = (value: unknown) => sql<never>`cast(${JSON.stringify(value)} as jsonb)`;

export interface AgencyWrite {
  code: string;
  nameZh: string;
  nameEn: string;
  contact: AgencyContact;
  contentHash: string;
}

export type ServiceWrite = ServiceColumns;

export function createCatalogStore() {
  return {
    async getAgency(executor: Executor, code: string): Promise<AgencyRow | undefined> {
      return q(executor).selectFrom('catalog_agencies').selectAll().where('code', '=', code).executeTakeFirst();
    },

    async listAgencies(executor: Executor): Promise<AgencyRow[]> {
      return q(executor).selectFrom('catalog_agencies').selectAll().orderBy('code').execute();
    },

    async agencyCodes(executor: Executor): Promise<Set<string>> {
      const rows = await q(executor).selectFrom('catalog_agencies').select('code').execute();
      return new Set(rows.map((r) => r.code));
    },

    /**
     * The catalog's publishing lock (transaction-scoped, advisory): publications of agencies and
     * services run one after another, so the first of two at once creates a new service, agency
     * or slug and the second finds it, instead of both inserting it.
     */
    async lockPublishing(executor: Executor): Promise<void> {
      await sql`select pg_advisory_xact_lock(hashtextextended('catalog-publishing', 0))`.execute(executor);
    },

    async insertAgency(executor: Executor, a: AgencyWrite, at: Date): Promise<void> {
      await q(executor).insertInto('catalog_agencies').values({
        code: a.code, name_zh: a.nameZh, name_en: a.nameEn, contact: jsonb(a.contact), content_hash: a.contentHash, created_at: at, updated_at: at,
      }).execute();
    },

    async updateAgency(executor: Executor, a: AgencyWrite, at: Date): Promise<void> {
      await q(executor).updateTable('catalog_agencies').set({
        name_zh: a.nameZh, name_en: a.nameEn, contact: jsonb(a.contact), content_hash: a.contentHash, updated_at: at,
      }).where('code', '=', a.code).execute();
    },

    async getService(executor: Executor, key: { id: string } | { slug: string }, options: { forUpdate?: boolean } = {}): Promise<ServiceRow | undefined> {
      let query = q(executor).selectFrom('catalog_services').selectAll();
      query = 'id' in key ? query.where('id', '=', key.id) : query.where('slug', '=', key.slug);
      if (options.forUpdate) query = query.forUpdate();
      return query.executeTakeFirst();
    },

    async getVersion(executor: Executor, serviceId: string, version: number): Promise<VersionRow | undefined> {
      return q(executor).selectFrom('catalog_service_versions').selectAll()
        .where('service_id', '=', serviceId).where('version', '=', version).executeTakeFirst();
    },

    async listVersions(executor: Executor, serviceId: string): Promise<Omit<VersionRow, 'definition'>[]> {
      return q(executor).selectFrom('catalog_service_versions')
        .select(['service_id', 'version', 'content_hash', 'published_at', 'published_by'])
        .where('service_id', '=', serviceId).orderBy('version').execute();
    },

    async insertService(executor: Executor, s: ServiceWrite, at: Date): Promise<void> {
      await q(executor).insertInto('catalog_services').values({
        id: s.id, slug: s.slug, agency_code: s.agencyCode, current_version: s.version, listed: true, category: s.category,
        life_events: jsonb(s.lifeEvents), name_zh: s.nameZh, name_en: s.nameEn, summary_zh: s.summaryZh, summary_en: s.summaryEn,
        name_search: s.nameSearch, text_search: s.textSearch, created_at: at, updated_at: at,
      }).execute();
    },

    async updateService(executor: Executor, s: ServiceWrite, at: Date): Promise<void> {
      await q(executor).updateTable('catalog_services').set({
        slug: s.slug, agency_code: s.agencyCode, current_version: s.version, category: s.category, life_events: jsonb(s.lifeEvents),
        name_zh: s.nameZh, name_en: s.nameEn, summary_zh: s.summaryZh, summary_en: s.summaryEn,
        name_search: s.nameSearch, text_search: s.textSearch, updated_at: at,
      }).where('id', '=', s.id).execute();
    },

    async setListed(executor: Executor, id: string, listed: boolean, at: Date): Promise<void> {
      await q(executor).updateTable('catalog_services').set({ listed, updated_at: at }).where('id', '=', id).execute();
    },

    async insertVersion(executor: Executor, v: { serviceId: string; version: number; definition: ServiceDefinition; contentHash: string; publishedBy: string }, at: Date): Promise<void> {
      await q(executor).insertInto('catalog_service_versions').values({
        service_id: v.serviceId, version: v.version, definition: jsonb(v.definition), content_hash: v.contentHash, published_at: at, published_by: v.publishedBy,
      }).execute();
    },

    /**
     * Listed services of a category or life event, each with its search columns, for the service
     * to rank (search.ts): the catalogue is small enough to read whole, as browsing always did.
     */
    async search(executor: Executor, filter: { category?: string; lifeEvent?: string; includeUnlisted?: boolean }): Promise<ServiceRow[]> {
      let query = q(executor).selectFrom('catalog_services').selectAll();
      if (!filter.includeUnlisted) query = query.where('listed', '=', true);
      if (filter.category) query = query.where('category', '=', filter.category);
      if (filter.lifeEvent) query = query.where(sql<boolean>`life_events @> ${jsonb([filter.lifeEvent])}`);
      return query.orderBy('slug').execute();
    },

    async countByCategory(executor: Executor): Promise<{ category: string; count: number }[]> {
      return q(executor).selectFrom('catalog_services').select(['category', sql<number>`count(*)::int`.as('count')])
        .where('listed', '=', true).groupBy('category').execute();
    },

    async countByLifeEvent(executor: Executor): Promise<{ lifeEvent: string; count: number }[]> {
      const { rows } = await sql<{ lifeEvent: string; count: number }>`
        select e.value as "lifeEvent", count(*)::int as count
        from catalog_services s cross join lateral jsonb_array_elements_text(s.life_events) as e(value)
        where s.listed group by e.value`.execute(q(executor));
      return rows;
    },
  };
}

export type CatalogStore = ReturnType<typeof createCatalogStore>;
