import { isDeepStrictEqual } from 'node:util';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { PREPARED } from '../db/index.js';
import type { ChainDraft } from './chain.js';

/**
 * Appends the drafts of one or more logs in ONE statement (docs/adr/0037-one-statement-appends.md):
 *
 *   with h0 as (update head0 … where chain = c0 and seq = s0 and hash = x0 returning chain),
 *        h1 as (update head1 … where … and exists (select 1 from h0) returning chain),
 *        i0 as (insert into records0 … values (…, (select chain from h0), …) returning 1),
 *        i1 as (insert into records1 … values (…, (select chain from h1), …) returning 1)
 *   select (select count(*) from i0) as n0, (select count(*) from i1) as n1
 *
 * Outside a transaction it commits on its own: one round trip instead of begin, a lock per head,
 * a statement per log and commit. Each head update is a compare-and-set on the head the draft was
 * linked from, and each row takes its chain from that update: if any head moved (another instance,
 * or a transaction holding the head's lock, appended meanwhile), its update finds no row, the rows
 * get a null chain, and the NOT NULL constraint refuses the whole statement: nothing of it stays.
 * Heads are taken in the drafts' order (each update waits for the one before), so two of these
 * statements, or one and a transaction locking a single head, cannot deadlock.
 *
 * Every draft is settled: committed (the process keeps the new head) or not (it reads the head
 * again). Within a caller's transaction, the caller commits; pass `settle: false` and settle the
 * drafts after the commit.
 */
export async function appendTogether(executor: Kysely<object>, drafts: readonly ChainDraft[], options: { readonly settle?: boolean } = {}): Promise<void> {
  if (drafts.length === 0) return;
  const settle = options.settle ?? true;
  try {
    const { rows } = await executor.executeQuery<Record<string, number | string>>(statementOf(executor, drafts));
    const counted = rows[0] ?? {};
    drafts.forEach((d, i) => {
      if (Number(counted[`n${i}`]) !== d.rows.length) throw new Error(`${d.log}: ${String(counted[`n${i}`])} of ${d.rows.length} records appended`);
    });
  } catch (error) {
    for (const d of drafts) d.settle(false);
    throw error;
  }
  if (settle) for (const d of drafts) d.settle(true);
}

/**
 * Statement texts by the drafts' shapes. The text depends only on which logs take part, not on how
 * many records (so it is prepared once, ADR 38), and building and compiling it through Kysely cost
 * about 5 % of a mediated exchange's CPU; so it is compiled once per shape and reused with the
 * drafts' parameters. A handful of shapes exist (one per combination of logs).
 */
const texts = new Map<string, string>();

function statementOf(executor: Kysely<object>, drafts: readonly ChainDraft[]): CompiledQuery<Record<string, number | string>> {
  const shape = drafts.map((d) => d.shape).join('|');
  const parameters = [...drafts.flatMap((d) => d.parameters.head), ...drafts.flatMap((d) => d.parameters.insert)];
  const known = texts.get(shape);
  if (known !== undefined) return CompiledQuery.raw(known, parameters);
  const heads = drafts.map((d, i) => sql`${sql.raw(`h${i}`)} as (${d.headUpdate(i === 0 ? undefined : `h${i - 1}`)})`);
  const inserts = drafts.map((d, i) => sql`${sql.raw(`i${i}`)} as (${d.insert(`h${i}`)} returning 1)`);
  const counts = drafts.map((_, i) => sql`(select count(*) from ${sql.raw(`i${i}`)}) as ${sql.raw(`n${i}`)}`);
  const compiled = sql<Record<string, number | string>>`${sql.raw(PREPARED)}with ${sql.join([...heads, ...inserts])} select ${sql.join(counts)}`.compile(executor);
  // The drafts' own parameter lists must be the compiled ones, in order, or reuse would bind wrongly.
  if (!isDeepStrictEqual([...compiled.parameters], parameters)) throw new Error(`appendTogether: the drafts' parameters for ${shape} are not the statement's`);
  texts.set(shape, compiled.sql);
  return compiled;
}

/** PostgreSQL's not_null_violation: the statement met a head that had moved (a stale draft). */
export function isMovedHead(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23502';
}

/**
 * Drafts one log's records (a `ChainLog.draft` or `AuditTrail.draft` call), passing `lock` on:
 * the last attempt locks the heads it drafts from.
 */
export type Drafter = (executor: Kysely<object>, lock: boolean) => Promise<ChainDraft>;

/**
 * Drafts and appends together, again from freshly read heads when a head had moved. A chain that
 * lock-taking appends keep busy (a long transaction holding its head) can move under a draft time
 * after time, so the last of `attempts` drafts in a transaction from heads read `for update`: it
 * waits for the holders and cannot meet a moved head. With `within`, a transaction holds the
 * statement and what `within` writes (all or nothing); without, the statement commits on its own.
 * Resolves to the committed drafts.
 */
export async function appendDrafted(db: Kysely<object>, drafters: readonly Drafter[], options: { readonly within?: (tx: Kysely<object>) => Promise<void>; readonly attempts?: number } = {}): Promise<readonly ChainDraft[]> {
  const attempts = Math.max(1, options.attempts ?? 3);
  for (let attempt = 1; ; attempt += 1) {
    const locked = attempt === attempts;
    const drafts: ChainDraft[] = [];
    try {
      const { within } = options;
      if (within === undefined && !locked) {
        for (const drafter of drafters) drafts.push(await drafter(db, false));
        await appendTogether(db, drafts);
      } else {
        await db.transaction().execute(async (tx) => {
          for (const drafter of drafters) drafts.push(await drafter(tx, locked));
          await appendTogether(tx, drafts, { settle: false });
          if (within !== undefined) await within(tx);
        });
        for (const d of drafts) d.settle(true);
      }
      return drafts;
    } catch (error) {
      for (const d of drafts) d.settle(false);
      if (!isMovedHead(error) || locked) throw error;
    }
  }
}
