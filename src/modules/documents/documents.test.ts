import { createPrivateKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { CompactSign, compactVerify, createLocalJWKSet, decodeProtectedHeader, exportJWK, type JSONWebKeySet } from 'jose';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { demoApp } from '../applications/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { decodeKey32, open, parseSealedText } from '../../kernel/secrets/seal.js';
import { aadOf, WRAPPING_KEY_SECRET } from './keys.js';
import { approvedSoleTrader as approve, AMR, BUSINESS_NAME, decide, submitSoleTrader, type People } from './test-kit.js';

const principal = (subject: string) => {
  const p = demoPersona(subject);
  return { accountId: p.accountId, kind: p.kind, name: p.name, roles: p.roles };
};
const citizen = () => principal('citizen');
const officer = () => principal('officer');
const people: People = { citizen: citizen(), officer: officer() };
const approvedSoleTrader = (built: Built) => approve(built, people);

const ANOTHER_AGENCY = '110000-PSB';
const json = (body: string): unknown => JSON.parse(body);

describeEachDatabase('documents: certificates issued, verified, revoked', migrationSources, (use) => {
  let built: Built;
  let applicationId = '';
  let certificateId = '';
  beforeAll(async () => {
    built = await demoApp(use());
    applicationId = await approvedSoleTrader(built);
    certificateId = (await built.services.documents.forApplication(applicationId))?.id ?? '';
  });
  afterAll(async () => { await built.app.close(); });

  const jwks = async (path = '/.well-known/jwks.json'): Promise<JSONWebKeySet> => json((await built.app.inject({ method: 'GET', url: path })).body) as JSONWebKeySet;
  const credentialOf = async (id: string) => built.services.documents.credentialFor(id, citizen());
  const api = (method: 'GET' | 'POST', url: string, payload?: object) => built.app.inject({ method, url, headers: { accept: 'application/json' }, ...(payload ? { payload } : {}) });

  it('issues a certificate when the application is approved, audited, and tells other modules', async () => {
    const summary = await built.services.documents.forApplication(applicationId);
    expect(summary).toMatchObject({ applicationId, agency: AMR, status: 'valid', revokedAt: null, verifyUrl: `http://tongban.test/verify/${certificateId}` });
    expect(summary?.title.en).toBe('Business licence (individual business)');
    const trail = await built.kernel.audit.listBySubject(citizen().accountId);
    expect(trail.find((r) => r.action === 'documents.certificate.issue')).toMatchObject({ resource: { type: 'certificate', id: certificateId }, actor: { kind: 'staff', id: officer().accountId, organisation: AMR } });
    expect((await built.services.documents.listForPerson(citizen())).map((c) => c.id)).toContain(certificateId);
  });

  it('issues nothing for a rejected application', async () => {
    const id = await submitSoleTrader(built, people);
    await decide(built, id, 'reject', people);
    expect(await built.services.documents.forApplication(id)).toBeUndefined();
  });

  it('is a W3C verifiable credential that an offline verifier checks with the JWKS and jose alone', async () => {
    const jws = await credentialOf(certificateId);
    const keys = await jwks();
    // From here on: no database, no Tongban code; only the published keys and jose.
    const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(keys), { algorithms: ['EdDSA'] });
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: 'vc+jwt' });
    const vc = json(new TextDecoder().decode(payload)) as Record<string, unknown> & { issuer: { id: string }; credentialSubject: { fields: { id: string; value: { '@value': string }[] }[] } };
    expect(vc['@context']).toEqual(['https://www.w3.org/ns/credentials/v2']);
    expect(vc.type).toEqual(['VerifiableCredential', 'TongbanCertificate']);
    expect(vc.id).toBe(`urn:uuid:${certificateId}`);
    expect(vc.issuer.id).toBe(`http://tongban.test/issuers/${AMR}`);
    expect(protectedHeader.kid?.startsWith(`${vc.issuer.id}#`)).toBe(true);
    expect(typeof vc.validFrom).toBe('string');
    expect(vc.credentialStatus).toEqual({ id: `http://tongban.test/api/documents/certificates/${certificateId}/status`, type: 'TongbanRevocationStatus' });
    expect(vc.credentialSubject.fields.map((f) => f.id)).toEqual(['business_name', 'operator_name', 'organisation', 'business_address', 'scope_detail']);
    expect(vc.credentialSubject.fields[0]?.value[0]?.['@value']).toBe(BUSINESS_NAME);
    // The agency's own key set carries the same key.
    expect((await jwks(`/issuers/${AMR}/jwks.json`)).keys.map((k) => k.kid)).toContain(protectedHeader.kid);
  });

  it('answers valid through the API, by number and by JWS', async () => {
    const byId = await api('GET', `/api/documents/certificates/${certificateId}/status`);
    expect(byId.statusCode).toBe(200);
    expect(json(byId.body)).toMatchObject({ status: 'valid', certificate: { id: certificateId, reference: expect.stringMatching(/^TB-/) as unknown } });
    const byJws = await api('POST', '/api/documents/verify', { jws: await credentialOf(certificateId) });
    expect(json(byJws.body)).toMatchObject({ status: 'valid', certificate: { id: certificateId } });
    const audited = await built.kernel.audit.listBySubject(citizen().accountId);
    expect(audited.find((r) => r.action === 'documents.certificate.verify')).toMatchObject({ actor: { kind: 'anonymous' }, purpose: expect.any(String) as unknown });
  });

  it('calls a tampered certificate not genuine: changed payload, wrong key, another agency\'s signature', async () => {
    const jws = await credentialOf(certificateId);
    const [header = '', payload = '', signature = ''] = jws.split('.');
    const vc = json(Buffer.from(payload, 'base64url').toString('utf8')) as { credentialSubject: { fields: { value: { '@value': string }[] }[] } };
    vc.credentialSubject.fields[0]!.value[0]!['@value'] = '李记水果店';
    const changed = `${header}.${Buffer.from(JSON.stringify(vc)).toString('base64url')}.${signature}`;
    const original = json(Buffer.from(payload, 'base64url').toString('utf8')) as object;
    const kid = decodeProtectedHeader(jws).kid ?? '';
    const sign = async (body: object, key: Parameters<CompactSign['sign']>[0], keyId: string) =>
      new CompactSign(Buffer.from(JSON.stringify(body))).setProtectedHeader({ alg: 'EdDSA', kid: keyId, typ: 'vc+jwt', cty: 'vc' }).sign(key);
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const wrongKey = await sign(original, stranger, kid);
    // A real key of another agency: its certificate claims AMR as issuer, signed with PSB's key.
    await built.services.documents.rotateKey(ANOTHER_AGENCY, { kind: 'system', id: 'test' });
    const psb = (await jwks(`/issuers/${ANOTHER_AGENCY}/jwks.json`)).keys[0]?.kid ?? '';
    const psbSecret = await built.kernel.db.withTables<{ tb_secret: { name: string; value: string } }>().selectFrom('tb_secret').select('value').where('name', '=', `documents.signing-key.${psb}`).executeTakeFirstOrThrow();
    // The private half is sealed (ADR 40); the test opens it with the generated wrapping key, as the keyring does.
    const wrapping = await built.kernel.db.withTables<{ tb_secret: { name: string; value: string } }>().selectFrom('tb_secret').select('value').where('name', '=', WRAPPING_KEY_SECRET).executeTakeFirstOrThrow();
    const opened = open(decodeKey32(wrapping.value) ?? Buffer.alloc(0), aadOf(psb), parseSealedText(psbSecret.value) ?? { iv: Buffer.alloc(0), tag: Buffer.alloc(0), body: Buffer.alloc(0) });
    expect(opened).toBeDefined();
    const psbKey = createPrivateKey({ key: json(opened?.toString('utf8') ?? '') as JsonWebKey, format: 'jwk' });
    const otherAgency = await sign(original, psbKey, psb);
    const unknownKid = await sign(original, stranger, `http://tongban.test/issuers/${AMR}#key-nobody`);

    const verdicts: Record<string, unknown> = {};
    for (const [name, candidate] of Object.entries({ changed, wrongKey, otherAgency, unknownKid, garbage: 'not.a.jws' })) {
      const res = await api('POST', '/api/documents/verify', { jws: candidate });
      expect(res.statusCode).toBe(200);
      verdicts[name] = json(res.body);
    }
    expect(verdicts).toEqual({
      changed: { status: 'not_genuine', reason: 'signature' },
      wrongKey: { status: 'not_genuine', reason: 'signature' },
      otherAgency: { status: 'not_genuine', reason: 'issuer_mismatch' },
      unknownKid: { status: 'not_genuine', reason: 'unknown_key' },
      garbage: { status: 'not_genuine', reason: 'malformed' },
    });
    // The offline verifier agrees about the changed one.
    await expect(compactVerify(changed, createLocalJWKSet(await jwks()))).rejects.toThrow();
    expect(await exportJWK(stranger)).toMatchObject({ kty: 'OKP' });
  });

  it('answers problem+json for an unknown number and for a bad request', async () => {
    const unknown = await api('GET', '/api/documents/certificates/00000000-0000-4000-8000-000000000000/status');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    expect(json(unknown.body)).toMatchObject({ code: 'TB_DOCUMENTS_NOT_FOUND' });
    const bad = await api('GET', '/api/documents/certificates/not-a-number/status');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    const empty = await api('POST', '/api/documents/verify', {});
    expect(empty.statusCode).toBe(400);
    expect(json(empty.body)).toMatchObject({ errors: [{ pointer: '/jws' }] });
  });

  it('keeps earlier certificates verifiable after a key rotation, and signs new ones with the new key', async () => {
    const before = decodeProtectedHeader(await credentialOf(certificateId)).kid;
    const rotated = await built.services.documents.rotateKey(AMR, { kind: 'staff', id: 'admin', organisation: AMR });
    expect(rotated.retired).toBe(before);
    expect(rotated.kid).not.toBe(before);
    const next = await approvedSoleTrader(built);
    const nextId = (await built.services.documents.forApplication(next))?.id ?? '';
    expect(decodeProtectedHeader(await credentialOf(nextId)).kid).toBe(rotated.kid);
    const kids = (await jwks(`/issuers/${AMR}/jwks.json`)).keys.map((k) => k.kid);
    expect(kids).toEqual(expect.arrayContaining([before, rotated.kid]));
    expect((await built.services.documents.verifyById(certificateId)).status).toBe('valid');
    expect((await built.services.documents.verifyById(nextId)).status).toBe('valid');
    await expect(built.services.documents.rotateKey('999999-XXX', { kind: 'system', id: 'test' })).rejects.toMatchObject({ code: 'TB_DOCUMENTS_UNKNOWN_AGENCY' });
  });

  it('lets only officers of the issuing agency revoke, with a reason, once, audited; then it verifies as revoked', async () => {
    const { documents } = built.services;
    const psbOfficer = { accountId: '0190a1b2-0000-7000-8000-0000000000aa', kind: 'staff' as const, name: 'PSB officer', roles: [{ agency: ANOTHER_AGENCY, role: 'officer' as const }] };
    await expect(documents.revoke({ id: certificateId, principal: psbOfficer, reason: 'x' })).rejects.toMatchObject({ code: 'TB_DOCUMENTS_FORBIDDEN' });
    await expect(documents.revoke({ id: certificateId, principal: citizen(), reason: 'x' })).rejects.toMatchObject({ code: 'TB_DOCUMENTS_FORBIDDEN' });
    await expect(documents.revoke({ id: certificateId, principal: officer(), reason: '   ' })).rejects.toMatchObject({ code: 'TB_DOCUMENTS_REASON_REQUIRED', fields: [{ pointer: '/reason' }] });
    const revoked = await documents.revoke({ id: certificateId, principal: officer(), reason: '经营场所已变更' });
    expect(revoked).toMatchObject({ status: 'revoked', revokeReason: '经营场所已变更' });
    await expect(documents.revoke({ id: certificateId, principal: officer(), reason: 'again' })).rejects.toMatchObject({ code: 'TB_DOCUMENTS_ALREADY_REVOKED' });
    const trail = await built.kernel.audit.listBySubject(citizen().accountId);
    expect(trail.find((r) => r.action === 'documents.certificate.revoke')).toMatchObject({ actor: { kind: 'staff', id: officer().accountId, organisation: AMR }, details: { reason: '经营场所已变更' } });

    const status = json((await api('GET', `/api/documents/certificates/${certificateId}/status`)).body);
    expect(status).toMatchObject({ status: 'revoked', revocationReason: '经营场所已变更', revokedAt: expect.any(String) as unknown });
    const byJws = json((await api('POST', '/api/documents/verify', { jws: await credentialOf(certificateId) })).body);
    expect(byJws).toMatchObject({ status: 'revoked' });
  });

  it('describes its API in valid OpenAPI 3.1, pages left out', async () => {
    const doc = json((await built.app.inject({ method: 'GET', url: '/openapi.json' })).body) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/.well-known/jwks.json', '/issuers/{agency}/jwks.json', '/api/documents/verify', '/api/documents/certificates/{id}/status', '/api/documents/certificates/{id}/revoke',
    ]));
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/verify') || p.startsWith('/documents') || p.startsWith('/backoffice/certificates'))).toEqual([]);
    const validation = await new Validator().validate(doc);
    expect(validation.errors ?? []).toEqual([]);
  });

  it('revokes through the API with problem+json refusals', async () => {
    const next = await approvedSoleTrader(built);
    const id = (await built.services.documents.forApplication(next))?.id ?? '';
    const anonymous = await api('POST', `/api/documents/certificates/${id}/revoke`, { reason: 'x' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toContain('application/problem+json');
  });
});
