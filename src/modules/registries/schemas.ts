import { Type } from 'typebox';
import { idempotencyKeyHeader } from '../../kernel/idempotency/index.js';

/**
 * Route schemas of /govstack/registries (GovStack Digital Registries Data API 1.4.0 and Database
 * API 1.1.0). Record content is free-form here: each registry's own JSON Schema checks it.
 */
const TAG = ['govstack-registries'];
const Content = Type.Record(Type.String(), Type.Unknown(), { description: 'A record, or the fields to match, as the registry\'s schema names them' });
const Query = Type.Object({ content: Content });
const Write = Type.Object({ content: Content });

export const registryParams = Type.Object({ registry: Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9-]{0,40}$' }), version: Type.String({ maxLength: 20 }) });
export const recordParams = Type.Object({ ...registryParams.properties, id: Type.String({ minLength: 1, maxLength: 200 }) });
export const valueParams = Type.Object({ ...recordParams.properties, file: Type.String({ minLength: 3, maxLength: 120, description: '<field>.<ext>, ext json' }) });

const headers = Type.Object({
  'information-mediator-client': Type.Optional(Type.String({ description: 'INSTANCE/CLASS/MEMBER/SUBSYSTEM; when given it must be the organisation the token was issued to' })),
  'x-road-issue': Type.Optional(Type.String({ maxLength: 500, description: 'The purpose of a read, or the reason for a change: required (or ?purpose= on GET)' })),
});

export const listSchema = {
  tags: TAG, operationId: 'list', summary: 'Records of a registry: filters (query.<field>=value), prefix search, ordering and paging; each record read is audited',
  params: registryParams, headers,
  querystring: Type.Object({
    search: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'A prefix of the key or of a search field (index range scan); regular expressions are not supported' })),
    filter: Type.Optional(Type.String({ maxLength: 60, description: 'The field `search` applies to (the key or a search field)' })),
    ordering: Type.Optional(Type.String({ maxLength: 40, description: 'ascending | descending (by key), or created / modified with an optional leading -' })),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    purpose: Type.Optional(Type.String({ maxLength: 500 })),
  }, { additionalProperties: true }),
};
/** The creating and changing operations take an Idempotency-Key (ADR 31). */
const keyedHeaders = Type.Object({ ...headers.properties, 'idempotency-key': idempotencyKeyHeader });
export const createSchema = { tags: TAG, operationId: 'create', summary: 'Create a record (owner agency only)', params: registryParams, headers: keyedHeaders, body: Type.Object({ write: Write }) };
export const createEntriesSchema = {
  tags: TAG, operationId: 'createEntries', summary: 'Create several records at once, all or none (owner agency only)', params: registryParams, headers: keyedHeaders,
  body: Type.Object({ write: Type.Array(Write, { minItems: 1, maxItems: 1000 }) }),
};
export const querySchema = (operationId: 'read' | 'exists') => ({
  tags: TAG, operationId, summary: operationId === 'read' ? 'Read one record (audited)' : 'Whether a record matches (audited)', params: registryParams, headers, body: Type.Object({ query: Query }),
});
export const updateSchema = (operationId: 'update' | 'updateEntries' | 'updateOrCreate') => ({
  tags: TAG, operationId, summary: `${operationId} (owner agency only; every change is kept in the record's history${operationId === 'update' ? '' : '; all or none'})`, params: registryParams, headers: keyedHeaders,
  body: Type.Object({ query: Type.Optional(Query), write: Write }),
});
export const deleteSchema = { tags: TAG, operationId: 'delete', summary: 'Delete a record (owner agency only; kept in its history)', params: recordParams, headers: keyedHeaders };
export const readValueSchema = { tags: TAG, operationId: 'readValue', summary: 'One field of one record (audited)', params: valueParams, headers, querystring: Type.Object({ purpose: Type.Optional(Type.String({ maxLength: 500 })) }) };
export const usageSchema = {
  tags: TAG, operationId: 'DPU', summary: 'Who read a person\'s data: the audit trail about them', headers,
  querystring: Type.Object({
    userId: Type.String({ minLength: 1, maxLength: 40, pattern: '^[^\\u0000-\\u001F\\u007F]+$', description: 'The person\'s resident ID number' }),
    databaseId: Type.String({ minLength: 1, maxLength: 60, description: 'A registry code, or `all` for every read of their data' }),
  }),
};

export const databaseParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
export const databasesSchema = { tags: TAG, summary: 'Every registry version (Database API)', headers };
export const databaseSchema = { tags: TAG, summary: 'A registry version with its schema (Database API)', headers, params: databaseParams };
export const deleteDatabaseSchema = { tags: TAG, summary: 'Delete a registry version no record uses (owner agency only)', headers: keyedHeaders, params: databaseParams };
export const modifyDatabaseSchema = {
  tags: TAG, summary: 'Create or change a registry version (owner agency: the caller\'s)', headers: keyedHeaders,
  body: Type.Object({
    groupName: Type.Optional(Type.String({ maxLength: 100 })),
    catalogName: Type.String({ minLength: 1, maxLength: 100, description: 'The registry\'s name' }),
    code: Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9-]{1,40}$', description: 'Short code of the registry' }),
    version: Type.Optional(Type.String({ pattern: '^[0-9A-Za-z.-]{1,20}$', description: 'Tongban extension: the version; the next number when left out' })),
    schema: Type.Object({ type: Type.Literal('object'), properties: Type.Object({}, { additionalProperties: true }) }, { additionalProperties: true, description: 'JSON Schema; one property has primaryKey: true; search fields have searchable: true; the person\'s ID number field personId: true' }),
  }),
};
