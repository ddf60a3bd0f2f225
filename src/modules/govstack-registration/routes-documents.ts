import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { TongbanError } from '../../kernel/http/index.js';
import { idempotencyKeyHeader, idempotentAnswer } from '../../kernel/idempotency/index.js';
import { translate } from '../../kernel/i18n/index.js';
import { extensionOf, UPLOAD_LIFETIME_MS, type ApplicationsService } from '../applications/service.js';
import { callerOf, requireCaller, SCOPES } from './caller.js';
import type { CaseDeps } from './routes-applications.js';
import { Problem, TAG } from './schemas.js';
import { sha256 } from '../../kernel/digest.js';

/** Named so the type is not a bare weak object; merges with the platform's limits (security.ts). */
const LENIENT_MULTIPART = { throwFileSizeLimit: false, limits: {} };
const security: { [scheme: string]: string[] }[] = [{ bearer: [] }, { cookie: [] }];

const uploadSchema = {
  tags: [TAG], security, operationId: 'uploadFile', consumes: ['multipart/form-data'],
  summary: 'Upload one document to refer to from documentUrls of an application within 24 hours',
  description: 'multipart/form-data with one part `file` (PDF, JPG or PNG, checked by its bytes). A person\'s session must send the CSRF token (`x-csrf-token`).',
  querystring: Type.Object({ additionalMetadata: Type.Optional(Type.String({ maxLength: 100, description: 'The service\'s document this file is, e.g. premises_proof' })) }),
  headers: Type.Object({ 'idempotency-key': idempotencyKeyHeader }),
  response: {
    200: Type.Object({ code: Type.Integer(), type: Type.String({ description: 'The type its bytes show' }), message: Type.String(), url: Type.String({ description: 'Put this in documentUrls' }) }),
    400: Problem, 401: Problem, 403: Problem, 409: Problem, 422: Problem,
  },
};

const getSchema = {
  tags: [TAG], security, operationId: 'getUploadedFile', summary: 'Your own upload, while it is kept',
  params: Type.Object({ documentId: Type.String({ format: 'uuid' }) }),
};

interface FilePart { readonly type: 'file'; readonly filename: string; readonly mimetype: string; readonly file: { readonly truncated?: boolean }; readonly _buf: Buffer | null }
const isFilePart = (v: unknown): v is FilePart => typeof v === 'object' && v !== null && 'type' in v && v.type === 'file';

/**
 * POST /documents keeps a file in the applications module for its uploader (a person or a
 * system), unattached, for a day; an application then names it by the answered `url`.
 */
export function registerDocumentRoutes(scope: FastifyInstance, deps: Pick<CaseDeps, 'kernel'> & { applications: Pick<ApplicationsService, 'keepUpload' | 'keptUpload'> }): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { kernel, applications } = deps;
  const base = `${kernel.config.publicUrl.replace(/\/$/, '')}/govstack/registration/documents`;
  const caller = requireCaller(kernel, { scope: SCOPES.apply, sessions: true });

  app.post('/documents', {
    schema: uploadSchema, preHandler: caller,
    // A too-large file arrives truncated instead of failing the request, so the answer names the limit.
    config: { multipartOptions: LENIENT_MULTIPART },
  }, async (request, reply) => {
    const who = callerOf(request);
    const { principal } = who;
    const field = request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>).file : undefined;
    const parts = (Array.isArray(field) ? field : [field]).filter(isFilePart);
    if (parts.length !== 1) {
      throw new TongbanError('TB_KERNEL_VALIDATION', { fields: [{ pointer: '/file', message: 'kernel.error.fieldInvalid', detail: 'send exactly one file in the part named file' }] });
    }
    const part = parts[0]!;
    const content = part._buf ?? new Uint8Array();
    const truncated = part.file.truncated === true;
    // With an Idempotency-Key a retry of the same file keeps no second upload (issue 9, ADR 31); the file stands in the fingerprint by its hash.
    const fingerprinted = { filename: part.filename, mimetype: part.mimetype, truncated, sha256: sha256(content, 'hex') };
    const idempotencyCaller = who.kind === 'client' ? `client:${who.client.clientId}` : `account:${principal.accountId}`;
    return idempotentAnswer(kernel, request, reply, async (claim) => {
      const kept = await applications.keepUpload(principal.accountId, { filename: part.filename, claimedType: part.mimetype, content, truncated }, request.query.additionalMetadata ?? null, { idempotency: claim });
      if (!kept.ok) {
        const params = { name: 'the file', ...kept.params };
        throw new TongbanError('TB_KERNEL_VALIDATION', { fields: [{ pointer: '/file', message: kept.messageKey, params, detail: translate('en', kept.messageKey, params) }] });
      }
      // What the render gets is what the service kept beside the key (the whole result).
      return kept;
    }, ({ upload }: { upload: { id: string; type: string; expiresAt: Date | string } }) => ({
      status: 200,
      body: { code: 200, type: upload.type, message: `Kept until ${new Date(upload.expiresAt).toISOString()} (${UPLOAD_LIFETIME_MS / 3_600_000} hours) for an application to refer to`, url: `${base}/${upload.id}` },
    }), { caller: idempotencyCaller, body: fingerprinted });
  });

  app.get('/documents/:documentId', { schema: getSchema, preHandler: caller }, async (request, reply) => {
    const upload = await applications.keptUpload(request.params.documentId, callerOf(request).principal.accountId);
    if (!upload) throw new TongbanError('TB_APPLICATIONS_NOT_FOUND', { detail: 'No such upload of yours' });
    return reply.type(upload.type).header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="upload.${extensionOf(upload.type)}"`).send(Buffer.from(upload.content));
  });
}
