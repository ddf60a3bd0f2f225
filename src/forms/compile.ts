import { TongbanError } from '../kernel/http/errors.js';
import { newAjv, type ValidateFunction } from './ajv.js';
import { validateDefinition } from './definition.js';
import { FormsErrors } from './errors.js';
import type { AnyFieldModule } from './fields/lookup.js';
import { locationOf } from './fields/lookup.js';
import { fieldModule } from './fields/registry.js';
import type { Location } from './fields/contract.js';
import type { Answers, FieldDefinition, FormContext, FormDefinition, JsonSchema, PageDefinition, RuleDefinition } from './types.js';

export interface CompiledField {
  readonly def: FieldDefinition;
  readonly module: AnyFieldModule;
  readonly pageId: string;
  readonly at: Location;
  readonly shape: ValidateFunction;
  readonly condition: ValidateFunction | undefined;
  readonly requiredIf: ValidateFunction | undefined;
  readonly rules: readonly CompiledRule[];
}

export interface CompiledRule {
  readonly def: RuleDefinition;
  readonly schema: ValidateFunction;
  readonly when: ValidateFunction | undefined;
}

export interface CompiledPage {
  readonly def: PageDefinition;
  readonly index: number;
  readonly condition: ValidateFunction | undefined;
  readonly fields: readonly CompiledField[];
}

/** What conditions and rules are evaluated against (STYLE 11). */
export interface ConditionData {
  readonly $form: Answers;
  readonly $user: Readonly<Record<string, unknown>>;
  readonly $now: string;
}

/** Which pages and fields are shown for some answers, and the answers that count. */
export interface Walk {
  readonly pages: readonly CompiledPage[];
  readonly fields: ReadonlyMap<string, readonly CompiledField[]>;
  /** The answers of visible fields only: what `$form` holds and what is kept. */
  readonly answers: Answers;
  readonly data: (answers: Answers) => ConditionData;
}

export interface CompiledCore {
  readonly definition: FormDefinition;
  readonly pages: readonly CompiledPage[];
  readonly page: (pageId: string) => CompiledPage;
  readonly walk: (answers: Answers, ctx: FormContext) => Walk;
  readonly isRequired: (field: CompiledField, data: ConditionData) => boolean;
}

export function compileCore(definition: FormDefinition): CompiledCore {
  const problems = validateDefinition(definition);
  if (problems.length > 0) {
    throw new TongbanError(FormsErrors.TB_FORMS_INVALID_DEFINITION, { detail: problems.map((p) => `${p.pointer || '/'}: ${p.message}`).join('; ') });
  }
  const ajv = newAjv();
  const compile = (schema: JsonSchema | undefined, pointer: string): ValidateFunction | undefined => {
    if (schema === undefined) return undefined;
    try {
      return ajv.compile(schema);
    } catch (error) {
      throw new TongbanError(FormsErrors.TB_FORMS_INVALID_DEFINITION, { detail: `${pointer}: ${(error as Error).message}`, cause: error });
    }
  };

  const rules = (definition.rules ?? []).map((def, r) => ({
    def, schema: compile(def.schema, `/rules/${r}/schema`)!, when: compile(def.when, `/rules/${r}/when`),
  }));
  const pages: CompiledPage[] = definition.pages.map((page, p) => ({
    def: page,
    index: p,
    condition: compile(page.condition, `/pages/${p}/condition`),
    fields: page.fields.map((def, f): CompiledField => {
      const module = fieldModule(def.type);
      return {
        def, module, pageId: page.id,
        at: locationOf(def, `/${def.id}`, def.id),
        shape: compile(module.answerSchema(def), `/pages/${p}/fields/${f}`)!,
        condition: compile(def.condition, `/pages/${p}/fields/${f}/condition`),
        requiredIf: compile(def.requiredIf, `/pages/${p}/fields/${f}/requiredIf`),
        rules: rules.filter((rule) => rule.def.field === def.id),
      };
    }),
  }));
  const byId = new Map(pages.map((p) => [p.def.id, p]));

  return {
    definition,
    pages,
    page: (pageId) => {
      const found = byId.get(pageId);
      if (!found) throw new TongbanError(FormsErrors.TB_FORMS_UNKNOWN_PAGE, { detail: `No page "${pageId}"` });
      return found;
    },
    walk: (answers, ctx) => walk(pages, answers, ctx),
    isRequired: (field, data) => (field.requiredIf ? field.requiredIf(data) : field.def.required !== false),
  };
}

/**
 * Pages in order, each shown when its condition holds for the answers of the pages shown before
 * it; fields likewise, also seeing the fields above them on their page. Going in order means a
 * condition never depends on an answer the person has not reached, and cannot loop.
 */
function walk(pages: readonly CompiledPage[], answers: Answers, ctx: FormContext): Walk {
  const kept: Record<string, unknown> = {};
  const data = (form: Answers): ConditionData => ({ $form: form, $user: ctx.user ?? {}, $now: ctx.now });
  const current = data(kept);
  const visible: CompiledPage[] = [];
  const fields = new Map<string, CompiledField[]>();
  for (const page of pages) {
    if (page.condition && !page.condition(current)) continue;
    visible.push(page);
    const shown: CompiledField[] = [];
    for (const field of page.fields) {
      if (field.condition && !field.condition(current)) continue;
      shown.push(field);
      if (Object.hasOwn(answers, field.def.id) && answers[field.def.id] !== undefined) kept[field.def.id] = answers[field.def.id];
    }
    fields.set(page.def.id, shown);
  }
  return { pages: visible, fields, answers: kept, data };
}
