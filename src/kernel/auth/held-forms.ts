import { sql, type Kysely } from 'kysely';
import { newId } from '../ids.js';

/**
 * Answers kept while a person signs in again (ADR 55): a form posted after the sign-in it needs
 * had aged (`requireRecentSignIn`) is refused as before, but what was typed is kept here for
 * HELD_FORM_MS, for that account only, and offered back once they have signed in again.
 */
export const HELD_FORM_MS = 15 * 60_000;
export const HELD_FORM_PATH = '/auth/held';
export const heldFormHref = (id: string): string => `${HELD_FORM_PATH}/${id}`;

export type HeldField = readonly [name: string, value: string];
export interface HeldForm { readonly path: string; readonly fields: readonly HeldField[] }

type Tables = { kernel_held_form: { id: string; account_id: string; path: string; fields: unknown; created_at: Date; expires_at: Date } };

/** The largest form kept (its fields' names and values together): the registry's biggest field is an OpenAPI document. */
const MAX_CHARACTERS = 1_000_000;
/** The CSRF token is the old page's: the form offered back carries a fresh one. */
const NOT_KEPT = new Set(['_csrf']);

/**
 * The fields of a parsed form body (`@fastify/formbody`: strings, or arrays of them for a repeated
 * name), or undefined for anything else (JSON, uploads, a form too large to keep).
 */
export function formFieldsOf(body: unknown): HeldField[] | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const fields: HeldField[] = [];
  let size = 0;
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (NOT_KEPT.has(name)) continue;
    for (const one of Array.isArray(value) ? value : [value]) {
      if (typeof one !== 'string') return undefined;
      size += name.length + one.length;
      fields.push([name, one]);
    }
  }
  return size > MAX_CHARACTERS ? undefined : fields;
}

export function createHeldForms(db: Kysely<object>, now: () => Date) {
  const q = () => db.withTables<Tables>();
  return {
    /** Keeps a form's fields for the account; returns the id to offer them back by. */
    async hold(accountId: string, path: string, fields: readonly HeldField[]): Promise<string> {
      const at = now();
      await q().deleteFrom('kernel_held_form').where('expires_at', '<=', at).execute();
      const id = newId();
      await q().insertInto('kernel_held_form').values({
        id, account_id: accountId, path, fields: sql<never>`cast(${JSON.stringify(fields)} as jsonb)`, created_at: at, expires_at: new Date(at.getTime() + HELD_FORM_MS),
      }).execute();
      return id;
    },
    /** The kept form, if it is this account's and not expired. */
    async find(id: string, accountId: string): Promise<HeldForm | undefined> {
      const row = await q().selectFrom('kernel_held_form').select(['path', 'fields'])
        .where('id', '=', id).where('account_id', '=', accountId).where('expires_at', '>', now()).executeTakeFirst();
      if (!row || !Array.isArray(row.fields)) return undefined;
      return { path: row.path, fields: (row.fields as unknown[]).filter((f): f is HeldField => Array.isArray(f) && f.length === 2 && typeof f[0] === 'string' && typeof f[1] === 'string') };
    },
    /** Forgets what was kept of the form at `path` for the account: it has been sent again. */
    async release(accountId: string, path: string): Promise<void> {
      await q().deleteFrom('kernel_held_form').where('account_id', '=', accountId).where('path', '=', path).execute();
    },
    /** Deletes expired forms (also done on each hold); for the sessions' periodic prune. */
    async prune(): Promise<void> {
      await q().deleteFrom('kernel_held_form').where('expires_at', '<=', now()).execute();
    },
  };
}

export type HeldForms = ReturnType<typeof createHeldForms>;
