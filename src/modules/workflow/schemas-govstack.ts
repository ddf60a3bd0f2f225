import { Type } from 'typebox';
import { PROCESS_ID_PATTERN } from './govstack.js';
import { Problem } from './schemas.js';

/**
 * Route schemas of /govstack/workflow, mirroring the GovStack Workflow BB API 1.0.0 (spec/) so that
 * /openapi.json describes the same shapes; the tests check every answer against the spec's own.
 */
export const TAG = 'govstack-workflow';
const security: { [scheme: string]: string[] }[] = [{ bearer: [] }];
const reads = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };
const writes = { ...reads, 405: Problem, 409: Problem };

const Property = Type.Object({ code: Type.String(), value: Type.String() });

const Process = Type.Object({
  id: Type.String({ description: '`<serviceId>.v<version>`: one published version of a service (the Registration API\'s e-form id)' }),
  processDefinition: Type.Object({
    name: Type.String({ description: 'The service\'s name in the caller\'s language (Accept-Language), zh-CN by default' }),
    type: Type.Union([Type.Literal('None'), Type.Literal('Private'), Type.Literal('Public')]),
    version: Type.String(),
    isExecutable: Type.Boolean({ description: 'True for the current version of a listed service: new cases start under it' }),
    isClosed: Type.Boolean(),
    description: Type.String(),
    processBody: Type.Array(Property, { description: 'serviceId, serviceSlug, agency, publishedAt, initialState, slaWorkingDays, state.<id> (name), state.<id>.final, transition.<n> (JSON)' }),
  }),
});

const Instance = Type.Object({
  id: Type.Integer({ description: 'The case\'s number (its UUID, the application id, is accepted in the path too)' }),
  processRef: Type.String({ description: 'The process id: `<serviceId>.v<version>`' }),
  initTime: Type.String({ format: 'date-time', description: 'When the application was submitted' }),
  state: Type.String({ description: '`running` (open), `completed` (decided) or `terminated` (withdrawn by the applicant)' }),
  lastChangeTime: Type.String({ format: 'date-time' }),
});

const ProcessId = Type.Object({ processId: Type.String({ maxLength: 100, description: '`<serviceId>.v<version>`' }) });
const InstanceId = Type.Object({ instanceId: Type.String({ maxLength: 100, description: 'The case\'s number, or its UUID' }) });

export const listProcessesSchema = {
  tags: [TAG], security, operationId: 'getProcessList', summary: 'The current version of each listed service of the caller\'s agency, as a process',
  response: { 200: Type.Array(Process), ...reads },
};

export const getProcessSchema = {
  tags: [TAG], security, operationId: 'getProcess', summary: 'One version of a service of the caller\'s agency (older and unlisted ones too)',
  params: ProcessId, response: { 200: Process, ...reads },
};

const readOnly = (operationId: string, summary: string, params?: typeof ProcessId) => ({
  tags: [TAG], security, operationId, summary: `${summary}: refused with 405 TB_WORKFLOW_PROCESS_READ_ONLY (services are published through the catalog)`,
  ...(params ? { params } : {}), response: writes,
});
export const addProcessSchema = readOnly('addProcess', 'Add a process');
export const updateProcessSchema = readOnly('updateProcess', 'Change a process', ProcessId);
export const deleteProcessSchema = readOnly('deleteProcess', 'Delete a process', ProcessId);

export const startSchema = {
  tags: [TAG], security, operationId: 'start',
  summary: 'Start a process instance: refused with 409 TB_WORKFLOW_START_NEEDS_APPLICATION (a case starts when an application is submitted, POST /govstack/registration/services/{serviceId}/applications)',
  params: ProcessId,
  body: Type.Object({ processStartedBy: Type.String({ minLength: 1, maxLength: 200 }), InstanceValues: Type.Optional(Type.Array(Property, { maxItems: 200 })) }),
  response: writes,
};

export const listInstancesSchema = {
  tags: [TAG], security, operationId: 'getInstanceList', summary: 'Cases of the caller\'s agency, newest first, at most 100 at a time',
  querystring: Type.Object({
    processId: Type.Optional(Type.String({ pattern: PROCESS_ID_PATTERN, description: 'A process id (`<serviceId>.v<version>`), or a service id for all its versions' })),
    firstResult: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Not in the spec: how many of the newest to skip' })),
    maxResult: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Not in the spec: at most this many (100 when left out)' })),
  }),
  response: { 200: Type.Array(Instance), ...reads },
};

export const getInstanceSchema = {
  tags: [TAG], security, operationId: 'getInstance', summary: 'One case of the caller\'s agency (the read is audited for the applicant)',
  params: InstanceId, response: { 200: Instance, ...reads },
};

export const stopSchema = {
  tags: [TAG], security, operationId: 'stop',
  summary: 'Stop a process instance: refused with 409 TB_WORKFLOW_STOP_NOT_OFFERED (a case ends with a decision or the applicant\'s withdrawal)',
  params: InstanceId, response: writes,
};
