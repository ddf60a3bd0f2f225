import { Type } from 'typebox';

/**
 * Route schemas of /govstack/registration, mirroring the components of the GovStack Registration
 * BB API 0.1.1 so that /openapi.json describes the same shapes (tested against the spec's own).
 */
export const TAG = 'govstack-registration';

export const Problem = Type.Object({
  type: Type.String(), title: Type.String(), status: Type.Integer(), code: Type.String(), instance: Type.String(), requestId: Type.String(),
  detail: Type.Optional(Type.String()),
  errors: Type.Optional(Type.Array(Type.Object({ pointer: Type.String(), detail: Type.String(), code: Type.String() }))),
}, { description: 'RFC 9457 problem details' });

/** INSTANCE/CLASS/MEMBER/SUBSYSTEM, e.g. `CN/GOV/110000-PSB/population-system`. */
export const MEDIATOR_CLIENT_PATTERN = '^[^/\\s]{1,64}/[^/\\s]{1,64}/[^/\\s]{1,64}/[^/\\s]{1,128}$';

export const MediatorHeaders = Type.Object({
  'information-mediator-client': Type.String({
    pattern: MEDIATOR_CLIENT_PATTERN,
    description: 'The calling system, INSTANCE/CLASS/MEMBER/SUBSYSTEM; recorded in the audit trail. A system with an access token must name its own registered organisation.',
    examples: ['CN/GOV/110000-PSB/population-system'],
  }),
});

const ServiceId = Type.Object({ serviceId: Type.String({ format: 'uuid', description: 'The service\'s id in the catalog' }) });

const Property = Type.Object({ code: Type.String(), value: Type.String() });

const Service = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String({ description: 'In the language the caller asked for (Accept-Language), zh-CN by default' }),
  version: Type.String({ description: 'The current version number of the service definition' }),
  type: Type.Union([Type.Literal('None'), Type.Literal('Private'), Type.Literal('Public')]),
  isExecutable: Type.Boolean({ description: 'True while the service is published and takes applications' }),
  isClosed: Type.Boolean(),
  description: Type.String(),
  serviceBody: Type.Array(Property, { description: 'slug, agency, startPage, names in both languages, category, fee, slaWorkingDays, documents, eFormId, ...' }),
});

const EFormListItem = Type.Object({
  eFormId: Type.String({ description: '`<serviceId>.v<version>`', examples: ['7d16d506-9f99-4721-b933-1f8981ddfddc.v1'] }),
  name: Type.String(),
  description: Type.String(),
  version: Type.String(),
  latest: Type.Boolean(),
});

const EForm = Type.Object({
  eFormId: Type.String(),
  name: Type.String(),
  description: Type.String(),
  version: Type.String(),
  latest: Type.Boolean(),
  schema: Type.Object({}, { additionalProperties: true, description: 'JSON Schema (draft-07) of formData.data, with the page layout in x-tongban-form' }),
});

export const listServicesSchema = {
  tags: [TAG], operationId: 'getServiceList',
  summary: 'The published services',
  querystring: Type.Object({ name: Type.Optional(Type.String({ maxLength: 200, description: 'Words to find in the names, keywords and guidance (either language)' })) }),
  response: { 200: Type.Array(Service), 400: Problem },
};

export const getServiceSchema = {
  tags: [TAG], operationId: 'getService',
  summary: 'One published service',
  params: ServiceId,
  response: { 200: Service, 400: Problem, 404: Problem },
};

export const listEFormsSchema = {
  tags: [TAG], operationId: 'getServiceSchemaByServiceKey',
  summary: 'The e-forms of a published service: one per version of its definition',
  params: ServiceId,
  response: { 200: Type.Array(EFormListItem), 400: Problem, 404: Problem },
};

export const getEFormSchema = {
  tags: [TAG], operationId: 'getEForm',
  summary: 'One e-form with its JSON Schema (older versions stay readable: applications refer to them)',
  params: Type.Object({ eFormId: Type.String({ maxLength: 60 }) }),
  response: { 200: EForm, 404: Problem },
};
