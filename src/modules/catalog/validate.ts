import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FieldProblem } from '../../kernel/http/index.js';
import { BUILT_IN_ACTIONS, type AgencyDefinition, type ServiceDefinition, type WorkflowDefinition } from './definition.js';
import { feeProblems } from './fee-check.js';
import { checkForm } from './form-check.js';
import { prefillProblems } from './prefill-check.js';

const SCHEMA_ID = 'https://tongban.dev/schemas/service-definition.schema.json';

/**
 * Form page ids the application journey makes itself: `documents` is the upload page it builds from
 * the service's documents (`/applications/:id/documents`); a form page so named would be hidden by it.
 */
export const RESERVED_PAGE_IDS: readonly string[] = ['documents'];

export const definitionSchemaPath = new URL('../../../docs/service-definition.schema.json', import.meta.url);

interface Validators { service: ValidateFunction; agencies: ValidateFunction }
let compiled: Validators | undefined;

/** The published schema, compiled once on first use (compiling costs far more than validating). */
function validators(): Validators {
  if (compiled) return compiled;
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats.default(ajv);
  ajv.addSchema(JSON.parse(readFileSync(definitionSchemaPath, 'utf8')) as object);
  const get = (ref: string) => {
    const fn = ajv.getSchema(ref);
    if (!fn) throw new Error(`The service definition schema has no ${ref}`);
    return fn;
  };
  compiled = { service: get(SCHEMA_ID), agencies: get(`${SCHEMA_ID}#/$defs/agenciesFile`) };
  return compiled;
}

const escapeToken = (token: string) => token.replaceAll('~', '~0').replaceAll('/', '~1');

/** JSON Pointer of an Ajv error, including the missing or unexpected property it names. */
function pointerOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const extra = params.missingProperty ?? params.additionalProperty;
  return typeof extra === 'string' ? `${error.instancePath}/${escapeToken(extra)}` : error.instancePath;
}

function detailOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') return 'is not a known property';
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) return `must be one of: ${params.allowedValues.join(', ')}`;
  if (error.keyword === 'required') return 'is required';
  return error.message ?? 'is not valid';
}

function schemaProblems(errors: readonly ErrorObject[] | null | undefined): FieldProblem[] {
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  for (const error of errors ?? []) {
    // `if`/`then` adds a summary error on top of the real one; the real one says more.
    if (error.keyword === 'if') continue;
    const pointer = pointerOf(error);
    const detail = detailOf(error);
    if (seen.has(`${pointer} ${detail}`)) continue;
    seen.add(`${pointer} ${detail}`);
    problems.push({ pointer, detail, message: 'catalog.problem.schema', params: { detail } });
  }
  return problems;
}

const problem = (pointer: string, message: string, detail: string, params: Record<string, string> = {}): FieldProblem =>
  ({ pointer, message, detail, params });

/**
 * The references inside a workflow the schema cannot express: states named by `initial`, `from`
 * and `to` exist; final states are ends; every state can be reached; one action from one state
 * leads to one place (the workflow module must never have to guess); a refusal always says
 * why (`reject` needs a reason: it is mailed to the applicant); and a service's own action has a
 * label in both languages (officers and applicants never see a raw id).
 */
export function workflowProblems(workflow: WorkflowDefinition, base = '/workflow'): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const states = new Map<string, boolean>();
  workflow.states.forEach((s, i) => {
    if (states.has(s.id)) problems.push(problem(`${base}/states/${i}/id`, 'catalog.problem.duplicateId', `state "${s.id}" is declared twice`, { id: s.id }));
    states.set(s.id, s.final);
  });
  if (!states.has(workflow.initial)) {
    problems.push(problem(`${base}/initial`, 'catalog.problem.unknownState', `initial state "${workflow.initial}" is not declared`, { state: workflow.initial }));
  } else if (states.get(workflow.initial)) {
    problems.push(problem(`${base}/initial`, 'catalog.problem.finalInitial', `initial state "${workflow.initial}" is final`, { state: workflow.initial }));
  }
  if (![...states.values()].some(Boolean)) problems.push(problem(`${base}/states`, 'catalog.problem.noFinalState', 'no state is final'));
  const moves = new Map<string, number>();
  const edges = new Map<string, string[]>();
  workflow.transitions.forEach((t, i) => {
    const at = `${base}/transitions/${i}`;
    if (t.action === 'reject' && !t.needsReason) problems.push(problem(`${at}/needsReason`, 'catalog.problem.rejectNeedsReason', 'a reject transition must have "needsReason": true', { action: t.action }));
    if (!BUILT_IN_ACTIONS.includes(t.action) && !t.label) {
      problems.push(problem(`${at}/label`, 'catalog.problem.actionNeedsLabel', `action "${t.action}" is the service's own: give it a "label" in zh-CN and en`, { action: t.action }));
    }
    if (!states.has(t.to)) problems.push(problem(`${at}/to`, 'catalog.problem.unknownState', `state "${t.to}" is not declared`, { state: t.to }));
    t.from.forEach((from, j) => {
      if (!states.has(from)) {
        problems.push(problem(`${at}/from/${j}`, 'catalog.problem.unknownState', `state "${from}" is not declared`, { state: from }));
      } else if (states.get(from)) {
        problems.push(problem(`${at}/from/${j}`, 'catalog.problem.leavesFinal', `final state "${from}" cannot have outgoing transitions`, { state: from }));
      }
      const key = `${t.action} ${from}`;
      if (moves.has(key)) {
        problems.push(problem(`${at}/from/${j}`, 'catalog.problem.ambiguousAction', `action "${t.action}" from "${from}" is already declared at transition ${moves.get(key)}`, { action: t.action, state: from }));
      }
      moves.set(key, i);
      edges.set(from, [...(edges.get(from) ?? []), t.to]);
    });
  });
  if (problems.length > 0) return problems;
  const reached = new Set([workflow.initial]);
  const queue = [workflow.initial];
  for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
    for (const next of edges.get(s) ?? []) if (!reached.has(next)) { reached.add(next); queue.push(next); }
  }
  workflow.states.forEach((s, i) => {
    if (!reached.has(s.id)) problems.push(problem(`${base}/states/${i}`, 'catalog.problem.unreachableState', `state "${s.id}" cannot be reached from "${workflow.initial}"`, { state: s.id }));
  });
  return problems;
}

function uniqueIds(items: readonly { id: string }[], base: string, what: string): FieldProblem[] {
  const seen = new Set<string>();
  return items.flatMap((item, i) => {
    if (!seen.has(item.id)) { seen.add(item.id); return []; }
    return [problem(`${base}/${i}/id`, 'catalog.problem.duplicateId', `${what} "${item.id}" is declared twice`, { id: item.id })];
  });
}

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly FieldProblem[] };

/**
 * Checks a parsed definition file: the published JSON Schema, then the e-form through the forms
 * engine, then references between parts. Every problem carries a JSON Pointer into the file.
 */
export function validateServiceDefinition(json: unknown): Checked<ServiceDefinition> {
  const v = validators().service;
  if (!v(json)) return { ok: false, problems: schemaProblems(v.errors) };
  const definition = json as ServiceDefinition;
  const form = checkForm(definition.form);
  const problems: FieldProblem[] = [
    ...form.problems.map((p) => ({ ...p, pointer: `/form${p.pointer}` })),
    ...definition.form.pages.flatMap((page, i) => (RESERVED_PAGE_IDS.includes(page.id)
      ? [problem(`/form/pages/${i}/id`, 'catalog.problem.reservedPageId', `page id "${page.id}" is taken by the application journey`, { id: page.id })] : [])),
    ...workflowProblems(definition.workflow),
    ...uniqueIds(definition.documents, '/documents', 'document'),
    ...feeProblems(definition.fee),
  ];
  if (definition.certificate && form.ok) {
    definition.certificate.answers.forEach((answer, i) => {
      if (!form.fieldIds.has(answer)) {
        problems.push(problem(`/certificate/answers/${i}`, 'catalog.problem.unknownField', `the form has no field "${answer}"`, { field: answer }));
      }
    });
  }
  if (definition.prefill && form.ok) problems.push(...prefillProblems(definition.prefill, definition.form));
  if (problems.length > 0) return { ok: false, problems };
  const { $schema: _hint, ...stored } = definition as ServiceDefinition & { $schema?: string };
  return { ok: true, value: stored };
}

export function validateAgenciesFile(json: unknown): Checked<readonly AgencyDefinition[]> {
  const v = validators().agencies;
  if (!v(json)) return { ok: false, problems: schemaProblems(v.errors) };
  const agencies = (json as { agencies: readonly AgencyDefinition[] }).agencies;
  const seen = new Set<string>();
  const problems = agencies.flatMap((a, i) => {
    if (!seen.has(a.code)) { seen.add(a.code); return []; }
    return [problem(`/agencies/${i}/code`, 'catalog.problem.duplicateId', `agency "${a.code}" is declared twice`, { id: a.code })];
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: agencies };
}
