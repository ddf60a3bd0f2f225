import { Type } from 'typebox';
import { CATEGORIES, LIFE_EVENTS, type Category, type LifeEvent } from './taxonomy.js';

/** Route schemas of /api/catalog: they validate requests and describe the API in OpenAPI. */
const Localized = Type.Object({ 'zh-CN': Type.String(), en: Type.String() });

const ServiceSummary = Type.Object({
  id: Type.String({ format: 'uuid' }),
  slug: Type.String(),
  agencyCode: Type.String(),
  version: Type.Integer({ minimum: 1 }),
  listed: Type.Boolean(),
  category: Type.Unsafe<Category>({ type: 'string', enum: [...CATEGORIES] }),
  lifeEvents: Type.Array(Type.Unsafe<LifeEvent>({ type: 'string', enum: [...LIFE_EVENTS] })),
  name: Localized,
  summary: Localized,
});

const ServiceVersion = Type.Object({
  id: Type.String({ format: 'uuid' }),
  slug: Type.String(),
  agencyCode: Type.String(),
  version: Type.Integer({ minimum: 1 }),
  currentVersion: Type.Integer({ minimum: 1 }),
  listed: Type.Boolean(),
  contentHash: Type.String(),
  publishedAt: Type.String({ format: 'date-time' }),
  publishedBy: Type.String(),
  definition: Type.Object({}, { additionalProperties: true, description: 'A service definition: see docs/service-definition.schema.json' }),
});

const Agency = Type.Object({
  code: Type.String(),
  name: Localized,
  contact: Type.Object({
    phone: Type.String(),
    email: Type.Optional(Type.String()),
    website: Type.Optional(Type.String()),
    address: Localized,
    hours: Type.Optional(Localized),
  }),
});

const Problem = Type.Object({
  type: Type.String(), title: Type.String(), status: Type.Integer(), code: Type.String(), instance: Type.String(), requestId: Type.String(),
  detail: Type.Optional(Type.String()),
  errors: Type.Optional(Type.Array(Type.Object({ pointer: Type.String(), detail: Type.String(), code: Type.String() }))),
}, { description: 'RFC 9457 problem details' });

/** Either a signed-in session (pages, the admin UI) or an API client's bearer token. */
const security: { [scheme: string]: string[] }[] = [{ cookie: [] }, { bearer: [] }];

const IdOrSlug = Type.Object({ idOrSlug: Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001F\\u007F]+$', description: 'The service UUID or its slug' }) });

export const listServicesSchema = {
  tags: ['catalog'],
  summary: 'Search the published services',
  querystring: Type.Object({
    q: Type.Optional(Type.String({ maxLength: 200, pattern: '^[^\\u0000]*$', description: 'Words to find in names, keywords and guidance (either language)' })),
    category: Type.Optional(Type.String({ maxLength: 60 })),
    lifeEvent: Type.Optional(Type.String({ maxLength: 60 })),
    lang: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')], { description: 'Orders results of equal rank by name in this language' })),
  }),
  response: { 200: Type.Object({ services: Type.Array(ServiceSummary) }) },
};

export const getServiceSchema = {
  tags: ['catalog'],
  summary: 'One service: its current version, or the version asked for',
  params: IdOrSlug,
  querystring: Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })) }),
  response: { 200: ServiceVersion, 404: Problem },
};

export const publishServiceSchema = {
  tags: ['catalog'],
  summary: 'Publish a service definition (agency_admin of its agency, or platform_admin)',
  description: 'Creates the service, adds a version when the definition changed, or changes nothing when it is the same as the current version.',
  security,
  body: Type.Object({}, { additionalProperties: true, description: 'A service definition: see docs/service-definition.schema.json' }),
  response: {
    200: Type.Object({ outcome: Type.Union([Type.Literal('updated'), Type.Literal('unchanged')]), id: Type.String(), slug: Type.String(), version: Type.Integer() }),
    201: Type.Object({ outcome: Type.Literal('created'), id: Type.String(), slug: Type.String(), version: Type.Integer() }),
    401: Problem, 403: Problem, 409: Problem, 422: Problem,
  },
};

export const listingSchema = (summary: string) => ({
  tags: ['catalog'],
  summary,
  security,
  params: IdOrSlug,
  response: { 200: ServiceSummary, 401: Problem, 403: Problem, 404: Problem },
});

export const listAgenciesSchema = {
  tags: ['catalog'],
  summary: 'The agencies that provide services',
  response: { 200: Type.Object({ agencies: Type.Array(Agency) }) },
};

export const browseQuerySchema = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  category: Type.Optional(Type.String({ maxLength: 60 })),
  lifeEvent: Type.Optional(Type.String({ maxLength: 60 })),
});

export const startPageParamsSchema = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 100 }) });
