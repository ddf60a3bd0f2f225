import { Ajv } from 'ajv';
import type { FieldProblem } from '../../kernel/http/index.js';
import { unsafePatterns } from '../../kernel/safe-patterns.js';
import type { Fee } from './definition.js';

/**
 * A fee rule's conditions must be JSON Schemas Ajv can compile (the payments module evaluates them
 * against `{ $form }` as the form engine does), found when the definition is imported rather than
 * when the first person's fee is computed.
 */
export function feeProblems(fee: Fee): FieldProblem[] {
  if (fee.type !== 'rule') return [];
  const ajv = new Ajv({ strict: false, allErrors: true, $data: true });
  return fee.cases.flatMap((c, i): FieldProblem[] => {
    // Conditions are checked against each applicant's answers: no pattern may backtrack without end.
    const unsafe = unsafePatterns(c.when, `/fee/cases/${i}/when`);
    if (unsafe.length > 0) return unsafe.map((u) => ({ pointer: u.pointer, message: 'catalog.problem.schema', detail: u.detail, params: { detail: u.detail } }));
    try {
      ajv.compile(c.when);
      return [];
    } catch (error) {
      const detail = `the condition is not a valid JSON Schema: ${error instanceof Error ? error.message : String(error)}`;
      return [{ pointer: `/fee/cases/${i}/when`, message: 'catalog.problem.schema', detail, params: { detail } }];
    }
  });
}
