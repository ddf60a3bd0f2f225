import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TongbanError } from '../../kernel/http/index.js';
import { credentialsOf, header } from './credentials.js';
import { BODY_TOO_LARGE, type MediatorService } from './service.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Reads the request body as bytes whatever its type (the mediator passes it on untouched), up to
 * the limit. A larger body is not read to the end: the exchange is refused (and logged) with 413.
 */
function rawBodyParser(limit: number) {
  return (_request: FastifyRequest, payload: NodeJS.ReadableStream, done: (error: Error | null, body?: unknown) => void) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    const finish = (body: unknown) => {
      if (finished) return;
      finished = true;
      done(null, body);
    };
    payload.on('data', (chunk: Buffer) => {
      if (finished) return;
      size += chunk.length;
      if (size > limit) {
        finish(BODY_TOO_LARGE);
        return;
      }
      chunks.push(chunk);
    });
    payload.on('end', () => finish(Buffer.concat(chunks)));
    payload.on('error', (error: Error) => {
      if (finished) return;
      finished = true;
      done(error);
    });
  };
}

/** `/r1/{instance}/{class}/{member}/{subsystem}/{service}/{path…}`: every exchange between systems. */
export async function registerProxyRoutes(scope: FastifyInstance, mediator: MediatorService): Promise<void> {
  await scope.register((proxy, _options, done) => {
    proxy.removeAllContentTypeParsers();
    proxy.addContentTypeParser('*', rawBodyParser(mediator.maxBodyBytes));
    // Machine-to-machine answers: helmet's page headers (CSP, frame and opener policies) mean
    // nothing to a calling system and cost a few percent of an exchange's CPU (docs/adr/0016), so
    // /r1 skips helmet and keeps the two headers that matter to any HTTP client.
    proxy.addHook('onRequest', (_request, reply, done) => {
      reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains').header('x-content-type-options', 'nosniff');
      done();
    });

    const handle = async (request: FastifyRequest, reply: FastifyReply) => {
      const params = request.params as Record<string, string>;
      const [rawPath = '', rawQuery] = request.url.split(/\?(.*)/s, 2);
      // The path below the service as received (still percent-encoded), so it reaches the provider unchanged.
      const below = rawPath.split('/').slice(7).join('/');
      const body = request.body === BODY_TOO_LARGE ? BODY_TOO_LARGE : Buffer.isBuffer(request.body) ? request.body : undefined;
      // A keyed write is forwarded once per client and key; a retry gets the first answer (ADR 31).
      const result = await mediator.idempotency.around(request, () => mediator.exchange({
        method: request.method,
        service: { instance: params.instance ?? '', memberClass: params.memberClass ?? '', member: params.member ?? '', subsystem: params.subsystem ?? '', code: params.service ?? '' },
        path: `/${below}`,
        query: rawQuery ? `?${rawQuery}` : '',
        ...credentialsOf(request),
        userId: header(request, 'x-road-userid'),
        issue: header(request, 'x-road-issue'),
        requestId: request.id,
        contentType: header(request, 'content-type'),
        accept: header(request, 'accept'),
        idempotencyKey: header(request, 'idempotency-key'),
        body,
      }));
      if (result.error) {
        const { code, detail, headers, cause } = result.error;
        // The denial line says which system was refused which service (ids, not personal data), so it
        // reads on its own without joining the message log.
        const logged = { service: result.serviceId.slice(0, 300), ...(result.client === undefined ? {} : { client: result.client.slice(0, 300) }) };
        throw new TongbanError(code, { ...(detail !== undefined ? { detail } : {}), cause, headers: { ...headers, 'x-road-id': result.messageId }, logged });
      }
      return reply.status(result.status).headers(result.headers).header('x-road-id', result.messageId).send(result.body);
    };

    const base = '/r1/:instance/:memberClass/:member/:subsystem/:service';
    for (const url of [base, `${base}/*`]) {
      proxy.route({ method: [...METHODS], url, exposeHeadRoute: false, helmet: false, config: { csrf: false }, schema: { hide: true }, handler: handle });
    }
    done();
  });
}
