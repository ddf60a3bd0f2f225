import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { compileForm, errorText, fieldModule, todayIn, type FieldError, type FormDefinition, type Posted, type RawValue } from '../../forms/index.js';
import type { FieldProblem } from '../../kernel/http/index.js';
import { translate } from '../../kernel/i18n/index.js';
import type { ServiceVersion } from '../catalog/service.js';
import { toEForm } from './mapping.js';

/**
 * How an application sent as JSON reaches the applications service: answers by page become the
 * same posted fields a browser sends (each field type's own `toRaw`), so the web pages' parsing,
 * validation and saving apply unchanged; documents come inline as RFC 2397 data URLs.
 */

/** The form inputs of one raw value: `<id>`, `<id>-<part>`, `<id>-<n>-<sub-field>` (the engine's naming). */
function flatten(out: Record<string, unknown>, name: string, raw: RawValue): void {
  if (typeof raw === 'string') { out[name] = raw; return; }
  if (Array.isArray(raw)) {
    if (raw.every((v) => typeof v === 'string')) out[name] = raw;
    else raw.forEach((item, n) => flatten(out, `${name}-${n}`, item as RawValue));
    return;
  }
  for (const [part, value] of Object.entries(raw as Record<string, RawValue | undefined>)) if (value !== undefined) flatten(out, `${name}-${part}`, value);
}

/** One page's answers (already checked against its JSON Schema) as the page's form post. */
export function postedPage(form: FormDefinition, pageId: string, answers: Readonly<Record<string, unknown>>): Posted {
  const page = form.pages.find((p) => p.id === pageId);
  const out: Record<string, unknown> = {};
  for (const field of page?.fields ?? []) {
    const value = answers[field.id];
    if (value === undefined || value === null) continue;
    flatten(out, field.id, fieldModule(field.type).toRaw(field, value));
  }
  return out;
}

const shapes = new Map<string, ValidateFunction>();
// The form engine's answer schemas are draft-07 with its own annotations; only the shape matters here.
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);

/** Problems with the shape of formData.data, at `/formData/data/<page>/<field>...`. */
export function shapeProblems(version: ServiceVersion, data: unknown): FieldProblem[] {
  let validate = shapes.get(version.contentHash);
  if (!validate) {
    const { type, properties, additionalProperties } = toEForm(version, 'en', '').schema;
    validate = ajv.compile({ type, properties, additionalProperties });
    shapes.set(version.contentHash, validate);
  }
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => {
    const missing = (e.params as { missingProperty?: unknown }).missingProperty;
    const extra = (e.params as { additionalProperty?: unknown }).additionalProperty;
    const tail = typeof missing === 'string' ? `/${missing}` : typeof extra === 'string' ? `/${extra}` : '';
    return { pointer: `/formData/data${e.instancePath}${tail}`, message: 'kernel.error.fieldInvalid', detail: e.message ?? 'is invalid' };
  });
}

export interface InlineDocument { readonly documentId: string; readonly type: string; readonly content: Uint8Array; readonly index: number }

const DATA_URL = /^data:([a-z]+\/[a-z0-9.+-]+)((?:;[a-z]+=[^;,]*)*);base64,([A-Za-z0-9+/]*={0,2})$/i;

/** `data:application/pdf;name=premises_proof;base64,JVBERi0…`: the `name` is the service's document id. */
export function readDocumentUrls(urls: readonly string[], version: ServiceVersion): { documents: InlineDocument[]; problems: FieldProblem[] } {
  const documents: InlineDocument[] = [];
  const problems: FieldProblem[] = [];
  const known = new Set(version.definition.documents.map((d) => d.id));
  urls.forEach((url, index) => {
    const match = DATA_URL.exec(url);
    const name = match?.[2] ? /;name=([^;]*)/i.exec(match[2])?.[1] : undefined;
    const pointer = `/documentUrls/${index}`;
    if (!match?.[1] || match[3] === undefined) {
      problems.push({ pointer, message: 'kernel.error.fieldInvalid', detail: 'must be a base64 data URL: data:<type>;name=<document id>;base64,<content>' });
    } else if (!name || !known.has(name)) {
      problems.push({ pointer, message: 'kernel.error.fieldInvalid', detail: `name must be one of the service's documents: ${[...known].join(', ')}` });
    } else if (documents.some((d) => d.documentId === name)) {
      problems.push({ pointer, message: 'kernel.error.fieldInvalid', detail: `document ${name} is sent twice` });
    } else {
      documents.push({ documentId: name, type: match[1].toLowerCase(), content: Buffer.from(match[3], 'base64'), index });
    }
  });
  return { documents, problems };
}

/**
 * The form engine's problems (pointer `/<field id>…`) placed in the request: a form field under
 * its page in formData.data, a document at its entry in documentUrls (or the list itself).
 */
export function requestProblems(version: ServiceVersion, errors: readonly FieldError[], documents: readonly InlineDocument[]): FieldProblem[] {
  const form = version.definition.form;
  return errors.map((e) => {
    const id = e.pointer.split('/')[1] ?? '';
    const page = form.pages.find((p) => p.fields.some((f) => f.id === id));
    const sent = documents.find((d) => d.documentId === id);
    const pointer = page ? `/formData/data/${page.id}${e.pointer}` : sent ? `/documentUrls/${sent.index}` : '/documentUrls';
    const detail = page ? errorText(form, e, 'en') : `${e.subject.en}: ${translate('en', e.messageKey, e.params)}`;
    return { pointer, message: e.messageKey, params: e.params, detail };
  });
}

/** The form engine's checks of the whole form over the JSON answers, and every required document sent. */
export function completenessProblems(version: ServiceVersion, data: Readonly<Record<string, Readonly<Record<string, unknown>>>>, documents: readonly InlineDocument[], now: Date): FieldProblem[] {
  const answers = Object.assign({}, ...version.definition.form.pages.map((p) => data[p.id] ?? {})) as Record<string, unknown>;
  const errors = compileForm(version.definition.form).validateAll(answers, { now: todayIn(now) });
  const missing = version.definition.documents.filter((d) => d.required && !documents.some((sent) => sent.documentId === d.id));
  return [
    ...requestProblems(version, errors, documents),
    ...missing.map((d) => ({ pointer: '/documentUrls', message: 'kernel.error.fieldInvalid', params: { document: d.id }, detail: `document ${d.id} (${d.name.en}) is required` })),
  ];
}
