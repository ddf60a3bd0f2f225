/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types */
import { sql, type Kysely } from 'kysely';

/**
 * Agencies, services and the immutable history of service definitions. The `catalog_` prefix
 * keeps these apart from other modules' tables in the one schema (the mediator also has
 * "services"). The search columns are denormalised from the current definition so that search is
 * one plain LIKE query that PGlite and PostgreSQL run alike.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('catalog_agencies')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name_zh', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('contact', 'jsonb', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema.createTable('catalog_services')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('agency_code', 'text', (c) => c.notNull().references('catalog_agencies.code'))
    .addColumn('current_version', 'integer', (c) => c.notNull())
    .addColumn('listed', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('life_events', 'jsonb', (c) => c.notNull())
    .addColumn('name_zh', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('summary_zh', 'text', (c) => c.notNull())
    .addColumn('summary_en', 'text', (c) => c.notNull())
    .addColumn('name_search', 'text', (c) => c.notNull())
    .addColumn('text_search', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('catalog_services_category').on('catalog_services').column('category').execute();

  await db.schema.createTable('catalog_service_versions')
    .addColumn('service_id', 'uuid', (c) => c.notNull().references('catalog_services.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('definition', 'jsonb', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('published_at', 'timestamptz', (c) => c.notNull())
    .addColumn('published_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('catalog_service_versions_pk', ['service_id', 'version'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('catalog_service_versions').execute();
  await db.schema.dropTable('catalog_services').execute();
  await db.schema.dropTable('catalog_agencies').execute();
}
