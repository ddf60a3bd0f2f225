import { sql, type Generated, type Kysely, type RawBuilder, type Selectable } from 'kysely';

export type RegistriesTables = {
  registries_registries: {
    id: Generated<number>; code: string; version: string; name: { 'zh-CN': string; en: string }; owner: string; key_field: string;
    search_fields: string[]; person_field: string | null; schema: Record<string, unknown>; created_at: Date;
  };
  registries_records: { id: string; registry: string; key: string; version: string; data: Record<string, unknown>; revision: number; created_at: Date; modified_at: Date };
  registries_search_keys: { registry: string; field: string; value: string; record_id: string };
  registries_history: {
    id: string; record_id: string; registry: string; key: string; revision: number; operation: 'create' | 'update' | 'delete';
    before: Record<string, unknown> | null; actor_kind: string; actor_id: string; actor_organisation: string | null; reason: string; at: Date;
  };
  registries_corrections: {
    id: string; registry: string; key: string; owner: string; items: string[]; description: string; reporter_account_id: string;
    /** `staff`: a clerk at a counter of `reporter_organisation`, reporting for the person. */
    reporter_kind: 'person' | 'staff' | 'client'; reporter_organisation: string | null; subject_account_id: string | null;
    status: 'open' | 'resolved'; created_at: Date; resolved_at: Date | null; resolved_by: string | null; resolution: string | null;
  };
};

export type RegistryRow = Selectable<RegistriesTables['registries_registries']>;
export type RecordRow = Selectable<RegistriesTables['registries_records']>;
export type HistoryRow = Selectable<RegistriesTables['registries_history']>;
export type CorrectionRow = Selectable<RegistriesTables['registries_corrections']>;

/** The caller's transaction, or the database. */
export type Executor = Kysely<object>;

const q = (executor: Executor): Kysely<RegistriesTables> => executor.withTables<RegistriesTables>();
// jsonb is written as a JSON string cast in SQL: one path for pg and PGlite.
const jsonb = (value: unknown) => sql<never>`cast(${JSON.stringify(value)} as jsonb)`;

/** A condition on a record: by key, by an indexed search field (exact or prefix), or by any field's value. */
export type Match =
  | { readonly kind: 'key'; readonly value: string }
  | { readonly kind: 'search'; readonly field: string; readonly value: string; readonly prefix: boolean }
  | { readonly kind: 'contains'; readonly data: Record<string, unknown> }
  /** A prefix of the key or of any of the search fields: a free-text search that stays on indexes. */
  | { readonly kind: 'anyPrefix'; readonly fields: readonly string[]; readonly value: string };

const TOP = '\u{10FFFF}';

export interface ListQuery {
  readonly registry: string;
  readonly matches: readonly Match[];
  readonly order: { readonly by: 'key' | 'created_at' | 'modified_at'; readonly direction: 'asc' | 'desc' };
  readonly limit: number;
  readonly offset: number;
  /** Lock the rows read (FOR UPDATE) until the transaction ends: a change reads what it rewrites this way. */
  readonly lock?: boolean;
}

export interface HistoryEntry {
  readonly operation: 'create' | 'update' | 'delete';
  readonly before: Record<string, unknown> | null;
  readonly actor: { readonly kind: string; readonly id: string; readonly organisation: string | null };
  readonly reason: string;
  readonly at: Date;
}

/** Every query on the registries' tables. */
export function createRegistriesStore() {
  return {
    registries(executor: Executor): Promise<RegistryRow[]> {
      return q(executor).selectFrom('registries_registries').selectAll().orderBy('code').orderBy('id').execute();
    },

    async saveRegistry(executor: Executor, row: Omit<RegistryRow, 'id'>): Promise<RegistryRow> {
      return q(executor).insertInto('registries_registries')
        .values({ ...row, name: jsonb(row.name), search_fields: jsonb(row.search_fields), schema: jsonb(row.schema) })
        .onConflict((oc) => oc.columns(['code', 'version']).doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'), owner: eb.ref('excluded.owner'), key_field: eb.ref('excluded.key_field'),
          search_fields: eb.ref('excluded.search_fields'), person_field: eb.ref('excluded.person_field'), schema: eb.ref('excluded.schema'),
        })))
        .returningAll().executeTakeFirstOrThrow();
    },

    async deleteRegistry(executor: Executor, code: string, version: string): Promise<void> {
      await q(executor).deleteFrom('registries_registries').where('code', '=', code).where('version', '=', version).execute();
    },

    async versionInUse(executor: Executor, code: string, version: string): Promise<boolean> {
      const row = await q(executor).selectFrom('registries_records').select('id').where('registry', '=', code).where('version', '=', version).limit(1).executeTakeFirst();
      return row !== undefined;
    },

    /**
     * The read by key: one probe of the unique (registry, key) index. With `lock` the row stays
     * locked until the transaction ends, and a writer that waited for it reads the committed row.
     */
    byKey(executor: Executor, registry: string, key: string, options: { lock?: boolean } = {}): Promise<RecordRow | undefined> {
      const read = q(executor).selectFrom('registries_records').selectAll().where('registry', '=', registry).where('key', '=', key);
      return (options.lock ? read.forUpdate() : read).executeTakeFirst();
    },

    async list(executor: Executor, query: ListQuery): Promise<{ rows: RecordRow[]; total: number }> {
      let base = q(executor).selectFrom('registries_records as r').where('r.registry', '=', query.registry);
      for (const match of query.matches) {
        if (match.kind === 'key') base = base.where('r.key', '=', match.value);
        else if (match.kind === 'contains') base = base.where(sql<boolean>`r.data @> ${jsonb(match.data)}`);
        else if (match.kind === 'anyPrefix') {
          const { value, fields } = match;
          base = base.where((eb) => eb.or([
            eb.and([eb('r.key', '>=', value), eb('r.key', '<', `${value}${TOP}`)]),
            ...(fields.length === 0 ? [] : [eb.exists(eb.selectFrom('registries_search_keys as k').select('k.record_id')
              .whereRef('k.record_id', '=', 'r.id').where('k.registry', '=', query.registry).where('k.field', 'in', fields)
              .where('k.value', '>=', value).where('k.value', '<', `${value}${TOP}`))]),
          ]));
        } else {
          // A semi-join on the search-key index: exact, or a prefix as a range on the same index.
          base = base.where((outer) => outer.exists(outer.selectFrom('registries_search_keys as k').select('k.record_id')
            .whereRef('k.record_id', '=', 'r.id').where('k.registry', '=', query.registry).where('k.field', '=', match.field)
            .where((eb) => (match.prefix ? eb.and([eb('k.value', '>=', match.value), eb('k.value', '<', `${match.value}${TOP}`)]) : eb('k.value', '=', match.value)))));
        }
      }
      const page = base.selectAll('r').orderBy(`r.${query.order.by}`, query.order.direction).orderBy('r.id', query.order.direction).limit(query.limit).offset(query.offset);
      const rows = await (query.lock ? page.forUpdate('r') : page).execute();
      // A key names one record at most: its first page is the whole answer, no count needed.
      if (query.offset === 0 && (rows.length < query.limit || query.matches.some((m) => m.kind === 'key'))) return { rows, total: rows.length };
      const count = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return { rows, total: Number(count.n) };
    },

    /**
     * A new record; undefined when its key exists already. Returns the data as stored: jsonb orders
     * an object's keys its own way, and an answer kept for an Idempotency-Key is rebuilt from it.
     */
    async insert(executor: Executor, row: RecordRow, searchKeys: readonly { field: string; value: string }[]): Promise<Record<string, unknown> | undefined> {
      const inserted = await q(executor).insertInto('registries_records').values({ ...row, data: jsonb(row.data) })
        .onConflict((oc) => oc.columns(['registry', 'key']).doNothing()).returning('data').executeTakeFirst();
      if (!inserted) return undefined;
      await this.writeSearchKeys(executor, row.registry, row.id, searchKeys);
      return inserted.data;
    },

    /** A record's new content; returns the data as stored (as `insert`). */
    async update(executor: Executor, row: Pick<RecordRow, 'id' | 'registry' | 'version' | 'data' | 'revision' | 'modified_at'>, searchKeys: readonly { field: string; value: string }[]): Promise<Record<string, unknown>> {
      const updated = await q(executor).updateTable('registries_records')
        .set({ version: row.version, data: jsonb(row.data), revision: row.revision, modified_at: row.modified_at })
        .where('id', '=', row.id).returning('data').executeTakeFirstOrThrow();
      await q(executor).deleteFrom('registries_search_keys').where('record_id', '=', row.id).execute();
      await this.writeSearchKeys(executor, row.registry, row.id, searchKeys);
      return updated.data;
    },

    async remove(executor: Executor, id: string): Promise<void> {
      await q(executor).deleteFrom('registries_search_keys').where('record_id', '=', id).execute();
      await q(executor).deleteFrom('registries_records').where('id', '=', id).execute();
    },

    async writeSearchKeys(executor: Executor, registry: string, recordId: string, keys: readonly { field: string; value: string }[]): Promise<void> {
      if (keys.length === 0) return;
      await q(executor).insertInto('registries_search_keys').values(keys.map((k) => ({ registry, field: k.field, value: k.value, record_id: recordId })))
        .onConflict((oc) => oc.doNothing()).execute();
    },

    async addHistory(executor: Executor, row: Selectable<RegistriesTables['registries_history']>): Promise<void> {
      await q(executor).insertInto('registries_history').values({ ...row, before: row.before === null ? null : jsonb(row.before) }).execute();
    },

    async history(executor: Executor, registry: string, key: string): Promise<HistoryEntry[]> {
      const rows = await q(executor).selectFrom('registries_history').selectAll().where('registry', '=', registry).where('key', '=', key)
        .orderBy('revision').orderBy('at').execute();
      return rows.map((r) => ({ operation: r.operation, before: r.before, actor: { kind: r.actor_kind, id: r.actor_id, organisation: r.actor_organisation }, reason: r.reason, at: r.at }));
    },

    /**
     * Many new records in one statement: the rows travel as one JSON parameter and are unpacked
     * by jsonb_to_recordset, so a batch costs one round trip on pg and PGlite alike. Records whose
     * key exists already are left alone. Returns how many were new.
     */
    bulkInsert(executor: Executor, input: BulkInput & { rows: readonly { id: string; key: string; data: Record<string, unknown> }[] }): Promise<number> {
      return insertRecords(executor, input, sql`select * from jsonb_to_recordset(cast(${JSON.stringify(input.rows)} as jsonb)) as x(id uuid, key text, data jsonb)`);
    },

    /**
     * Records the database computes itself (`rows`: a query of `(i, key, data)`, e.g. the
     * synthetic persons), written like `bulkInsert`'s, with time-ordered (version 7) ids made from
     * `at` and `i`: consecutive rows land next to each other in the id index.
     */
    insertComputed(executor: Executor, input: BulkInput, rows: RawBuilder<{ i: number; key: string; data: Record<string, unknown> }>): Promise<number> {
      const ms = lpadHex(input.at.getTime(), 12);
      // 8-4-4-4-12 hex digits: 48 bits of milliseconds, version 7, i in 60 bits (variant 10), 12 random bits.
      const id = sql`cast(${ms.slice(0, 8)} || '-' || ${ms.slice(8)} || '-7' || substr(h.ih, 1, 3) || '-8' || substr(h.ih, 4, 3) || '-' || substr(h.ih, 7, 9) || substr(md5(random()::text), 1, 3) as uuid)`;
      return insertRecords(executor, input, sql`select ${id} as id, r.key, r.data from (${rows}) as r cross join lateral (select lpad(to_hex(r.i), 15, '0') as ih) as h order by r.i`);
    },

    async count(executor: Executor, registry: string): Promise<number> {
      const row = await q(executor).selectFrom('registries_records').select((eb) => eb.fn.countAll<number>().as('n')).where('registry', '=', registry).executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async addCorrection(executor: Executor, row: CorrectionRow): Promise<void> {
      await q(executor).insertInto('registries_corrections').values({ ...row, items: jsonb(row.items) }).execute();
    },

    correction(executor: Executor, id: string): Promise<CorrectionRow | undefined> {
      return q(executor).selectFrom('registries_corrections').selectAll().where('id', '=', id).executeTakeFirst();
    },

    corrections(executor: Executor, owners: readonly string[] | 'all', status: 'open' | 'resolved'): Promise<CorrectionRow[]> {
      let query = q(executor).selectFrom('registries_corrections').selectAll().where('status', '=', status);
      if (owners !== 'all') {
        if (owners.length === 0) return Promise.resolve([]);
        query = query.where('owner', 'in', owners);
      }
      return query.orderBy('created_at', 'desc').limit(200).execute();
    },

    async resolveCorrection(executor: Executor, id: string, resolution: { by: string; note: string; at: Date }): Promise<boolean> {
      const result = await q(executor).updateTable('registries_corrections')
        .set({ status: 'resolved', resolved_at: resolution.at, resolved_by: resolution.by, resolution: resolution.note })
        .where('id', '=', id).where('status', '=', 'open').executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}

export type RegistriesStore = ReturnType<typeof createRegistriesStore>;

interface BulkInput {
  registry: string; version: string; searchFields: readonly string[]; at: Date;
  actor: { kind: string; id: string; organisation: string | null }; reason: string;
}

const lpadHex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');

/**
 * New records from `input` (a query of `(id, key, data)`), their search keys and their history,
 * in one statement; records whose key exists already are left alone. Returns how many were new.
 */
async function insertRecords(executor: Executor, meta: BulkInput, input: RawBuilder<unknown>): Promise<number> {
  const result = await sql<{ n: number }>`
    with input as (${input}),
    ins as (
      insert into registries_records (id, registry, key, version, data, revision, created_at, modified_at)
      select id, ${meta.registry}, key, ${meta.version}, data, 1, ${meta.at}, ${meta.at} from input
      on conflict (registry, key) do nothing
      returning id, key, data
    ),
    keys as (
      insert into registries_search_keys (registry, field, value, record_id)
      select ${meta.registry}, f.field, ins.data ->> f.field, ins.id
      from ins cross join jsonb_array_elements_text(cast(${JSON.stringify(meta.searchFields)} as jsonb)) as f(field)
      where ins.data ->> f.field is not null
      on conflict do nothing
    ),
    hist as (
      insert into registries_history (id, record_id, registry, key, revision, operation, before, actor_kind, actor_id, actor_organisation, reason, at)
      select gen_random_uuid(), id, ${meta.registry}, key, 1, 'create', null, ${meta.actor.kind}, ${meta.actor.id}, ${meta.actor.organisation}, ${meta.reason}, ${meta.at}
      from ins
      returning 1
    )
    select cast(count(*) as integer) as n from hist`.execute(executor);
  return Number(result.rows[0]?.n ?? 0);
}
