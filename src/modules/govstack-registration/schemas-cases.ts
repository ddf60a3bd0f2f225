import { Type } from 'typebox';
import { MediatorHeaders, Problem, TAG } from './schemas.js';
import { idempotencyKeyHeader } from '../../kernel/idempotency/index.js';

/** Route schemas of the applicant, operator and task operations (spec components of the same names). */
const security: { [scheme: string]: string[] }[] = [{ bearer: [] }, { cookie: [] }];
const DateTime = Type.String({ format: 'date-time' });
const AnyObject = Type.Object({}, { additionalProperties: true });
const ObjectsByKey = (description: string) => Type.Object({}, { additionalProperties: AnyObject, description });

const Status = Type.Object({
  code: Type.Union([Type.Literal('PENDING'), Type.Literal('APPROVED'), Type.Literal('SENDBACK'), Type.Literal('REJECTED')]),
  title: Type.String({ description: 'The name of the case\'s actual workflow state' }),
});

const FormData = Type.Object({
  eFormId: Type.Optional(Type.String({ maxLength: 60, description: 'When given, must be the current e-form of the service' })),
  data: Type.Optional(ObjectsByKey('The answers of each page, by page id then field id (see the e-form\'s schema)')),
});

const ApplicationFileSubmit = Type.Object({
  applicationName: Type.Optional(Type.String({ maxLength: 200 })),
  applicantId: Type.String({ maxLength: 100, description: 'The signed-in applicant\'s account id' }),
  created: Type.Optional(DateTime),
  formData: Type.Optional(FormData),
  documentUrls: Type.Optional(Type.Array(Type.String(), {
    maxItems: 20, description: 'Documents inline as data URLs: data:<type>;name=<document id>;base64,<content>',
  })),
});

const ApplicationFileResponse = Type.Object({
  fileId: Type.String({ format: 'uuid' }),
  applicantId: Type.String({ description: 'The applicant\'s account id (empty for a counter case not yet linked to an account)' }),
  registered: Type.Optional(DateTime),
  serviceId: Type.String({ format: 'uuid' }),
  serviceName: Type.String(),
  status: Status,
  ended: Type.Boolean(),
  applicationData: Type.Optional(Type.Object({
    applicantId: Type.String(),
    applicationName: Type.Optional(Type.String({ description: 'The application\'s reference, e.g. TB-2026-7K3M9Q' })),
    created: Type.Optional(DateTime),
    formData: Type.Object({ eFormId: Type.String(), data: ObjectsByKey('Each page\'s answers as shown to people, by page id then field id') }),
    documentUrls: Type.Array(Type.String()),
  })),
});

const ListItem = Type.Object({
  fileId: Type.String({ format: 'uuid' }),
  mainTaskId: Type.String(),
  taskTitle: Type.String(),
  assigneeId: Type.Optional(Type.String()),
  status: Status,
  applicantId: Type.Optional(Type.String()),
  created: Type.Optional(DateTime),
  registered: Type.Optional(DateTime),
  description: Type.String({ description: 'The reference' }),
  serviceName: Type.String(),
  serviceId: Type.String({ format: 'uuid' }),
  eformId: Type.String(),
});

/** The spec's sort keys, and the queue order each means here. */
export const SORT_KEYS = ['instanceId', 'caseInstanceId', 'dueDate', 'executionId', 'caseExecutionId', 'assignee', 'created', 'description', 'id', 'name', 'nameCaseInsensitive', 'priority'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

const Paging = {
  firstResult: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, description: '0-based index of the first result' })),
  maxResult: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  sortBy: Type.Optional(Type.Unsafe<SortKey>({
    type: 'string', enum: [...SORT_KEYS],
    description: 'A task is a case: the instance and execution ids are the case id; name is the status; description is the reference; every case has the same priority, so priority orders by deadline',
  })),
  sortOrder: Type.Optional(Type.Unsafe<'asc' | 'desc'>({ type: 'string', enum: ['asc', 'desc'] })),
};

const FileId = Type.Object({ fileId: Type.String({ format: 'uuid' }) });
const TaskId = Type.Object({ taskId: Type.String({ format: 'uuid', description: 'A case waiting for its agency: the case (= application) id' }) });

const Decision = Type.Object({
  action: Type.String({ minLength: 1, maxLength: 60, description: 'A workflow action allowed now: claim, approve, reject (needs a reason), ...' }),
  reason: Type.Optional(Type.String({ maxLength: 2000 })),
}, { additionalProperties: false });

const Task = Type.Object({
  taskId: Type.String(), mainTaskId: Type.String(), name: Type.String(), assigneeId: Type.Optional(Type.String()), roleId: Type.String(),
  created: DateTime, description: Type.String(), serviceId: Type.String({ format: 'uuid' }), serviceName: Type.String(),
  fileId: Type.String(), eFormId: Type.String(), status: Status,
});

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };

export const submitSchema = {
  tags: [TAG], security, summary: 'Submit an application as the signed-in applicant (the same checks and submission as the web pages)',
  headers: Type.Object({ ...MediatorHeaders.properties, 'idempotency-key': idempotencyKeyHeader }), params: Type.Object({ serviceId: Type.String({ format: 'uuid' }) }), body: ApplicationFileSubmit,
  response: { 200: ApplicationFileResponse, ...errors, 409: Problem, 422: Problem },
};

export const listApplicationsSchema = {
  tags: [TAG], security, operationId: 'getApplicantFileList',
  summary: 'An applicant\'s own applications, or the cases of the caller\'s agencies for an operator',
  headers: MediatorHeaders,
  querystring: Type.Object({ serviceId: Type.Optional(Type.String({ format: 'uuid' })), ...Paging }),
  response: { 200: Type.Array(ListItem), ...errors },
};

export const getApplicationSchema = {
  tags: [TAG], security, operationId: 'getApplicationFileById',
  summary: 'One application: the applicant\'s own, or one of the operator\'s agency (the read is audited)',
  headers: MediatorHeaders, params: FileId,
  response: { 200: ApplicationFileResponse, ...errors },
};

export const updateApplicationSchema = {
  tags: [TAG], security, operationId: 'updateApplicationFileForm',
  summary: 'An operator\'s update: formData.data.decision = { action, reason } takes a workflow action; formData.data.note = { text } adds an internal note',
  headers: Type.Object({ ...MediatorHeaders.properties, 'idempotency-key': idempotencyKeyHeader }), params: FileId, body: ApplicationFileSubmit,
  response: { 200: ApplicationFileResponse, ...errors, 409: Problem, 422: Problem },
};

export const listTasksSchema = {
  tags: [TAG], security, operationId: 'getTasks',
  summary: 'Open cases of the caller\'s agencies, each waiting for an operator action',
  querystring: Type.Object({
    mainTaskId: Type.Optional(Type.String({ format: 'uuid' })), fileId: Type.Optional(Type.String({ format: 'uuid' })),
    assigneeId: Type.Optional(Type.String({ maxLength: 100 })), ...Paging,
  }),
  response: { 200: Type.Array(Task), ...errors },
};

export const getTaskSchema = {
  tags: [TAG], security, operationId: 'getTaskById', summary: 'One open case with the actions the caller may take',
  params: TaskId,
  response: {
    200: Type.Object({
      taskId: Type.String(), taskName: Type.String(), assigneeId: Type.Optional(Type.String()), roleId: Type.String(), created: DateTime,
      description: Type.String(), fileId: Type.String(), serviceId: Type.String({ format: 'uuid' }), serviceName: Type.String(), eFormId: Type.String(),
      formVariables: ObjectsByKey('decision: { actions, needsReason }: what complete accepts'), status: Status,
    }),
    ...errors,
  },
};

export const completeTaskSchema = {
  tags: [TAG], security, operationId: 'completeTaskById', summary: 'Take a workflow action on the case: data.decision = { action, reason }',
  params: TaskId, headers: Type.Object({ 'idempotency-key': idempotencyKeyHeader }),
  body: Type.Object({ data: Type.Object({ decision: Decision }) }),
  response: {
    200: Type.Object({
      taskId: Type.String(), fileId: Type.String(), serviceId: Type.String({ format: 'uuid' }), status: Status,
      variables: Type.Object({}, { additionalProperties: Type.Object({ data: ObjectsByKey('') }) }),
    }),
    ...errors, 409: Problem, 422: Problem,
  },
};
