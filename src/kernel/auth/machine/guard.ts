import type { FastifyRequest } from 'fastify';
import { TongbanError } from '../../http/index.js';
import './errors.js';
import './plugin-types.js';

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * A preHandler for API routes called by other agencies' systems: verifies the Bearer access
 * token issued by POST /oauth/token, requires `scope`, and sets `request.client`. Answers
 * problem+json 401 (with WWW-Authenticate, RFC 6750 §3) or 403 for a missing scope.
 */
export function requireClientScope(scope: string): (request: FastifyRequest) => Promise<void> {
  if (!SCOPE.test(scope)) throw new Error(`"${scope}" is not a valid scope name`);
  return async function requireClient(request: FastifyRequest): Promise<void> {
    if (!request.server.hasDecorator('machineAuth')) throw new Error('requireClientScope needs machineAuthPlugin registered first');
    const header = request.headers.authorization;
    // RFC 6750 §3.1: a request with no credentials at all gets a challenge without an error code.
    if (header === undefined || header === '') {
      throw new TongbanError('TB_AUTH_CLIENT_TOKEN_MISSING', { headers: { 'www-authenticate': `Bearer scope="${scope}"` } });
    }
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) {
      throw new TongbanError('TB_AUTH_CLIENT_TOKEN_INVALID', {
        detail: 'Send the access token as "Authorization: Bearer <token>"',
        headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      });
    }
    const client = await request.server.machineAuth.verifyAccessToken(token);
    if (!client.scopes.includes(scope)) {
      throw new TongbanError('TB_AUTH_CLIENT_SCOPE_MISSING', {
        detail: `This call needs the scope ${scope}`,
        headers: { 'www-authenticate': `Bearer error="insufficient_scope", scope="${scope}"` },
      });
    }
    request.client = client;
  };
}
