import { createServer, type Server } from 'node:https';
import type { FastifyInstance } from 'fastify';

/** What the systems' port serves: exchanges and metaservices, nothing meant for a browser. */
const SYSTEM_PATHS = /^\/(?:r1\/|listClients(?:[?#]|$))/;
/**
 * Nothing stands between a calling system and this port (a balancer passes TCP through), so a
 * forwarded-for header here is the caller's own claim: dropped, or a system on a trusted private
 * network (TONGBAN_TRUST_PROXY) could name any address for the rate limiter and the logs.
 */
const FORWARDED = ['forwarded', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port'];

export interface SystemsListenerOptions {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** The mediator's own TLS certificate chain and key, PEM. */
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}

/**
 * The systems' TLS port (ADR 43): the same app, reached over HTTPS that asks every client for a
 * certificate. A client may present none (it then needs a Bearer token) or one no authority signed:
 * the handshake proves it holds the key, and the mediator accepts only certificates registered
 * for the subsystem the call names (pinned by SHA-256), so `rejectUnauthorized` is off on purpose.
 * A separate port, so browsers on the public address are never asked for a certificate.
 */
export async function listenForSystems(app: FastifyInstance, options: SystemsListenerOptions): Promise<Server> {
  const server = createServer({ cert: options.cert, key: options.key, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' }, (request, response) => {
    if (SYSTEM_PATHS.test(request.url ?? '')) {
      for (const name of FORWARDED) delete request.headers[name];
      app.routing(request, response);
      return;
    }
    const body = JSON.stringify({
      type: 'https://tongban.dev/errors/TB_KERNEL_NOT_FOUND', title: 'Not found', status: 404, code: 'TB_KERNEL_NOT_FOUND', instance: (request.url ?? '/').split('?')[0],
      detail: 'The systems\' TLS port serves /r1/... and /listClients only; people use the public address',
    });
    response.writeHead(404, { 'content-type': 'application/problem+json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** Stops accepting, ends idle keep-alive connections, and waits for requests in flight. */
export function closeSystemsListener(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => { resolve(); });
    server.closeIdleConnections();
  });
}
