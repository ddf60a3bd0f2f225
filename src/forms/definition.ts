import { hasMessage } from '../kernel/i18n/index.js';
import { unsafePatterns } from '../kernel/safe-patterns.js';
import { newAjv, type ErrorObject } from './ajv.js';
import { definitionSchema } from './definition-schema.js';
import { ACCOUNT_FACT_TYPES, type AccountFact } from './account.js';
import type { Condition, FieldDefinition, FormDefinition, Option, SubFieldDefinition } from './types.js';

export interface DefinitionProblem {
  /** JSON Pointer into the definition. */
  readonly pointer: string;
  /** English, for the people who write definitions and the catalog's API clients. */
  readonly message: string;
}

/** Built-in messages a form's rules may use besides their own `form.*` ones. */
export const RULE_MESSAGE_KEYS = ['forms.rule.mismatch', 'forms.error.check'] as const;

const ajv = newAjv();
const validateShape = ajv.compile(definitionSchema);

function fromAjv(error: ErrorObject): DefinitionProblem {
  const extra = error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})` : '';
  return { pointer: error.instancePath, message: `${error.message ?? 'is not valid'}${extra}` };
}

/**
 * Checks a definition against the published schema, then what a schema cannot say: unique ids,
 * ranges the right way round, conditions that compile, rules that name real fields and messages.
 */
export function validateDefinition(json: unknown): readonly DefinitionProblem[] {
  if (!validateShape(json)) {
    // if/then failures repeat the branch's own errors: keep only the real ones. A misplaced
    // `fromAccount` is said plainly instead of "must NOT have additional properties".
    const misplaced = accountProblems(json);
    const aboutAccount = (e: ErrorObject) => e.instancePath.endsWith('/fromAccount') || (e.params as { additionalProperty?: string }).additionalProperty === 'fromAccount';
    const shape = (validateShape.errors ?? []).filter((e) => e.keyword !== 'if' && !(misplaced.length > 0 && aboutAccount(e))).map(fromAjv);
    return [...misplaced, ...shape];
  }
  const definition = json as unknown as FormDefinition;
  const problems: DefinitionProblem[] = [];
  const fieldIds = new Set<string>();
  const pageIds = new Set<string>();
  const checkCondition = (condition: Condition | undefined, pointer: string) => {
    // Checked against the meta-schema only: compiling here would make this Ajv keep every
    // condition it ever saw. compileForm compiles them, on the form's own Ajv.
    if (condition === undefined) return;
    if (!ajv.validateSchema(condition)) {
      problems.push({ pointer, message: `is not a valid JSON Schema: ${ajv.errorsText(ajv.errors)}` });
      return;
    }
    // Conditions and rules run on every applicant's answers: no pattern may backtrack without end.
    for (const unsafe of unsafePatterns(condition, pointer)) problems.push({ pointer: unsafe.pointer, message: unsafe.detail });
  };

  definition.pages.forEach((page, p) => {
    const at = `/pages/${p}`;
    if (pageIds.has(page.id)) problems.push({ pointer: `${at}/id`, message: `page id "${page.id}" is used twice` });
    pageIds.add(page.id);
    checkCondition(page.condition, `${at}/condition`);
    page.fields.forEach((field, f) => {
      const fieldAt = `${at}/fields/${f}`;
      if (fieldIds.has(field.id)) problems.push({ pointer: `${fieldAt}/id`, message: `field id "${field.id}" is used twice` });
      fieldIds.add(field.id);
      checkCondition(field.condition, `${fieldAt}/condition`);
      checkCondition(field.requiredIf, `${fieldAt}/requiredIf`);
      problems.push(...fieldProblems(field, fieldAt));
    });
  });

  (definition.rules ?? []).forEach((rule, r) => {
    const at = `/rules/${r}`;
    if (!fieldIds.has(rule.field)) problems.push({ pointer: `${at}/field`, message: `no field has the id "${rule.field}"` });
    if (!definition.messages?.[rule.message] && !hasMessage(rule.message)) problems.push({ pointer: `${at}/message`, message: `no message has the key "${rule.message}"` });
    checkCondition(rule.schema, `${at}/schema`);
    checkCondition(rule.when, `${at}/when`);
  });
  return problems;
}

/** `fromAccount` on a field type its fact does not fit, or inside a repeating group (someone else's entry). */
function accountProblems(json: unknown): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  const check = (field: unknown, at: string, inGroup: boolean) => {
    if (typeof field !== 'object' || field === null || !('fromAccount' in field)) return;
    const { type, fromAccount } = field as { type?: unknown; fromAccount?: unknown };
    const fits = typeof fromAccount === 'string' && Object.hasOwn(ACCOUNT_FACT_TYPES, fromAccount) ? ACCOUNT_FACT_TYPES[fromAccount as AccountFact] : undefined;
    if (inGroup) problems.push({ pointer: `${at}/fromAccount`, message: 'is not allowed inside a repeating group: its entries are not the applicant' });
    else if (!fits) problems.push({ pointer: `${at}/fromAccount`, message: `must be one of ${Object.keys(ACCOUNT_FACT_TYPES).map((f) => `"${f}"`).join(', ')}` });
    else if (fits !== type) problems.push({ pointer: `${at}/fromAccount`, message: `"${String(fromAccount)}" fits only a ${fits} field, not a ${String(type)} field` });
  };
  list((json as { pages?: unknown } | null)?.pages).forEach((page, p) => {
    list((page as { fields?: unknown } | null)?.fields).forEach((field, f) => {
      const at = `/pages/${p}/fields/${f}`;
      check(field, at, false);
      list((field as { fields?: unknown } | null)?.fields).forEach((sub, i) => check(sub, `${at}/fields/${i}`, true));
    });
  });
  return problems;
}

function fieldProblems(field: FieldDefinition | SubFieldDefinition, at: string): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const range = (min: number | undefined, max: number | undefined, name: string) => {
    if (min !== undefined && max !== undefined && min > max) problems.push({ pointer: `${at}/${name}`, message: `must not be more than ${max}` });
  };
  const options = (list: readonly Option[]) => {
    const seen = new Set<string>();
    list.forEach((o, i) => {
      if (seen.has(o.value)) problems.push({ pointer: `${at}/options/${i}/value`, message: `option value "${o.value}" is used twice` });
      seen.add(o.value);
    });
  };
  switch (field.type) {
    case 'number':
    case 'money':
      range(field.min, field.max, 'min');
      break;
    case 'single-choice':
      options(field.options);
      break;
    case 'multiple-choice':
      options(field.options);
      range(field.minSelected, field.maxSelected, 'minSelected');
      range(field.maxSelected, field.options.length, 'maxSelected');
      break;
    case 'repeating-group': {
      range(field.minItems, field.maxItems ?? 10, 'minItems');
      const seen = new Set<string>();
      field.fields.forEach((sub, i) => {
        if (seen.has(sub.id)) problems.push({ pointer: `${at}/fields/${i}/id`, message: `field id "${sub.id}" is used twice in this group` });
        seen.add(sub.id);
        problems.push(...fieldProblems(sub, `${at}/fields/${i}`));
      });
      break;
    }
    default:
      break;
  }
  return problems;
}
