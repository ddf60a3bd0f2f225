import { sql, type Kysely } from 'kysely';

/**
 * The registry of other agencies' systems allowed to call the API, and the assertion ids they
 * have spent. Times come from the application's clock, like every other kernel table.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('kernel_api_client')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    // An agency code or a mediator member/subsystem id (CN/GOV/110000-PSB/population-system).
    .addColumn('organisation', 'text', (c) => c.notNull())
    .addColumn('jwks', 'jsonb', (c) => c.notNull())
    .addColumn('scopes', 'jsonb', (c) => c.notNull())
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kernel_api_client_organisation').on('kernel_api_client').column('organisation').execute();

  // The primary key is the replay guard: two instances accepting the same assertion at the same
  // moment race on this constraint, and exactly one insert wins.
  await db.schema
    .createTable('kernel_api_client_assertion')
    .addColumn('client_id', 'text', (c) => c.notNull().references('kernel_api_client.client_id').onDelete('cascade'))
    .addColumn('jti', 'text', (c) => c.notNull().check(sql`length(jti) between 1 and 256`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('kernel_api_client_assertion_pk', ['client_id', 'jti'])
    .execute();
  await db.schema.createIndex('kernel_api_client_assertion_expires').on('kernel_api_client_assertion').column('expires_at').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('kernel_api_client_assertion').execute();
  await db.schema.dropTable('kernel_api_client').execute();
}
