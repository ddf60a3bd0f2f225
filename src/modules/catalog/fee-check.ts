import { Ajv } from 'ajv';
import type { FieldProblem } from '../../kernel/http/index.js';
import type { Fee } from './definition.js';

/**
 * A fee rule's conditions must be JSON Schemas Ajv can compile (the payments module evaluates them
 * against `{ $form }` as the form engine does), found when the definition is imported rather than
 * when the first person's fee is computed.
 */
export function feeProblems(fee: Fee): FieldProblem[] {
  if (fee.type !== 'rule') return [];
  const ajv = new Ajv({ strict: false, allErrors: true, $data: true });
  return fee.cases.flatMap((c, i) => {
    try {
      ajv.compile(c.when);
      return [];
    } catch (error) {
      const detail = `the condition is not a valid JSON Schema: ${error instanceof Error ? error.message : String(error)}`;
      return [{ pointer: `/fee/cases/${i}/when`, message: 'catalog.problem.schema', detail, params: { detail } }];
    }
  });
}
