import { CompactSign, compactVerify, createLocalJWKSet, decodeProtectedHeader, errors, importJWK, type JSONWebKeySet, type JWK } from 'jose';
import type { LocalizedText } from '../catalog/service.js';

/**
 * The certificate as a W3C Verifiable Credential (Data Model 2.0), secured as a compact JWS
 * (VC-JOSE-COSE: the payload is the credential itself, `typ` vc+jwt). Pure: no database, no
 * network, so an offline verifier needs only this file's `verifyCredential`, jose and the JWKS.
 * See docs/adr/0020-verifiable-certificates.md.
 */

export const VC_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const CREDENTIAL_TYPE = 'TongbanCertificate';
export const STATUS_TYPE = 'TongbanRevocationStatus';

/** A language-tagged value (VC Data Model 2.0 §11.1), one per language. */
export type LanguageValue = { readonly '@value': string; readonly '@language': 'zh-CN' | 'en' };

export interface PrintedField { readonly id: string; readonly name: LocalizedText; readonly value: LocalizedText }

export interface Credential {
  readonly '@context': readonly string[];
  readonly id: string;
  readonly type: readonly string[];
  readonly name: readonly LanguageValue[];
  readonly issuer: { readonly id: string; readonly name: readonly LanguageValue[] };
  readonly validFrom: string;
  readonly credentialSubject: {
    readonly templateId: string;
    readonly reference: string | null;
    readonly service: readonly LanguageValue[];
    readonly fields: readonly { readonly id: string; readonly name: readonly LanguageValue[]; readonly value: readonly LanguageValue[] }[];
  };
  readonly credentialStatus: { readonly id: string; readonly type: typeof STATUS_TYPE };
}

export interface CredentialInput {
  readonly id: string;
  readonly publicUrl: string;
  readonly agency: { readonly code: string; readonly name: LocalizedText };
  readonly title: LocalizedText;
  readonly templateId: string;
  readonly reference: string | null;
  readonly service: LocalizedText;
  readonly fields: readonly PrintedField[];
  readonly issuedAt: Date;
}

export const langValues = (text: LocalizedText): LanguageValue[] => [{ '@value': text['zh-CN'], '@language': 'zh-CN' }, { '@value': text.en, '@language': 'en' }];

export function fromLangValues(values: readonly LanguageValue[]): LocalizedText {
  const zh = values.find((v) => v['@language'] === 'zh-CN')?.['@value'];
  const en = values.find((v) => v['@language'] === 'en')?.['@value'];
  return { 'zh-CN': zh ?? en ?? '', en: en ?? zh ?? '' };
}

const trimUrl = (url: string) => url.replace(/\/+$/, '');

/** The agency's issuer id: a URL under the platform's public address. */
export const issuerId = (publicUrl: string, agency: string): string => `${trimUrl(publicUrl)}/issuers/${encodeURIComponent(agency)}`;
export const verifyUrl = (publicUrl: string, id: string): string => `${trimUrl(publicUrl)}/verify/${id}`;
export const statusUrl = (publicUrl: string, id: string): string => `${trimUrl(publicUrl)}/api/documents/certificates/${id}/status`;
/** A key id names its agency: `<issuer id>#<key name>`, so a verifier can tell whose key signed. */
export const keyId = (publicUrl: string, agency: string, name: string): string => `${issuerId(publicUrl, agency)}#${name}`;

export function buildCredential(input: CredentialInput): Credential {
  return {
    '@context': [VC_CONTEXT],
    id: `urn:uuid:${input.id}`,
    type: ['VerifiableCredential', CREDENTIAL_TYPE],
    name: langValues(input.title),
    issuer: { id: issuerId(input.publicUrl, input.agency.code), name: langValues(input.agency.name) },
    validFrom: input.issuedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    credentialSubject: {
      templateId: input.templateId,
      reference: input.reference,
      service: langValues(input.service),
      fields: input.fields.map((f) => ({ id: f.id, name: langValues(f.name), value: langValues(f.value) })),
    },
    credentialStatus: { id: statusUrl(input.publicUrl, input.id), type: STATUS_TYPE },
  };
}

export async function signCredential(credential: Credential, key: { kid: string; privateJwk: JWK }): Promise<string> {
  const privateKey = await importJWK(key.privateJwk, 'EdDSA');
  return new CompactSign(new TextEncoder().encode(JSON.stringify(credential)))
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'vc+jwt', cty: 'vc' })
    .sign(privateKey);
}

/** Why a JWS is not a genuine certificate. */
export type NotGenuine = 'malformed' | 'unknown_key' | 'signature' | 'issuer_mismatch' | 'not_a_credential';

export type Verified =
  | { readonly ok: true; readonly credential: Credential; readonly kid: string }
  | { readonly ok: false; readonly reason: NotGenuine };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function asCredential(value: unknown): Credential | undefined {
  if (!isObject(value)) return undefined;
  const context = value['@context'];
  const type = value.type;
  const issuer = value.issuer;
  const subject = value.credentialSubject;
  if (!Array.isArray(context) || context[0] !== VC_CONTEXT) return undefined;
  if (!Array.isArray(type) || !type.includes('VerifiableCredential') || !type.includes(CREDENTIAL_TYPE)) return undefined;
  if (!isObject(issuer) || typeof issuer.id !== 'string' || typeof value.id !== 'string' || typeof value.validFrom !== 'string') return undefined;
  if (!isObject(subject) || !Array.isArray(subject.fields)) return undefined;
  return value as unknown as Credential;
}

/**
 * Checks a compact JWS against published keys only: the signature by the key its header names,
 * that key belonging to the credential's issuer (a key id is `<issuer id>#…`), and the shape of
 * a Tongban certificate. Revocation is a separate, online question (credentialStatus).
 */
export async function verifyCredential(jws: string, jwks: JSONWebKeySet): Promise<Verified> {
  let kid: string | undefined;
  try {
    const header = decodeProtectedHeader(jws);
    kid = header.kid;
    if (header.alg !== 'EdDSA' || header.typ !== 'vc+jwt' || typeof kid !== 'string') return { ok: false, reason: 'malformed' };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, createLocalJWKSet(jwks), { algorithms: ['EdDSA'] }));
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey) return { ok: false, reason: 'unknown_key' };
    if (error instanceof errors.JWSSignatureVerificationFailed) return { ok: false, reason: 'signature' };
    return { ok: false, reason: 'malformed' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    return { ok: false, reason: 'not_a_credential' };
  }
  const credential = asCredential(parsed);
  if (!credential) return { ok: false, reason: 'not_a_credential' };
  if (!kid.startsWith(`${credential.issuer.id}#`)) return { ok: false, reason: 'issuer_mismatch' };
  return { ok: true, credential, kid };
}
