import type { MachineClient } from './tokens.js';

/** What machineAuthPlugin adds to every Fastify instance and request. */
export interface MachineAuth {
  /** `${publicUrl}/oauth/token`: the audience client assertions name. */
  readonly tokenUrl: string;
  /** Issuer (and audience) of access tokens: the platform's public URL. */
  readonly issuer: string;
  /** Verifies a Bearer access token; throws TB_AUTH_CLIENT_TOKEN_INVALID. Scope is the caller's to check. */
  verifyAccessToken(token: string): Promise<MachineClient>;
}

declare module 'fastify' {
  interface FastifyInstance {
    machineAuth: MachineAuth;
  }
  interface FastifyRequest {
    /** The calling system, once requireClientScope has let the request through; otherwise null. */
    client: MachineClient | null;
  }
}
