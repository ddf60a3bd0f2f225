import { isMethodPattern, isPart, isPathPattern } from './ids.js';
import { parseCertificate } from './certificates.js';
import type { NewCertificate, NewRight, NewService, NewSubsystem } from './registry.js';

/**
 * The registry pages' forms: what was posted (kept as typed, for showing again) and the first
 * problem per field as a message key. Pure; the registry checks the same rules again when saving.
 */
export type Posted = Readonly<Record<string, string | string[] | undefined>>;
export interface FieldError { readonly field: string; readonly key: string }
export type Parsed<T> = { readonly ok: true; readonly input: T } | { readonly ok: false; readonly errors: readonly FieldError[] };

/** One text field as typed (a repeated field keeps its first value). */
export const text = (posted: Posted, name: string): string => {
  const value = posted[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
};
export const ticked = (posted: Posted, name: string, value: string): boolean => {
  const v = posted[name];
  return Array.isArray(v) ? v.includes(value) : v === value;
};

function url(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !u.search && !u.hash && !u.username && !u.password;
  } catch {
    return false;
  }
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

/** Enough of an OpenAPI document for listMethods: a version string and a paths object. */
const isOpenApi = (doc: unknown): boolean => typeof doc === 'object' && doc !== null && !Array.isArray(doc)
  && 'openapi' in doc && typeof doc.openapi === 'string' && 'paths' in doc && typeof doc.paths === 'object' && doc.paths !== null;

const result = <T>(errors: FieldError[], input: T): Parsed<T> => (errors.length ? { ok: false, errors } : { ok: true, input });

export function parseSubsystem(posted: Posted): Parsed<NewSubsystem> {
  const errors: FieldError[] = [];
  const [memberId, code, name, clientId] = ['member', 'code', 'name', 'clientId'].map((f) => text(posted, f).trim()) as [string, string, string, string];
  if (!memberId) errors.push({ field: 'member', key: 'mediator.admin.error.member' });
  if (!code) errors.push({ field: 'code', key: 'mediator.admin.error.codeMissing' });
  else if (!isPart(code)) errors.push({ field: 'code', key: 'mediator.admin.error.code' });
  if (!name) errors.push({ field: 'name', key: 'mediator.admin.error.name' });
  else if (name.length > 200) errors.push({ field: 'name', key: 'mediator.admin.error.tooLong' });
  if (clientId.length > 200 || /\s/.test(clientId)) errors.push({ field: 'clientId', key: 'mediator.admin.error.clientId' });
  return result(errors, { memberId, code, name, clientId: clientId || null });
}

export function parseService(posted: Posted): Parsed<NewService> {
  const errors: FieldError[] = [];
  const [subsystemId, code, name, baseUrl, openapiText, agreementId, timeoutText] = ['subsystem', 'code', 'name', 'baseUrl', 'openapi', 'agreementId', 'timeoutMs']
    .map((f) => text(posted, f).trim()) as [string, string, string, string, string, string, string];
  const needsConsent = ticked(posted, 'options', 'needsConsent');
  const storeBodies = ticked(posted, 'options', 'storeBodies');
  if (!subsystemId) errors.push({ field: 'subsystem', key: 'mediator.admin.error.subsystem' });
  if (!code) errors.push({ field: 'code', key: 'mediator.admin.error.codeMissing' });
  else if (!isPart(code)) errors.push({ field: 'code', key: 'mediator.admin.error.code' });
  else if (['listMethods', 'allowedMethods', 'getOpenAPI'].includes(code)) errors.push({ field: 'code', key: 'mediator.admin.error.codeReserved' });
  if (!name) errors.push({ field: 'name', key: 'mediator.admin.error.name' });
  else if (name.length > 200) errors.push({ field: 'name', key: 'mediator.admin.error.tooLong' });
  if (!baseUrl) errors.push({ field: 'baseUrl', key: 'mediator.admin.error.baseUrlMissing' });
  else if (!url(baseUrl)) errors.push({ field: 'baseUrl', key: 'mediator.admin.error.baseUrl' });
  let openapi: unknown = null;
  if (openapiText) {
    const doc = parseJson(openapiText);
    if (doc === undefined) errors.push({ field: 'openapi', key: 'mediator.admin.error.openapiJson' });
    else if (!isOpenApi(doc)) errors.push({ field: 'openapi', key: 'mediator.admin.error.openapi' });
    else openapi = doc;
  }
  if (needsConsent && !agreementId) errors.push({ field: 'agreementId', key: 'mediator.admin.error.agreement' });
  let timeoutMs: number | null = null;
  if (timeoutText) {
    timeoutMs = /^\d+$/.test(timeoutText) ? Number(timeoutText) : NaN;
    if (!(timeoutMs >= 100 && timeoutMs <= 120_000)) errors.push({ field: 'timeoutMs', key: 'mediator.admin.error.timeout' });
  }
  return result(errors, { subsystemId, code, name, baseUrl, openapi, needsConsent, agreementId: agreementId || null, timeoutMs, storeBodies });
}

export const METHOD_CHOICES = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', '*'] as const;

export function parseRight(posted: Posted): Parsed<NewRight> {
  const errors: FieldError[] = [];
  const [serviceId, clientId, method, path] = ['service', 'client', 'method', 'path'].map((f) => text(posted, f).trim()) as [string, string, string, string];
  if (!serviceId) errors.push({ field: 'service', key: 'mediator.admin.error.service' });
  if (!clientId) errors.push({ field: 'client', key: 'mediator.admin.error.client' });
  if (!isMethodPattern(method.toUpperCase())) errors.push({ field: 'method', key: 'mediator.admin.error.method' });
  if (!path) errors.push({ field: 'path', key: 'mediator.admin.error.pathMissing' });
  else if (!isPathPattern(path)) errors.push({ field: 'path', key: 'mediator.admin.error.path' });
  return result(errors, { serviceId, clientId, method, path });
}

/** The certificate form: a subsystem and one PEM certificate, checked as the registry will check it. */
export function parseCertificateForm(posted: Posted, now: Date): Parsed<NewCertificate> {
  const errors: FieldError[] = [];
  const subsystemId = text(posted, 'subsystem').trim();
  const pem = text(posted, 'certificate');
  if (!subsystemId) errors.push({ field: 'subsystem', key: 'mediator.admin.error.certificateSubsystem' });
  const parsed = parseCertificate(pem, now);
  if (!parsed.ok) errors.push({ field: 'certificate', key: `mediator.admin.error.certificate.${parsed.problem}` });
  return result(errors, { subsystemId, pem });
}
