import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Logger } from 'pino';
import type { Built } from '../../app.js';
import { buildApp } from '../../app.js';
import { createClientAssertion, seedDemoClient, tokenRequestBody } from '../../kernel/auth/machine/index.js';
import { loadConfig } from '../../kernel/config/index.js';
import type { TestDatabase } from '../../../test/helpers/databases.js';
import { toJsonSchema, type Json } from '../../../test/helpers/openapi.js';
import { modules } from '../index.js';

/**
 * Test support: an app with the demo data, access tokens for calling systems, and the GovStack
 * spec's own response schemas compiled with Ajv (so answers are checked against what GovStack
 * wrote, not against our copy of it).
 */
export const PUBLIC_URL = 'http://tongban.test';

/** `logger`: the app's log (e.g. into a test's sink), else the configuration's. */
export async function registriesApp(use: () => TestDatabase, seeded: readonly string[] = ['identity', 'registries'], logger?: Logger): Promise<Built> {
  const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
  const built = await buildApp({ config: { ...base, database: use().config.database, limits: { ...base.limits, signInAttemptsPerMinute: 1000 } }, database: use().database, ...(logger ? { logger } : {}) });
  await built.app.ready();
  for (const mod of modules.filter((m) => seeded.includes(m.name))) await mod.seed?.({ kernel: built.kernel, services: built.services });
  return built;
}

/** An access token for a calling system of `organisation`, through POST /oauth/token. */
export async function tokenFor(built: Built, clientId: string, organisation: string, scopes: readonly string[]): Promise<string> {
  const demo = await seedDemoClient(built.kernel.db, { clientId, name: clientId, organisation, scopes: [...scopes] });
  const assertion = await createClientAssertion({ clientId, privateJwk: demo.privateJwk, audience: built.app.machineAuth.tokenUrl });
  const response = await built.app.inject({
    method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: tokenRequestBody(assertion, scopes),
  });
  if (response.statusCode !== 200) throw new Error(`token request failed: ${response.body}`);
  return response.json<{ access_token: string }>().access_token;
}

const SPEC_FILES = { data: 'GovStack_Digital_registries_BB_Data_API_template-1.3.0.json', database: 'GovStack_Digital_registries_BB_Database_API_template-1.3.0.json' } as const;
export type SpecFile = keyof typeof SPEC_FILES;

function loadSpec(file: SpecFile): { paths: Record<string, Record<string, Json>>; components: Record<string, Record<string, Json>> } {
  return JSON.parse(readFileSync(new URL(`./spec/${SPEC_FILES[file]}`, import.meta.url), 'utf8')) as never;
}

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
for (const file of Object.keys(SPEC_FILES) as SpecFile[]) {
  const schemas = loadSpec(file).components.schemas ?? {};
  // Upstream refers to `DatabasesSchema` but defines `databasesSchema` (spec/SOURCES.md): both names resolve.
  const definitions = { ...schemas, ...Object.fromEntries(Object.entries(schemas).map(([k, v]) => [k[0]!.toUpperCase() + k.slice(1), v])) };
  ajv.addSchema(JSON.parse(JSON.stringify({ $id: `spec-${file}`, definitions: toJsonSchema(definitions) }).replaceAll('"#/components/schemas/', `"spec-${file}#/definitions/`)) as object);
}
const compiled = new Map<string, ValidateFunction>();

/** The errors of `body` against the spec's response schema of an operation (empty when it conforms). */
export function specViolations(file: SpecFile, path: string, method: string, status: string, body: unknown): string[] {
  const key = `${file} ${method} ${path} ${status}`;
  let validate = compiled.get(key);
  if (!validate) {
    const operation = loadSpec(file).paths[path]?.[method] as { responses?: Record<string, { content?: Record<string, { schema?: Json }> }> } | undefined;
    const schema = Object.values(operation?.responses?.[status]?.content ?? {})[0]?.schema;
    if (schema === undefined) throw new Error(`The spec declares no response schema for ${key}`);
    validate = ajv.compile(JSON.parse(JSON.stringify(toJsonSchema(schema)).replaceAll('"#/components/schemas/', `"spec-${file}#/definitions/`)) as object);
    compiled.set(key, validate);
  }
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
