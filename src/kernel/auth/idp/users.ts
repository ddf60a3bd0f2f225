import { randomBytes, scrypt, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';
import type { Db } from '../../db/index.js';

type IdpUserTables = {
  kernel_idp_user: { subject: string; name: string; description_key: string; password_hash: string; position: number };
};

/** The password of every demo persona: shown on the built-in identity provider's login page. */
export const DEMO_PASSWORD = 'demo';

/** A persona the built-in identity provider can sign in. */
export interface IdpUser {
  /** The `sub` claim: stable, e.g. `citizen`. */
  readonly subject: string;
  readonly name: string;
  /** Message key of the one-line description on the login page. */
  readonly descriptionKey: string;
  /** Order on the login page. */
  readonly position: number;
}

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

function scryptAsync(password: BinaryLike, salt: BinaryLike, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** `scrypt$N$r$p$salt$key`, so the parameters can be raised later without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password.normalize('NFKC'), salt, SCRYPT.keylen, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await scryptAsync(password.normalize('NFKC'), Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(actual, expected);
}

export function createIdpUserStore(database: Db) {
  const db = database.withTables<IdpUserTables>();
  const toUser = (row: IdpUserTables['kernel_idp_user']): IdpUser => ({
    subject: row.subject, name: row.name, descriptionKey: row.description_key, position: row.position,
  });
  return {
    async list(): Promise<IdpUser[]> {
      const rows = await db.selectFrom('kernel_idp_user').selectAll().orderBy('position').orderBy('subject').execute();
      return rows.map(toUser);
    },
    async find(subject: string): Promise<IdpUser | undefined> {
      const row = await db.selectFrom('kernel_idp_user').selectAll().where('subject', '=', subject).executeTakeFirst();
      return row ? toUser(row) : undefined;
    },
    /** The persona when the password is right; undefined for an unknown persona or a wrong password. */
    async authenticate(subject: string, password: string): Promise<IdpUser | undefined> {
      const row = await db.selectFrom('kernel_idp_user').selectAll().where('subject', '=', subject).executeTakeFirst();
      if (!row) return undefined;
      return (await verifyPassword(password, row.password_hash)) ? toUser(row) : undefined;
    },
    /**
     * Adds or updates a persona (the identity module's seed calls this). Idempotent: a persona
     * whose password already matches keeps its hash, so seeding twice changes nothing.
     */
    async upsert(user: IdpUser & { readonly password: string }): Promise<void> {
      const existing = await db.selectFrom('kernel_idp_user').select('password_hash').where('subject', '=', user.subject).executeTakeFirst();
      const keep = existing && (await verifyPassword(user.password, existing.password_hash));
      const passwordHash = keep ? existing.password_hash : await hashPassword(user.password);
      await db.insertInto('kernel_idp_user')
        .values({ subject: user.subject, name: user.name, description_key: user.descriptionKey, password_hash: passwordHash, position: user.position })
        .onConflict((oc) => oc.column('subject').doUpdateSet({
          name: user.name, description_key: user.descriptionKey, password_hash: passwordHash, position: user.position,
        }))
        .execute();
    },
  };
}

export type IdpUserStore = ReturnType<typeof createIdpUserStore>;
