import { type Kysely } from 'kysely';

/**
 * What the built-in identity provider keeps: oidc-provider's models (sessions, interactions,
 * codes, grants, tokens) in one table keyed by model and id, and the demo personas it knows.
 * Expiry is judged against the provider's clock, the wall clock.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('kernel_oidc_model')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('user_code', 'text')
    .addColumn('uid', 'text')
    .addColumn('expires_at', 'timestamptz')
    .addColumn('consumed_at', 'timestamptz')
    .addPrimaryKeyConstraint('kernel_oidc_model_pk', ['model', 'id'])
    .execute();
  await db.schema.createIndex('kernel_oidc_model_grant').on('kernel_oidc_model').column('grant_id').execute();
  await db.schema.createIndex('kernel_oidc_model_uid').on('kernel_oidc_model').columns(['model', 'uid']).execute();
  await db.schema.createIndex('kernel_oidc_model_user_code').on('kernel_oidc_model').columns(['model', 'user_code']).execute();
  await db.schema.createIndex('kernel_oidc_model_expiry').on('kernel_oidc_model').column('expires_at').execute();

  await db.schema
    .createTable('kernel_idp_user')
    .addColumn('subject', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    // A message key describing the persona on the login page (who they are, where they work).
    .addColumn('description_key', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('kernel_idp_user').execute();
  await db.schema.dropTable('kernel_oidc_model').execute();
}
