import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { principalOf, requireSignedIn } from '../../kernel/auth/index.js';
import { agencyParams, CertificateSummaryJson, idParams, Jwks, revokeBody, VerificationJson, verifyBody } from './schemas.js';
import type { CertificateSummary, DocumentsService, Verification } from './service.js';

const TAGS = ['documents'];

export function verificationJson(result: Verification) {
  if (result.status === 'not_genuine') return { status: result.status, reason: result.reason };
  const c = result.certificate;
  const certificate = { ...c, issuedAt: c.issuedAt.toISOString(), fields: c.fields.map((f) => ({ name: f.name, value: f.value })) };
  return result.status === 'revoked'
    ? { status: result.status, revokedAt: result.revokedAt.toISOString(), revocationReason: result.reason, certificate }
    : { status: result.status, certificate };
}

const summaryJson = (c: CertificateSummary) => ({ ...c, issuedAt: c.issuedAt.toISOString(), revokedAt: c.revokedAt?.toISOString() ?? null });

/**
 * Keys and checks anyone may use (no sign-in): the JWK Sets and the verification API; and the
 * holder's and the officers' calls (a session or an API client's token).
 */
export function registerDocumentsRoutes(scope: FastifyInstance, documents: DocumentsService): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/.well-known/jwks.json', { schema: { tags: TAGS, summary: 'Every agency\'s certificate signing keys', response: { 200: Jwks } } }, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').send(await documents.jwks()));

  app.get('/issuers/:agency/jwks.json', { schema: { tags: TAGS, summary: 'One agency\'s certificate signing keys', params: agencyParams, response: { 200: Jwks } } }, async (request, reply) =>
    reply.header('cache-control', 'public, max-age=300').send(await documents.jwks(request.params.agency)));

  app.get('/api/documents/certificates/:id/status', {
    schema: { tags: TAGS, summary: 'Check a certificate by its number: valid, revoked or not genuine', params: idParams, response: { 200: VerificationJson } },
  }, async (request) => {
    const result = await documents.verifyById(request.params.id, { principal: request.principal, requestId: request.id });
    // An unknown number is a missing resource for the API (the page calls it "not genuine").
    if (result.status === 'not_genuine' && result.reason === 'unknown') throw documents.notFoundError();
    return verificationJson(result);
  });

  app.post('/api/documents/verify', {
    // Anyone may check a certificate: no session, so nothing a forged cross-site post could abuse.
    config: { csrf: false },
    schema: { tags: TAGS, summary: 'Check a certificate given as a compact JWS', body: verifyBody, response: { 200: VerificationJson } },
  }, async (request) => verificationJson(await documents.verifyJws(request.body.jws, { principal: request.principal, requestId: request.id })));

  app.get('/api/documents/certificates/:id', {
    schema: { tags: TAGS, summary: 'The signed-in holder\'s certificate as a compact JWS (application/vc+jwt)', params: idParams },
    preHandler: requireSignedIn,
  }, async (request, reply) => reply.type('application/vc+jwt').send(await documents.credentialFor(request.params.id, principalOf(request))));

  app.post('/api/documents/certificates/:id/revoke', {
    schema: { tags: TAGS, summary: 'Revoke a certificate with a reason (officers or supervisors of the issuing agency)', params: idParams, body: revokeBody, response: { 200: CertificateSummaryJson } },
    preHandler: requireSignedIn,
  }, async (request) => summaryJson(await documents.revoke({ id: request.params.id, principal: principalOf(request), reason: request.body.reason, requestId: request.id })));
}
