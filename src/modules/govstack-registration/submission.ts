import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { compileForm, errorText, todayIn, type FieldError } from '../../forms/index.js';
import type { FieldProblem } from '../../kernel/http/index.js';
import { translate } from '../../kernel/i18n/index.js';
import type { ServiceVersion } from '../catalog/service.js';
import { toEForm } from './mapping.js';

/**
 * How an application sent as JSON reaches the applications service (which turns the answers into
 * the posts a browser sends): the shape checked first, documents inline as RFC 2397 data URLs or
 * uploaded before with POST /documents, and the engine's problems placed in the request.
 */

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
/** The `url` POST /documents answered (with or without its origin). */
export const UPLOADED_URL = /^(?:https?:\/\/[^/]+)?\/govstack\/registration\/documents\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

export type KeptLookup = (id: string) => Promise<{ readonly label: string | null; readonly type: string; readonly content: Uint8Array } | undefined>;

/**
 * Each entry is a data URL naming the service's document (`data:application/pdf;name=premises_proof;base64,JVBERi0…`)
 * or the URL of the caller's own upload, whose `additionalMetadata` named the document.
 */
export async function readDocumentUrls(urls: readonly string[], version: ServiceVersion, kept: KeptLookup): Promise<{ documents: InlineDocument[]; uploadIds: string[]; problems: FieldProblem[] }> {
  const documents: InlineDocument[] = [];
  const uploadIds: string[] = [];
  const problems: FieldProblem[] = [];
  const known = new Set(version.definition.documents.map((d) => d.id));
  for (const [index, url] of urls.entries()) {
    const pointer = `/documentUrls/${index}`;
    const problem = (detail: string) => problems.push({ pointer, message: 'kernel.error.fieldInvalid', detail });
    const uploaded = UPLOADED_URL.exec(url)?.[1];
    const match = uploaded ? undefined : DATA_URL.exec(url);
    const upload = uploaded ? await kept(uploaded.toLowerCase()) : undefined;
    const name = upload ? upload.label ?? undefined : match?.[2] ? /;name=([^;]*)/i.exec(match[2])?.[1] : undefined;
    if (uploaded && !upload) {
      problem('is not a document you uploaded, or it expired (uploads are kept for 24 hours)');
    } else if (!upload && (!match?.[1] || match[3] === undefined)) {
      problem('must be a base64 data URL (data:<type>;name=<document id>;base64,<content>) or the url of your upload');
    } else if (!name || !known.has(name)) {
      problem(`${upload ? 'the upload\'s additionalMetadata' : 'name'} must be one of the service's documents: ${[...known].join(', ')}`);
    } else if (documents.some((d) => d.documentId === name)) {
      problem(`document ${name} is sent twice`);
    } else if (upload && uploaded) {
      documents.push({ documentId: name, type: upload.type, content: upload.content, index });
      uploadIds.push(uploaded.toLowerCase());
    } else if (match?.[1] && match[3] !== undefined) {
      documents.push({ documentId: name, type: match[1].toLowerCase(), content: Buffer.from(match[3], 'base64'), index });
    }
  }
  return { documents, uploadIds, problems };
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
