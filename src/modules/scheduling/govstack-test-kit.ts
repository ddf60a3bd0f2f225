import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { Built } from '../../app.js';
import { createClientAssertion, seedDemoClient, tokenRequestBody } from '../../kernel/auth/machine/index.js';
import { toJsonSchema } from '../../../test/helpers/openapi.js';
import { SCHEDULER_BASE } from './routes-govstack.js';

/** Test support for the GovStack Scheduler API: the spec's schemas and a client of the API. */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export const schedulerSpec = JSON.parse(readFileSync(new URL('./spec/Govstack_scheduler_BB_APIs.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, Json>>; components: { schemas: Json };
};
// The spec's `url` fields hold values like "psrk@gmail.com": the format is not checked.
const ajv = new Ajv({ allErrors: true, strict: false, formats: { url: true } });
ajv.addSchema(JSON.parse(JSON.stringify({ $id: 'scheduler', definitions: toJsonSchema(schedulerSpec.components.schemas) }).replaceAll('"#/components/schemas/', '"scheduler#/definitions/')) as object);

/** Errors of `body` against the spec's 200 response schema of an operation (empty when it conforms). */
export function violations(path: string, method: string, body: unknown): string[] {
  const operation = schedulerSpec.paths[path]?.[method] as { responses: Record<string, { content?: Record<string, { schema: Json }> }> };
  const schema = Object.values(operation.responses['200']?.content ?? {})[0]?.schema;
  if (schema === undefined) throw new Error(`no response schema for ${method} ${path}`);
  const validate = ajv.compile(JSON.parse(JSON.stringify(toJsonSchema(schema)).replaceAll('"#/components/schemas/', '"scheduler#/definitions/')) as object);
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

/** Agencies' systems calling the API: `token` registers one, `call` sends a request as it (members JSON-encoded, form style). */
export function schedulerClient(built: () => Built, now: () => Date) {
  const tokens = new Map<string, string>();
  return {
    token: async (name: string, clientId: string, organisation: string, scopes: string[]): Promise<void> => {
      const { app, kernel } = built();
      const demo = await seedDemoClient(kernel.db, { clientId, name: clientId, organisation, scopes });
      const assertion = await createClientAssertion({ clientId, privateJwk: demo.privateJwk, audience: app.machineAuth.tokenUrl, now: now() });
      const res = await app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: tokenRequestBody(assertion, scopes) });
      tokens.set(name, res.json<{ access_token: string }>().access_token);
    },
    tokenOf: (name: string): string => tokens.get(name) ?? '',
    call: (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, as: string | undefined, query: Record<string, unknown> = {}) => {
      const params = new URLSearchParams({ requestor_id: 'psb-case-system', request_token: 'Organizer' });
      for (const [k, v] of Object.entries(query)) params.set(k, typeof v === 'string' ? v : JSON.stringify(v));
      return built().app.inject({
        method, url: `${SCHEDULER_BASE}${path}?${params.toString()}`,
        headers: { accept: 'application/json', 'accept-language': 'en', ...(as ? { authorization: `Bearer ${tokens.get(as) ?? ''}` } : {}) },
      });
    },
  };
}
