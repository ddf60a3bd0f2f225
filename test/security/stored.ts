import { Ajv } from 'ajv';
import { sql } from 'kysely';
import { compileForm } from '../../src/forms/form.js';
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
