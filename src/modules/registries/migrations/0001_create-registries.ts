import { sql, type Kysely } from 'kysely';

/**
 * Schema-defined registries (docs/adr/0017-registries.md). Records keep their data as jsonb; the
 * record key and the fields people search by are copied into indexed text columns, so a lookup in
 * a registry of millions is an index scan whatever the registry's schema.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  // One row per registry and schema version: the JSON Schema records are validated against.
  await db.schema.createTable('registries_registries')
    // The GovStack Database API names a registry version by an integer.
    .addColumn('id', 'serial', (c) => c.notNull().unique())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('name', 'jsonb', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('key_field', 'text', (c) => c.notNull())
    .addColumn('search_fields', 'jsonb', (c) => c.notNull())
    // The field holding a person's resident ID number: a read of the record is a read of their data.
    .addColumn('person_field', 'text')
    .addColumn('schema', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('registries_registries_pk', ['code', 'version'])
    .execute();

  await db.schema.createTable('registries_records')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('registry', 'text', (c) => c.notNull())
    // Byte order ("C"): prefix searches are range scans on the index whatever the server's locale.
    .addColumn('key', sql`text collate "C"`, (c) => c.notNull())
    // The schema version the record was last validated against.
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('modified_at', 'timestamptz', (c) => c.notNull())
    .execute();
  // The lookup by key: unique, and the index every read by key uses.
  await db.schema.createIndex('registries_records_key').unique().on('registries_records').columns(['registry', 'key']).execute();

  // Search keys: one row per record and search field, so any registry's search fields are indexed
  // without DDL per registry. Prefix searches are range scans on the same index.
  await db.schema.createTable('registries_search_keys')
    .addColumn('registry', 'text', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('value', sql`text collate "C"`, (c) => c.notNull())
    .addColumn('record_id', 'uuid', (c) => c.notNull())
    .addPrimaryKeyConstraint('registries_search_keys_pk', ['registry', 'field', 'value', 'record_id'])
    .execute();
  await db.schema.createIndex('registries_search_keys_record').on('registries_search_keys').column('record_id').execute();

  // Every change: who, why, and the data it replaced (`before`), so every earlier version can be
  // rebuilt from the current record and this history; a create replaces nothing and stores none.
  await db.schema.createTable('registries_history')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('record_id', 'uuid', (c) => c.notNull())
    .addColumn('registry', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull().check(sql`operation in ('create', 'update', 'delete')`))
    .addColumn('before', 'jsonb')
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_organisation', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('registries_history_record').on('registries_history').columns(['registry', 'key', 'revision']).execute();

  // Reports of wrong data: tasks for the staff of the registry's owner agency.
  await db.schema.createTable('registries_corrections')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('registry', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('items', 'jsonb', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('reporter_account_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'resolved')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('resolved_by', 'text')
    .addColumn('resolution', 'text')
    .execute();
  await db.schema.createIndex('registries_corrections_owner').on('registries_corrections').columns(['owner', 'status', 'created_at']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up().
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['registries_corrections', 'registries_history', 'registries_search_keys', 'registries_records', 'registries_registries']) {
    await db.schema.dropTable(table).execute();
  }
}
