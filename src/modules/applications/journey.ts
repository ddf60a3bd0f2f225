import {
  compileForm, todayIn, type Answers, type CompiledForm, type FieldDefinition, type FieldError, type FormContext,
  type FormDefinition, type Posted, type Text,
} from '../../forms/index.js';
import { translate } from '../../kernel/i18n/index.js';
import type { ServiceVersion } from '../catalog/service.js';
import { displayName, sizeText, sniffType, TYPE_NAMES, type SniffedType } from './files.js';
import './messages.js';

/** The id of the documents step; its fields are the service's required documents. */
export const DOCUMENTS_PAGE = 'documents';

type FileField = Extract<FieldDefinition, { type: 'file' }>;

/** A file the person sent with a page: the bytes, and the browser's claims we only compare against. */
export interface Upload {
  /** The input's name: the file field's id. */
  readonly fieldId: string;
  readonly filename: string;
  readonly claimedType: string;
  readonly content: Uint8Array;
  /** Larger than the platform's upload limit: only the first part arrived. */
  readonly truncated: boolean;
}

/** An upload that passed: what to store, and the metadata the form engine gets for it. */
export interface AcceptedUpload {
  readonly fieldId: string;
  readonly fileId: string;
  readonly name: string;
  readonly type: SniffedType;
  readonly content: Uint8Array;
}

/** `prefill`: the page before the form that offers to fill answers in from a registry (prefill.ts). */
export type Step = { readonly kind: 'page'; readonly pageId: string } | { readonly kind: 'documents' } | { readonly kind: 'check' } | { readonly kind: 'prefill' };

const text = (key: string): Text => ({ en: translate('en', key), 'zh-CN': translate('zh-CN', key) });

/** The service's documents as one form page of file fields, so the form engine renders and checks them. */
export function documentsForm(service: ServiceVersion): CompiledForm | undefined {
  if (documentForms.has(service.definition)) return documentForms.get(service.definition);
  const form = buildDocumentsForm(service);
  documentForms.set(service.definition, form);
  return form;
}

// By definition object: the catalog hands out the same object for a version it has in memory.
const documentForms = new WeakMap<ServiceVersion['definition'], CompiledForm | undefined>();

function buildDocumentsForm(service: ServiceVersion): CompiledForm | undefined {
  const documents = service.definition.documents;
  if (documents.length === 0) return undefined;
  const definition: FormDefinition = {
    pages: [{
      id: DOCUMENTS_PAGE,
      title: text('applications.documents.title'),
      fields: documents.map((d): FileField => ({
        id: d.id, type: 'file', label: d.name, required: d.required, accept: d.acceptedTypes, maxSize: d.maxSizeBytes,
        ...(d.hint ? { hint: d.hint } : {}),
      })),
    }],
  };
  return compileForm(definition);
}

export function formOf(service: ServiceVersion): CompiledForm {
  return compileForm(service.definition.form);
}

export function formContext(now: Date): FormContext {
  return { now: todayIn(now) };
}

function fileFieldsOf(form: CompiledForm, pageId: string): FileField[] {
  const page = form.pages.find((p) => p.id === pageId);
  return (page?.fields ?? []).filter((f: FieldDefinition): f is FileField => f.type === 'file');
}

function uploadError(field: FileField, messageKey: string, params: Record<string, string | number> = {}): FieldError {
  return { fieldId: field.id, pointer: `/${field.id}`, messageKey, params, subject: field.errorName ?? field.label };
}

const DEFAULT_ACCEPT = ['application/pdf', 'image/jpeg', 'image/png'];
const DEFAULT_MAX = 10 * 1024 * 1024;

export type FileCheck =
  | { readonly ok: true; readonly type: SniffedType; readonly name: string }
  | { readonly ok: false; readonly messageKey: string; readonly params: Record<string, string | number> };

/**
 * One file's checks, the same wherever a file arrives: within the size limit, not empty, a type
 * its first bytes prove, agreeing with the type the sender claimed, and one the document accepts.
 */
export function checkFile(upload: Pick<Upload, 'filename' | 'claimedType' | 'content' | 'truncated'>, accept: readonly string[] = DEFAULT_ACCEPT, max = DEFAULT_MAX): FileCheck {
  const types = accept.map((t) => TYPE_NAMES[t] ?? t).join(', ');
  if (upload.truncated || upload.content.length > max) return { ok: false, messageKey: 'applications.upload.tooLarge', params: { size: sizeText(max) } };
  if (upload.content.length === 0) return { ok: false, messageKey: 'applications.upload.empty', params: {} };
  const type = sniffType(upload.content);
  if (!type) return { ok: false, messageKey: 'applications.upload.wrongType', params: { types } };
  // The media type without its parameters (`application/pdf; name="x.pdf"` claims PDF; RFC 9110 §8.3.1).
  const claimed = (upload.claimedType.split(';')[0] ?? '').trim().toLowerCase();
  if (TYPE_NAMES[claimed] && claimed !== type) return { ok: false, messageKey: 'applications.upload.mismatch', params: { claimed: TYPE_NAMES[claimed] ?? claimed, types } };
  if (!accept.includes(type)) return { ok: false, messageKey: 'applications.upload.wrongType', params: { types } };
  return { ok: true, type, name: displayName(upload.filename, type) };
}

/**
 * Checks the files sent with a page. The type is what the first bytes say; a file whose bytes
 * disagree with the type the browser claimed, or that we cannot recognise, is refused, as is one
 * larger than the document allows. Accepted files become `<id>-name/-type/-size/-ref` fields of
 * the post, which is how the form engine learns about an upload (docs/adr/0006-form-engine.md).
 */
export function checkUploads(form: CompiledForm, pageId: string, body: Posted, uploads: readonly Upload[], newId: () => string): { posted: Posted; accepted: AcceptedUpload[]; refused: FieldError[] } {
  const fields = fileFieldsOf(form, pageId);
  const posted: Record<string, unknown> = {};
  // The browser never gets to post the metadata itself: only what we measured counts.
  for (const [key, value] of Object.entries(body)) {
    if (!fields.some((f) => key.startsWith(`${f.id}-`))) posted[key] = value;
  }
  const accepted: AcceptedUpload[] = [];
  const refused: FieldError[] = [];
  for (const field of fields) {
    const upload = uploads.find((u) => u.fieldId === field.id);
    if (!upload || (upload.content.length === 0 && upload.filename === '')) continue;
    const checked = checkFile(upload, field.accept, field.maxSize);
    if (!checked.ok) { refused.push(uploadError(field, checked.messageKey, checked.params)); continue; }
    const { type, name } = checked;
    const fileId = newId();
    accepted.push({ fieldId: field.id, fileId, name, type, content: upload.content });
    Object.assign(posted, { [`${field.id}-name`]: name, [`${field.id}-type`]: type, [`${field.id}-size`]: String(upload.content.length), [`${field.id}-ref`]: fileId });
  }
  return { posted, accepted, refused };
}

/** The engine's errors, with a refused upload's own message in place of "Upload a file". */
export function mergeErrors(errors: readonly FieldError[], refused: readonly FieldError[]): FieldError[] {
  const taken = new Set(refused.map((e) => e.pointer));
  return [...refused, ...errors.filter((e) => !taken.has(e.pointer) && !taken.has(`/${e.pointer.split('/')[1] ?? ''}`))];
}

/** File ids the answers point at (file fields hold `{ ref }`). */
export function fileRefs(...answerSets: readonly Answers[]): string[] {
  const refs: string[] = [];
  for (const answers of answerSets) {
    for (const value of Object.values(answers)) {
      if (value && typeof value === 'object' && 'ref' in value && typeof value.ref === 'string') refs.push(value.ref);
    }
  }
  return refs;
}

/** Where a person resumes: the first page with a missing answer, then documents, then check. */
export function resumeStep(form: CompiledForm, docs: CompiledForm | undefined, answers: Answers, documents: Answers, ctx: FormContext): Step {
  const page = form.firstIncompletePage(answers, ctx);
  if (page) return { kind: 'page', pageId: page };
  if (docs && !docs.isComplete(documents, ctx)) return { kind: 'documents' };
  return { kind: 'check' };
}

/** The step after a page that was answered without errors. */
export function nextStep(form: CompiledForm, docs: CompiledForm | undefined, pageId: string, answers: Answers, ctx: FormContext): Step {
  if (pageId === DOCUMENTS_PAGE) return { kind: 'check' };
  const next = form.nextPage(pageId, answers, ctx);
  if (next) return { kind: 'page', pageId: next };
  return docs ? { kind: 'documents' } : { kind: 'check' };
}

/** The step before a page, for its back link. */
export function previousStep(form: CompiledForm, pageId: string, answers: Answers, ctx: FormContext): Step | undefined {
  if (pageId === DOCUMENTS_PAGE) {
    const shown = form.visiblePages(answers, ctx);
    const last = shown[shown.length - 1];
    return last ? { kind: 'page', pageId: last.id } : undefined;
  }
  const previous = form.previousPage(pageId, answers, ctx);
  return previous ? { kind: 'page', pageId: previous } : undefined;
}
