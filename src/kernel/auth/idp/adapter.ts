import { sql } from 'kysely';
import type { Adapter, AdapterConstructor, AdapterPayload } from 'oidc-provider';
import type { Db } from '../../db/index.js';

type OidcTables = {
  kernel_oidc_model: {
    model: string;
    id: string;
    payload: unknown;
    grant_id: string | null;
    user_code: string | null;
    uid: string | null;
    expires_at: Date | null;
    consumed_at: Date | null;
  };
};

/**
 * oidc-provider's storage in our database, so that every instance sees the same IdP sessions,
 * interactions and codes (its default adapter keeps them in one process's memory). The provider
 * judges time with the wall clock, so expiry here does too.
 */
export function oidcAdapter(database: Db): AdapterConstructor {
  const db = database.withTables<OidcTables>();
  const live = (model: string) => db.selectFrom('kernel_oidc_model')
    .select(['payload', 'consumed_at'])
    .where('model', '=', model)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', new Date())]));
  const read = (row: { payload: unknown; consumed_at: Date | null } | undefined): AdapterPayload | undefined => {
    if (!row) return undefined;
    const payload = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as AdapterPayload;
    return row.consumed_at ? { ...payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : payload;
  };

  return class DatabaseAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const values = {
        payload: sql<string>`cast(${JSON.stringify(payload)} as jsonb)`,
        grant_id: payload.grantId ?? null,
        user_code: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expires_at: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
      };
      await db.insertInto('kernel_oidc_model')
        .values({ model: this.model, id, ...values })
        .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(values))
        .execute();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return read(await live(this.model).where('id', '=', id).executeTakeFirst());
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return read(await live(this.model).where('uid', '=', uid).executeTakeFirst());
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return read(await live(this.model).where('user_code', '=', userCode).executeTakeFirst());
    }

    async consume(id: string): Promise<void> {
      await db.updateTable('kernel_oidc_model').set({ consumed_at: new Date() }).where('model', '=', this.model).where('id', '=', id).execute();
    }

    async destroy(id: string): Promise<void> {
      await db.deleteFrom('kernel_oidc_model').where('model', '=', this.model).where('id', '=', id).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.deleteFrom('kernel_oidc_model').where('model', '=', this.model).where('grant_id', '=', grantId).execute();
    }
  };
}

/** Deletes expired models; run by a periodic job. */
export async function pruneOidcModels(database: Db): Promise<number> {
  const result = await database.withTables<OidcTables>().deleteFrom('kernel_oidc_model').where('expires_at', '<=', new Date()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
