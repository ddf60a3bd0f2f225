import type { FastifyRequest } from 'fastify';
import { single } from '../../kernel/http/query.js';
import { peerCertificateSha256 } from './certificates.js';
import type { Credentials } from './discovery.js';

/** A single-valued header (a repeated one counts as absent: it cannot be trusted). */
export function header(request: FastifyRequest, name: string): string | undefined {
  return single(request.headers[name]);
}

/**
 * What a calling system presents: the subsystem it names, its Bearer token and, on the systems'
 * TLS port, its client certificate (ADR 43). One place for the exchange, the metaservices and the
 * idempotency check, so they cannot disagree on who is calling.
 */
export function credentialsOf(request: FastifyRequest): Credentials {
  return {
    // X-GovStack-Client is the PubSub spec's name for the same header.
    clientHeader: header(request, 'information-mediator-client') ?? header(request, 'x-road-client') ?? header(request, 'x-govstack-client'),
    authorization: request.headers.authorization,
    certificate: peerCertificateSha256(request.raw.socket),
    verifyToken: (token) => request.server.machineAuth.verifyAccessToken(token),
  };
}
