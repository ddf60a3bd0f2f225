import { sql, type ColumnType, type Kysely, type Selectable } from 'kysely';
import type { JWK } from 'jose';

/** Every SQL statement of the API client registry and the spent-assertion guard. */

// Type aliases, not interfaces: Kysely's withTables wants the implicit index signature.
export type ApiClientTable = {
  client_id: string;
  name: string;
  organisation: string;
  // jsonb: written as a JSON string cast in SQL, read back parsed.
  jwks: ColumnType<{ keys: JWK[] }, string, string>;
  scopes: ColumnType<string[], string, string>;
  enabled: boolean;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
};

export type ApiClientAssertionTable = {
  client_id: string;
  jti: string;
  expires_at: Date;
};

export type MachineTables = {
  kernel_api_client: ApiClientTable;
  kernel_api_client_assertion: ApiClientAssertionTable;
};

export type MachineDb = Kysely<MachineTables>;
export type ApiClientRow = Selectable<ApiClientTable>;

export function machineDb(executor: Kysely<object>): MachineDb {
  return executor.withTables<MachineTables>();
}

const jsonb = (value: unknown) => sql<string>`cast(${JSON.stringify(value)} as jsonb)`;

export interface NewClientRow {
  readonly clientId: string;
  readonly name: string;
  readonly organisation: string;
  readonly keys: readonly JWK[];
  readonly scopes: readonly string[];
  readonly now: Date;
}

/** False when the id is taken. */
export async function insertClient(db: MachineDb, row: NewClientRow): Promise<boolean> {
  const inserted = await db
    .insertInto('kernel_api_client')
    .values({
      client_id: row.clientId,
      name: row.name,
      organisation: row.organisation,
      jwks: jsonb({ keys: row.keys }),
      scopes: jsonb(row.scopes),
      enabled: true,
      created_at: row.now,
      updated_at: row.now,
    })
    .onConflict((oc) => oc.column('client_id').doNothing())
    .returning('client_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function selectClient(db: MachineDb, clientId: string, options: { forUpdate?: boolean } = {}): Promise<ApiClientRow | undefined> {
  let query = db.selectFrom('kernel_api_client').selectAll().where('client_id', '=', clientId);
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function selectClients(db: MachineDb, organisation: string | undefined): Promise<ApiClientRow[]> {
  let query = db.selectFrom('kernel_api_client').selectAll().orderBy('client_id');
  if (organisation !== undefined) query = query.where('organisation', '=', organisation);
  return query.execute();
}

export async function updateClientKeys(db: MachineDb, clientId: string, keys: readonly JWK[], now: Date): Promise<void> {
  await db.updateTable('kernel_api_client').set({ jwks: jsonb({ keys }), updated_at: now }).where('client_id', '=', clientId).execute();
}

/** False when there is no such client. */
export async function updateClientDetails(db: MachineDb, clientId: string, details: { name: string; scopes: readonly string[] }, now: Date): Promise<boolean> {
  const result = await db.updateTable('kernel_api_client').set({ name: details.name, scopes: jsonb(details.scopes), updated_at: now }).where('client_id', '=', clientId).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** False when there is no such client. */
export async function updateClientEnabled(db: MachineDb, clientId: string, enabled: boolean, now: Date): Promise<boolean> {
  const result = await db.updateTable('kernel_api_client').set({ enabled, updated_at: now }).where('client_id', '=', clientId).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** False when the client has spent this jti before: the primary key refuses the second insert. */
export async function insertAssertion(db: MachineDb, clientId: string, jti: string, expiresAt: Date): Promise<boolean> {
  const inserted = await db
    .insertInto('kernel_api_client_assertion')
    .values({ client_id: clientId, jti, expires_at: expiresAt })
    .onConflict((oc) => oc.columns(['client_id', 'jti']).doNothing())
    .returning('jti')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Forgets spent assertion ids that could no longer be accepted anyway (their exp has passed). */
export async function deleteSpentAssertions(db: MachineDb, before: Date, clientId?: string): Promise<number> {
  let query = db.deleteFrom('kernel_api_client_assertion').where('expires_at', '<', before);
  if (clientId !== undefined) query = query.where('client_id', '=', clientId);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}
