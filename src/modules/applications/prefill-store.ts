import { sql, type Kysely, type Selectable } from 'kysely';
import type { Executor } from './store.js';

/** A field filled from a registry: which item, and the SHA-256 of the value as it arrived. */
export interface PrefilledField {
  readonly field: string;
  readonly item: string;
  readonly digest: string;
}

/**
 * `filled`: answers came from the registry; `declined`: the person chose to fill in by hand;
 * `refused`: consent was withdrawn, expired, the agreement is gone or does not list an item read; `unavailable`: no record,
 * no ID number, or the registry did not answer.
 */
export type PrefillOutcome = 'filled' | 'declined' | 'refused' | 'unavailable';

export type PrefillTables = {
  application_prefills: {
    application_id: string;
    outcome: PrefillOutcome;
    registry: string;
    agreement_id: string;
    agreement_version: number | null;
    basis: string | null;
    reason: string | null;
    fields: PrefilledField[];
    channel: string;
    decided_by: string;
    decided_at: Date;
  };
};

export type PrefillRow = Selectable<PrefillTables['application_prefills']>;

const q = (executor: Executor): Kysely<PrefillTables> => executor.withTables<PrefillTables>();
const jsonb = (value: unknown) => sql<never>`cast(${JSON.stringify(value)} as jsonb)`;

export function createPrefillStore() {
  return {
    async get(executor: Executor, applicationId: string): Promise<PrefillRow | undefined> {
      return q(executor).selectFrom('application_prefills').selectAll().where('application_id', '=', applicationId).executeTakeFirst();
    },

    /**
     * One decision per draft: a second (another tab, a retry) replaces the first, which it was made
     * after seeing, except a `filled` one, which prefill.ts never replaces (it says where answers came from).
     */
    async save(executor: Executor, row: PrefillRow): Promise<void> {
      const values = { ...row, fields: jsonb(row.fields) };
      await q(executor).insertInto('application_prefills').values(values)
        .onConflict((oc) => oc.column('application_id').doUpdateSet({
          outcome: row.outcome, registry: row.registry, agreement_id: row.agreement_id, agreement_version: row.agreement_version,
          basis: row.basis, reason: row.reason, fields: jsonb(row.fields), channel: row.channel, decided_by: row.decided_by, decided_at: row.decided_at,
        }))
        .execute();
    },
  };
}
