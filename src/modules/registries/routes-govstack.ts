import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditRecord } from '../../kernel/audit/types.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import { idempotentAnswer } from '../../kernel/idempotency/index.js';
import { agencyOf, readerOf, requireScope, SCOPES, writerOf } from './caller.js';
import { RegistriesErrors } from './errors.js';
import { registerDatabaseRoutes } from './routes-database.js';
import {
  createEntriesSchema, createSchema, deleteSchema, listSchema, querySchema, readValueSchema, updateSchema, usageSchema,
} from './schemas.js';
import { matchesOf, typedFilters, type Match, type RegistriesService, type Registry, type RegistryRecord } from './service.js';

type Params = { registry: string; version: string };

/** The spec's camelCase operation paths and the kebab-case forms published GovStack clients call. */
const both = (camel: string, kebab: string): string[] => [camel, kebab];
/** The kebab-case alias is left out of /openapi.json: one operation, one operationId. */
const once = <S extends object>(url: string, schema: S): S => (/[a-z]-[a-z]/.test(url) ? { ...schema, hide: true } : schema);

const ORDERINGS: Record<string, { by: 'key' | 'created_at' | 'modified_at'; direction: 'asc' | 'desc' }> = {
  ascending: { by: 'key', direction: 'asc' }, descending: { by: 'key', direction: 'desc' },
  created: { by: 'created_at', direction: 'asc' }, '-created': { by: 'created_at', direction: 'desc' },
  modified: { by: 'modified_at', direction: 'asc' }, '-modified': { by: 'modified_at', direction: 'desc' },
};

/** A Data wrapper as the spec's createEntries answers it. */
// Dates may come back as strings (an Idempotency-Key replay renders the kept result: ADR 31).
const wrapped = (record: RegistryRecord) => ({ content: record.data, createdAt: new Date(record.createdAt).toISOString(), modifiedAt: new Date(record.modifiedAt).toISOString(), uuid: record.id });

/** An audit record as the spec's personalDataUsage. */
export function usageOf(record: AuditRecord) {
  return {
    id: record.id,
    readerId: record.actor.id,
    ...(record.actor.organisation ? { readerInstitutionId: record.actor.organisation, readerInstitutionName: record.actor.organisation } : {}),
    readerApplicationName: record.actor.kind === 'client' ? record.actor.id : 'Tongban',
    searchDateTime: record.at.toISOString(),
    // The spec's own spelling.
    refrences: record.resource ? [{ ReferenceId: record.resource.id }] : [],
    purpose: record.purpose ?? '',
    action: record.action,
  };
}

/** GovStack Digital Registries Data API under /govstack/registries/data. */
export function registerGovstackRoutes(scope: FastifyInstance, deps: { kernel: Kernel; registries: RegistriesService }): void {
  const { registries } = deps;
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const registryOf = (params: Params): Promise<Registry> => registries.registry(params.registry.toLowerCase(), params.version);
  const read = { preHandler: requireScope(SCOPES.read) };
  const write = { preHandler: requireScope(SCOPES.write) };

  app.get('/data/:registry/:version', { ...read, schema: listSchema }, async (request) => {
    const registry = await registryOf(request.params);
    const { page = 1, pageSize = 20, search, filter, ordering = 'ascending' } = request.query;
    const order = ORDERINGS[ordering];
    if (!order) throw new TongbanError(RegistriesErrors.TB_REGISTRIES_INVALID_QUERY, { fields: [{ pointer: '/ordering', message: 'registries.error.invalidQuery', detail: `one of ${Object.keys(ORDERINGS).join(', ')}` }] });
    const filters = Object.fromEntries(Object.entries(request.query as Record<string, unknown>).flatMap(([k, v]) => (k.startsWith('query.') ? [[k.slice(6), v]] : [])));
    const matches: Match[] = Object.keys(filters).length > 0 ? matchesOf(registry, typedFilters(registry, filters)) : [];
    if (search !== undefined) matches.push(searchMatch(registry, search, filter));
    const { records, total } = await registries.records.list(registry, { matches, order, page, pageSize }, readerOf(request));
    const link = (n: number) => pageUrl(request, n);
    return {
      count: total, results: records.map((r) => r.data),
      ...(page * pageSize < total ? { next: link(page + 1) } : {}), ...(page > 1 ? { previous: link(page - 1) } : {}),
    };
  });

  // With an Idempotency-Key a retry gets the first answer and creates nothing twice (ADR 31).
  app.post('/data/:registry/:version/create', { ...write, schema: createSchema }, async (request, reply) =>
    idempotentAnswer(deps.kernel, request, reply,
      async (idempotency) => registries.records.create(await registryOf(request.params), request.body.write.content, writerOf(request), idempotency),
      (record: Pick<RegistryRecord, 'data'>) => ({ status: 200, body: { content: record.data } })));

  for (const url of both('/data/:registry/:version/createEntries', '/data/:registry/:version/create-entries')) {
    app.post(url, { ...write, schema: once(url, createEntriesSchema) }, async (request, reply) =>
      idempotentAnswer(deps.kernel, request, reply,
        async (idempotency) => registries.records.createMany(await registryOf(request.params), request.body.write.map((entry) => entry.content), writerOf(request), idempotency),
        (created: RegistryRecord[]) => ({ status: 201, body: { receive: created.map(wrapped) } })));
  }

  app.post('/data/:registry/:version/exists', { ...read, schema: querySchema('exists') }, async (request) => {
    const found = await registries.records.exists(await registryOf(request.params), request.body.query.content, readerOf(request));
    return { answer: { status: found, message: found ? 'Object found from database' : 'Object not found from database' } };
  });

  app.post('/data/:registry/:version/read', { ...read, schema: querySchema('read') }, async (request) => {
    const record = await registries.records.read(await registryOf(request.params), request.body.query.content, readerOf(request));
    // The spec's 404 body is `{ detail: "no record found" }`: the problem's detail says exactly that.
    if (!record) throw new TongbanError(RegistriesErrors.TB_REGISTRIES_NOT_FOUND, { detail: 'no record found' });
    return { content: record.data };
  });

  // Updates and deletes take an Idempotency-Key too: a retry changes nothing twice (no second
  // history entry) and gets the first answer, where without a key a retried delete finds nothing.
  // The record's data is as stored (jsonb's order of keys), so an answer rebuilt from the kept
  // result is the same bytes.
  const answerOf = (record: Pick<RegistryRecord, 'data'>) => ({ status: 200, body: { content: record.data } });

  app.put('/data/:registry/:version/update', { ...write, schema: updateSchema('update') }, async (request, reply) =>
    idempotentAnswer(deps.kernel, request, reply, async (idempotency) => {
      const registry = await registryOf(request.params);
      const query = request.body.query?.content ?? keyQuery(registry, request.body.write.content);
      return registries.records.update(registry, query, request.body.write.content, writerOf(request), idempotency);
    }, answerOf));

  for (const url of both('/data/:registry/:version/updateEntries', '/data/:registry/:version/update-entries')) {
    app.put(url, { ...write, schema: once(url, updateSchema('updateEntries')) }, async (request, reply) =>
      idempotentAnswer(deps.kernel, request, reply, async (idempotency) => {
        const registry = await registryOf(request.params);
        const query = request.body.query?.content ?? keyQuery(registry, request.body.write.content);
        return registries.records.updateEntries(registry, query, request.body.write.content, writerOf(request), idempotency);
      }, (updated: number) => ({ status: 200, body: { updated } })));
  }

  for (const url of both('/data/:registry/:version/updateOrCreate', '/data/:registry/:version/update-or-create')) {
    app.post(url, { ...write, schema: once(url, updateSchema('updateOrCreate')) }, async (request, reply) =>
      idempotentAnswer(deps.kernel, request, reply,
        async (idempotency) => registries.records.updateOrCreate(await registryOf(request.params), request.body.query?.content, request.body.write.content, writerOf(request), idempotency),
        (result: { record: Pick<RegistryRecord, 'data'> }) => answerOf(result.record)));
  }

  app.delete('/data/:registry/:version/:id/delete', { ...write, schema: deleteSchema }, async (request, reply) =>
    idempotentAnswer(deps.kernel, request, reply, async (idempotency) => {
      await registries.records.remove(await registryOf(request.params), request.params.id, writerOf(request), idempotency);
    }, () => ({ status: 204, body: undefined })));

  for (const url of both('/data/:registry/:version/:id/readValue/:file', '/data/:registry/:version/:id/read-value/:file')) {
    app.get(url, { ...read, schema: once(url, readValueSchema) }, async (request) => {
      const registry = await registryOf(request.params);
      const dot = request.params.file.lastIndexOf('.');
      const field = dot > 0 ? request.params.file.slice(0, dot) : request.params.file;
      if (dot > 0 && request.params.file.slice(dot + 1) !== 'json') {
        throw new TongbanError(RegistriesErrors.TB_REGISTRIES_INVALID_QUERY, { fields: [{ pointer: '/file', message: 'registries.error.invalidQuery', detail: 'the format is json' }] });
      }
      if (!(field in ((registry.schema.properties as object | undefined) ?? {}))) {
        throw new TongbanError(RegistriesErrors.TB_REGISTRIES_INVALID_QUERY, { fields: [{ pointer: '/field', message: 'registries.error.unknownField', detail: `${registry.code} has no field ${field}` }] });
      }
      const record = await registries.records.read(registry, { [registry.keyField]: request.params.id }, readerOf(request), [field]);
      if (!record) throw new TongbanError(RegistriesErrors.TB_REGISTRIES_NOT_FOUND, { detail: 'no record found' });
      return { value: record.data[field] ?? null };
    });
  }

  for (const url of ['/data/mypersonalDataUsage', '/data/MyPersonalDataUsage', '/data/my-personal-data-usage']) {
    app.get(url, { preHandler: requireScope(SCOPES.usage), schema: { ...usageSchema, ...(url === '/data/mypersonalDataUsage' ? {} : { hide: true }) } }, async (request) => {
      const { userId, databaseId } = request.query;
      // A system tells of the uses of its own agency's registries only; asking is audited about the person.
      const trail = await registries.usageForAgency({ idNumber: userId.trim().toUpperCase(), registry: databaseId, agency: agencyOf(request.client!), reader: readerOf(request) });
      return trail.filter((r) => r.purpose !== undefined || r.action.endsWith('.read')).map(usageOf);
    });
  }

  registerDatabaseRoutes(app, deps);
}

/** A free-text search as an index range scan: on one field (`filter`), or on the key and every search field. */
function searchMatch(registry: Registry, search: string, filter: string | undefined): Match {
  if (filter === undefined) return { kind: 'anyPrefix', fields: registry.searchFields, value: search };
  if (filter === registry.keyField) return { kind: 'anyPrefix', fields: [], value: search };
  if (registry.searchFields.includes(filter)) return { kind: 'search', field: filter, value: search, prefix: true };
  throw new TongbanError(RegistriesErrors.TB_REGISTRIES_INVALID_QUERY, {
    fields: [{ pointer: '/filter', message: 'registries.error.unknownField', detail: `search works on ${[registry.keyField, ...registry.searchFields].join(', ')}` }],
  });
}

/** Without a query, a write names its record by its key. */
function keyQuery(registry: Registry, content: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const key = content[registry.keyField];
  if (typeof key !== 'string') throw new TongbanError(RegistriesErrors.TB_REGISTRIES_INVALID_QUERY, { detail: `Give query.content or ${registry.keyField} in write.content` });
  return { [registry.keyField]: key };
}

function pageUrl(request: FastifyRequest, page: number): string {
  const url = new URL(request.url, `${request.protocol}://${request.host}`);
  url.searchParams.set('page', String(page));
  return url.toString();
}
