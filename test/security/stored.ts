import { Ajv } from 'ajv';
import { sql } from 'kysely';
import { compileForm } from '../../src/forms/form.js';
import { sniffType } from '../../src/modules/applications/files.js';
import type { SecurityApp } from './harness.js';

/**
 * "Never invalid data accepted" (issue 9): every submitted application in the database, however
 * it came (a fuzzed form post, a fuzzed API call, an arranged one), re-read through the service and
 * validated against the JSON Schema of its service's answers. Returns how many were checked and
 * what failed.
 */
export async function invalidApplications(s: SecurityApp): Promise<{ checked: number; wrong: string[] }> {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const ids = (await sql<{ id: string }>`select id from applications where status = 'submitted'`.execute(s.built.kernel.db)).rows;
  const wrong: string[] = [];
  for (const { id } of ids) {
    const stored = await s.built.services.applications.submittedWithAnswers(id);
    if (!stored) continue;
    const validate = ajv.compile(compileForm(stored.service.definition.form).answersSchema as object);
    if (!validate(stored.answers)) wrong.push(`${id}: ${ajv.errorsText(validate.errors)}`);
  }
  return { checked: ids.length, wrong };
}

/**
 * What the other forms store, checked against the rules their services state (issue 9, "never
 * invalid data accepted"): each rule selects the rows that break it, whoever wrote them (a fuzzed
 * form post, a fuzzed API call, an arranged state). Returns how many rows each table holds and
 * what broke a rule.
 */
const RULES: readonly { table: string; rule: string; broken: string }[] = [
  { table: 'insights_ratings', rule: 'a score from 1 to 5, a comment of at most 1,000 characters', broken: `not (score between 1 and 5 and (comment is null or char_length(comment) <= 1000))` },
  { table: 'insights_follow_ups', rule: 'an answer (at most 2,000 characters) once answered', broken: `answered_at is not null and (answer is null or btrim(answer) = '' or char_length(answer) > 2000)` },
  { table: 'privacy_question', rule: 'a question, and any answer, not blank, at most 2,000 characters', broken: `btrim(question) = '' or char_length(question) > 2000 or (answer is not null and (btrim(answer) = '' or char_length(answer) > 2000))` },
  { table: 'workflow_notes', rule: 'a note not blank, at most 2,000 characters', broken: `btrim(text) = '' or char_length(text) > 2000` },
  { table: 'registries_corrections', rule: 'a description; a resolution note once resolved', broken: `btrim(description) = '' or status not in ('open', 'resolved') or (status = 'resolved' and (resolution is null or btrim(resolution) = ''))` },
  { table: 'payments_payments', rule: 'a known method; a payer name (at most 100 characters) at the counter', broken: `method not in ('online', 'cash', 'card', 'bank') or (method in ('cash', 'card') and (payer_name is null or btrim(payer_name) = '' or char_length(payer_name) > 100))` },
  { table: 'payments_refunds', rule: 'a reason, at most 500 characters', broken: `btrim(reason) = '' or char_length(reason) > 500` },
  { table: 'scheduling_appointments', rule: 'a known status, a slot that ends after it starts, at a hall that exists', broken: `status not in ('booked', 'cancelled', 'checked_in', 'called', 'done', 'waiting') or ends_at <= starts_at or hall_id not in (select id from scheduling_halls)` },
];

export async function invalidFormRecords(s: SecurityApp): Promise<{ rows: Record<string, number>; wrong: string[] }> {
  const db = s.built.kernel.db;
  const rows: Record<string, number> = {};
  const wrong: string[] = [];
  for (const { table, rule, broken } of RULES) {
    const count = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
    rows[table] = Number(count.rows[0]?.n ?? 0);
    const bad = await sql<{ id: string }>`select id from ${sql.table(table)} where ${sql.raw(broken)}`.execute(db);
    for (const { id } of bad.rows) wrong.push(`${table} ${id}: not ${rule}`);
  }
  return { rows, wrong };
}

/**
 * "Names never trusted" (issue 9, ASVS 5.3): every file kept (an application's files, uploads kept
 * for a later application), however it came, has a name that is only a label (no path separator,
 * no control character, not blank, "." or "..", at most 100 characters) and a type that its own
 * first bytes give (sniffed, never the client's word or the name's extension). Files are kept in
 * the database, so no client name is ever a path; this checks that none even looks like one.
 */
export async function trustedFileNames(s: SecurityApp): Promise<{ checked: number; wrong: string[] }> {
  const db = s.built.kernel.db;
  const wrong: string[] = [];
  let checked = 0;
  for (const table of ['application_files', 'application_uploads']) {
    const rows = (await sql<{ id: string; display_name: string; content_type: string; head: Uint8Array }>`select id, display_name, content_type, substring(content from 1 for 8) as head from ${sql.table(table)}`.execute(db)).rows;
    for (const row of rows) {
      checked += 1;
      const name = row.display_name;
      // eslint-disable-next-line no-control-regex
      if (/[\\/\u0000-\u001f\u007f]/.test(name) || ['', '.', '..'].includes(name.trim()) || [...name].length > 100) wrong.push(`${table} ${row.id}: name ${JSON.stringify(name.slice(0, 120))}`);
      const sniffed = sniffType(new Uint8Array(row.head));
      if (!sniffed || sniffed !== row.content_type) wrong.push(`${table} ${row.id}: type ${row.content_type}, bytes say ${sniffed ?? 'unknown'}`);
    }
  }
  return { checked, wrong };
}
