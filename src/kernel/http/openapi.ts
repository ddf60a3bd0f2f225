import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config/index.js';
import { docsCspDirectives, serializeCsp } from './csp.js';

export interface OpenApiOptions {
  readonly config: Pick<Config, 'publicUrl' | 'oidc'>;
}

/** The name of the session cookie in the security scheme; the auth layer sets the cookie. */
export const SESSION_COOKIE_SCHEME = 'tb_session';

function packageVersion(): string {
  const raw = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
  const parsed = JSON.parse(raw) as { version?: unknown };
  return typeof parsed.version === 'string' ? parsed.version : '0.0.0';
}

/**
 * The OpenAPI 3.1 description of every route with a schema, built from the route schemas, at
 * GET /openapi.json, and an interactive reference at /docs. Routes with `schema.hide` and pages
 * (`config.page`) are left out: pages answer people, not programs. Register this before any
 * route, since @fastify/swagger collects routes as they are added.
 */
export const openApiPlugin = fp<OpenApiOptions>(async function openApi(app: FastifyInstance, options) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tongban API',
        version: packageVersion(),
        description: 'Errors are RFC 9457 problem+json with a registered `code`; see docs/errors.md.',
      },
      servers: [{ url: options.config.publicUrl }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token of an API client' },
          cookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE_SCHEME, description: 'Session of a signed-in person' },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const hidden = route.config?.page === true;
      return { schema: hidden ? { ...schema, hide: true } : schema, url };
    },
  });

  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: serializeCsp(docsCspDirectives(options.config)),
    uiConfig: { deepLinking: true },
  });

  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
}, { name: 'tongban-openapi' });
