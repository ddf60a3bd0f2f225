import { sql, type Kysely, type Selectable } from 'kysely';
import type { LocalizedText } from '../catalog/service.js';

export type PublicJwk = { readonly kty: 'OKP'; readonly crv: 'Ed25519'; readonly x: string };

export type DocumentsTables = {
  documents_keys: { kid: string; agency: string; public_jwk: PublicJwk; created_at: Date; retired_at: Date | null };
  documents_certificates: {
    id: string;
    application_id: string;
    agency: string;
    holder_account_id: string | null;
    template_id: string;
    title: LocalizedText;
    reference: string | null;
    kid: string;
    jws: string;
    issued_at: Date;
    revoked_at: Date | null;
    revoked_by: string | null;
    revoke_reason: string | null;
  };
};

export type KeyRow = Selectable<DocumentsTables['documents_keys']>;
export type CertificateRow = Selectable<DocumentsTables['documents_certificates']>;

/** The caller's transaction, or the database. */
export type Executor = Kysely<object>;

const q = (executor: Executor): Kysely<DocumentsTables> => executor.withTables<DocumentsTables>();
const jsonb = (value: unknown) => sql<never>`cast(${JSON.stringify(value)} as jsonb)`;

/** Every query on the documents module's two tables. */
export function createDocumentsStore() {
  return {
    currentKey: (executor: Executor, agency: string): Promise<KeyRow | undefined> =>
      q(executor).selectFrom('documents_keys').selectAll().where('agency', '=', agency).where('retired_at', 'is', null).executeTakeFirst(),

    getKey: (executor: Executor, kid: string): Promise<KeyRow | undefined> =>
      q(executor).selectFrom('documents_keys').selectAll().where('kid', '=', kid).executeTakeFirst(),

    /** False when another key became current first (the partial unique index decides). */
    async insertCurrentKey(executor: Executor, row: { kid: string; agency: string; publicJwk: PublicJwk; at: Date }): Promise<boolean> {
      const inserted = await q(executor).insertInto('documents_keys')
        .values({ kid: row.kid, agency: row.agency, public_jwk: jsonb(row.publicJwk), created_at: row.at, retired_at: null })
        .onConflict((oc) => oc.column('agency').where('retired_at', 'is', null).doNothing())
        .returning('kid').executeTakeFirst();
      return inserted !== undefined;
    },

    async retireCurrentKey(executor: Executor, agency: string, at: Date): Promise<string | undefined> {
      const row = await q(executor).updateTable('documents_keys').set({ retired_at: at })
        .where('agency', '=', agency).where('retired_at', 'is', null).returning('kid').executeTakeFirst();
      return row?.kid;
    },

    listKeys: (executor: Executor, agency?: string): Promise<KeyRow[]> => {
      let query = q(executor).selectFrom('documents_keys').selectAll();
      if (agency !== undefined) query = query.where('agency', '=', agency);
      return query.orderBy('agency').orderBy('created_at').orderBy('kid').execute();
    },

    async insertCertificate(executor: Executor, row: Omit<CertificateRow, 'revoked_at' | 'revoked_by' | 'revoke_reason'>): Promise<boolean> {
      const inserted = await q(executor).insertInto('documents_certificates')
        .values({ ...row, title: jsonb(row.title), revoked_at: null, revoked_by: null, revoke_reason: null })
        .onConflict((oc) => oc.column('application_id').doNothing())
        .returning('id').executeTakeFirst();
      return inserted !== undefined;
    },

    getCertificate: (executor: Executor, id: string): Promise<CertificateRow | undefined> =>
      q(executor).selectFrom('documents_certificates').selectAll().where('id', '=', id).executeTakeFirst(),

    forApplication: (executor: Executor, applicationId: string): Promise<CertificateRow | undefined> =>
      q(executor).selectFrom('documents_certificates').selectAll().where('application_id', '=', applicationId).executeTakeFirst(),

    listForHolder: (executor: Executor, accountId: string): Promise<CertificateRow[]> =>
      q(executor).selectFrom('documents_certificates').selectAll().where('holder_account_id', '=', accountId).orderBy('issued_at', 'desc').orderBy('id').execute(),

    /** False when it was already revoked (a second officer, or the same form sent twice). */
    async revoke(executor: Executor, id: string, input: { at: Date; by: string; reason: string }): Promise<boolean> {
      const row = await q(executor).updateTable('documents_certificates')
        .set({ revoked_at: input.at, revoked_by: input.by, revoke_reason: input.reason })
        .where('id', '=', id).where('revoked_at', 'is', null).returning('id').executeTakeFirst();
      return row !== undefined;
    },
  };
}

export type DocumentsStore = ReturnType<typeof createDocumentsStore>;
