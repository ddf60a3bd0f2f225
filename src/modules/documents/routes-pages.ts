import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { principalOf, requireSignedIn } from '../../kernel/auth/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import { field } from '../../kernel/http/query.js';
import { pageContext } from '../../ui/index.js';
import { renderDocumentsPage, renderRevokePage, renderVerifyPage, revokeHref, type PageContext, type RevokeView } from './pages.js';
import { doneQuery, idParams, revokeForm, verifyParams } from './schemas.js';
import { DocumentsErrors, type DocumentsService } from './service.js';

function context(request: FastifyRequest, reply: FastifyReply): PageContext {
  return { ...pageContext(request), user: request.principal ? { name: request.principal.name } : undefined, csrfToken: request.principal ? reply.generateCsrf() : undefined };
}
const html = (reply: FastifyReply, body: string, status = 200) => reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
const page = { config: { page: true } };

/** The person's documents page and PDF, the public verify page, and the officers' revoke page. No JavaScript needed. */
export function registerDocumentsPages(scope: FastifyInstance, documents: DocumentsService): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/documents', { ...page, preHandler: requireSignedIn, schema: { hide: true } }, async (request, reply) =>
    html(reply, renderDocumentsPage(context(request, reply), await documents.listForPerson(principalOf(request)))));

  // Printed on every download, in the reader's language (`?lang=` switches it).
  app.get('/documents/:id/pdf', { ...page, preHandler: requireSignedIn, schema: { params: idParams, hide: true } }, async (request, reply) => {
    const { bytes, filename } = await documents.pdf(request.params.id, principalOf(request), request.locale);
    return reply.type('application/pdf').header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`).send(Buffer.from(bytes));
  });

  // Public: anyone who scans the QR code. An ill-formed number is as "not genuine" as an unknown one.
  app.get('/verify/:id', { ...page, schema: { params: verifyParams, hide: true } }, async (request, reply) => {
    const { id } = request.params;
    const result = await documents.verifyById(id, { principal: request.principal, requestId: request.id });
    return html(reply, renderVerifyPage(context(request, reply), result), result.status === 'not_genuine' ? 404 : 200);
  });

  app.get(revokeHref(':id'), { ...page, preHandler: requireSignedIn, schema: { params: idParams, querystring: doneQuery, hide: true } }, async (request, reply) => {
    const certificate = await documents.forStaff(request.params.id, principalOf(request));
    return html(reply, renderRevokePage(context(request, reply), { certificate, done: request.query.done === '1' }));
  });

  app.post(revokeHref(':id'), { ...page, preHandler: requireSignedIn, schema: { params: idParams, body: revokeForm, hide: true } }, async (request, reply) => {
    const me = principalOf(request);
    const certificate = await documents.forStaff(request.params.id, me);
    const reason = field(request.body, 'reason') ?? '';
    const confirm = [request.body.confirm ?? []].flat().includes('yes');
    const errors: { field: 'reason' | 'confirm'; text: string }[] = [];
    if (reason.trim() === '') errors.push({ field: 'reason', text: request.t('documents.error.reasonRequired') });
    else if (reason.trim().length > 500) errors.push({ field: 'reason', text: request.t('documents.error.reasonTooLong') });
    if (!confirm) errors.push({ field: 'confirm', text: request.t('documents.error.confirmRequired') });
    const again = (view: Partial<RevokeView>, status: number) => html(reply, renderRevokePage(context(request, reply), { certificate, values: { reason, confirm }, ...view }), status);
    if (errors.length > 0) return again({ errors }, 400);
    try {
      await documents.revoke({ id: certificate.id, principal: me, reason, requestId: request.id });
    } catch (error) {
      if (error instanceof TongbanError && error.code === DocumentsErrors.TB_DOCUMENTS_ALREADY_REVOKED) return reply.redirect(revokeHref(certificate.id), 303);
      throw error;
    }
    return reply.redirect(`${revokeHref(certificate.id)}?done=1`, 303);
  });
}
