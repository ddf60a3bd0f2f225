import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import { idempotentAnswer } from '../../kernel/idempotency/index.js';
import { actorOf, agencyOf, requireScope, SCOPES } from './caller.js';
import { RegistriesErrors } from './errors.js';
import { databaseSchema, databasesSchema, deleteDatabaseSchema, modifyDatabaseSchema } from './schemas.js';
import type { RegistriesService, Registry } from './service.js';

/** A registry version as the Database API's DatabaseInfo. */
function infoOf(registry: Registry, records: number) {
  return {
    id: registry.id, version: registry.version, name: registry.code, description: registry.name.en, institution: registry.owner,
    numberFormat: `{${registry.keyField}}`, schema: registry.schema,
    schemaTags: registry.searchFields.map((field) => ({ name: field, path: `/${field}`, isFulltext: false })),
    schemaFlags: [{ name: 'primaryKey', path: `/${registry.keyField}` }, ...(registry.personField ? [{ name: 'personId', path: `/${registry.personField}` }] : [])],
    fieldsUniques: [[registry.keyField]], isDraft: false, isDisabled: false, isArchived: false,
    modifiedAt: registry.createdAt.toISOString(), dataIndexIncrement: records,
  };
}

const flagged = (properties: Record<string, unknown>, flag: string): string[] =>
  Object.entries(properties).flatMap(([name, p]) => (p !== null && typeof p === 'object' && (p as Record<string, unknown>)[flag] === true ? [name] : []));

/** GovStack Digital Registries Database API: registry versions and their schemas. */
export function registerDatabaseRoutes(scope: FastifyInstance, deps: { kernel: Kernel; registries: RegistriesService }): void {
  const { registries, kernel } = deps;
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/databases', { preHandler: requireScope(SCOPES.read), schema: databasesSchema }, async () => {
    const all = await registries.catalog.all();
    const databases = await Promise.all(all.map(async (r) => infoOf(r, await registries.count(r.code))));
    return { id: 1, name: 'Tongban registries', code: 'TONGBAN', databases, groupId: 1, order: 1, dataIndexIncrement: databases.length };
  });

  app.get('/database/:id', { preHandler: requireScope(SCOPES.read), schema: databaseSchema }, async (request) => {
    const registry = await registries.catalog.byId(request.params.id);
    return infoOf(registry, await registries.count(registry.code));
  });

  // With an Idempotency-Key a retry gets the first answer and writes no second version or audit record (ADR 31).
  app.post('/database/modify', { preHandler: requireScope(SCOPES.schema), schema: modifyDatabaseSchema }, async (request, reply) =>
    idempotentAnswer(kernel, request, reply, async (idempotency) => {
      const { code: rawCode, catalogName, schema } = request.body;
      const code = rawCode.toLowerCase();
      const owner = agencyOf(request.client!);
      const versions = (await registries.catalog.all()).filter((r) => r.code === code);
      if (versions.some((r) => r.owner !== owner)) throw new TongbanError(RegistriesErrors.TB_REGISTRIES_FORBIDDEN, { detail: `${code} belongs to ${versions[0]?.owner ?? ''}` });
      const properties = schema.properties as Record<string, unknown>;
      const [keyField, ...others] = flagged(properties, 'primaryKey');
      if (keyField === undefined || others.length > 0) {
        throw new TongbanError(RegistriesErrors.TB_REGISTRIES_INVALID_SCHEMA, { fields: [{ pointer: '/schema/properties', message: 'registries.error.invalidSchema', detail: 'mark exactly one property primaryKey: true' }] });
      }
      const numbered = versions.map((r) => Number(r.version)).filter(Number.isInteger);
      const version = request.body.version ?? String(Math.max(0, ...numbered) + 1);
      const person = flagged(properties, 'personId')[0];
      const saved = await registries.saveVersion({
        code, version, owner, keyField, searchFields: flagged(properties, 'searchable'), personField: person,
        name: { 'zh-CN': catalogName, en: catalogName }, schema,
      }, { actor: actorOf(request), requestId: String(request.id) }, idempotency);
      // The schema as stored (jsonb's order of keys): a replay rebuilt from the kept result answers the same bytes.
      return { schema: saved.schema };
    }, (saved: { schema: Record<string, unknown> }) => ({ status: 200, body: saved.schema })));

  // The spec answers a JSON string.
  app.delete('/database/:id', { preHandler: requireScope(SCOPES.schema), schema: deleteDatabaseSchema }, async (request, reply) =>
    idempotentAnswer(kernel, request, reply, async (idempotency) => {
      const registry = await registries.catalog.byId(request.params.id);
      if (registry.owner !== agencyOf(request.client!)) throw new TongbanError(RegistriesErrors.TB_REGISTRIES_FORBIDDEN, { detail: `${registry.code} belongs to ${registry.owner}` });
      await registries.removeVersion(registry, { actor: actorOf(request), requestId: String(request.id) }, idempotency);
    }, () => ({ status: 200, body: JSON.stringify('Success'), headers: { 'content-type': 'application/json; charset=utf-8' } })));
}
