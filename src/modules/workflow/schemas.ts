import { Type } from 'typebox';
import { idempotencyHeaders } from '../../kernel/idempotency/index.js';

/** Route schemas of /api/workflow and of the back-office forms. */
const Localized = Type.Object({ 'zh-CN': Type.String(), en: Type.String() });
const Role = Type.Union([Type.Literal('applicant'), Type.Literal('officer'), Type.Literal('supervisor'), Type.Literal('clerk'), Type.Literal('system')]);
const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const Problem = Type.Object({
  type: Type.String(), title: Type.String(), status: Type.Integer(), code: Type.String(), instance: Type.String(), requestId: Type.String(),
  detail: Type.Optional(Type.String()),
  errors: Type.Optional(Type.Array(Type.Object({ pointer: Type.String(), detail: Type.String(), code: Type.String() }))),
}, { description: 'RFC 9457 problem details' });

const CaseSummary = Type.Object({
  id: Type.String({ format: 'uuid' }),
  reference: Nullable(Type.String()),
  serviceId: Type.String({ format: 'uuid' }),
  serviceVersion: Type.Integer({ minimum: 1 }),
  agency: Type.String(),
  status: Type.String(),
  statusName: Localized,
  final: Type.Boolean(),
  assignee: Nullable(Type.String()),
  escalated: Type.Boolean(),
  submittedAt: DateTime,
  dueAt: DateTime,
  closedAt: Nullable(DateTime),
  overdue: Type.Boolean({ description: 'Not final and past its deadline' }),
});

const HistoryEntry = Type.Object({
  seq: Type.Integer({ minimum: 1 }),
  action: Type.String(),
  actor: Type.Object({ kind: Type.Union([Type.Literal('person'), Type.Literal('staff'), Type.Literal('system')]), id: Type.String(), role: Role }),
  from: Nullable(Type.String()),
  to: Type.String(),
  reason: Nullable(Type.String()),
  at: DateTime,
});

const CaseView = Type.Object({
  ...CaseSummary.properties,
  allowedActions: Type.Record(Type.String(), Type.Array(Type.String()), { description: 'Actions each kind of actor may take in the current state' }),
  availableActions: Type.Array(Type.String(), { description: 'Actions the caller may take now' }),
  history: Type.Array(HistoryEntry),
  definition: Type.Object({}, { additionalProperties: true, description: 'The workflow the case runs under (snapshot at its start)' }),
});

const Note = Type.Object({ id: Type.String({ format: 'uuid' }), caseId: Type.String({ format: 'uuid' }), authorId: Type.String(), text: Type.String(), at: DateTime });

const security: { [scheme: string]: string[] }[] = [{ cookie: [] }, { bearer: [] }];
const CaseId = Type.Object({ id: Type.String({ format: 'uuid' }) });
const errors = { 401: Problem, 403: Problem, 404: Problem };

export const queueQuery = Type.Object({
  agency: Type.Optional(Type.String({ maxLength: 60, description: 'One of your agencies; all of them when left out' })),
  role: Type.Optional(Type.Union([Type.Literal('officer'), Type.Literal('supervisor')], { description: '`supervisor`: only escalated or overdue cases' })),
  status: Type.Optional(Type.String({ maxLength: 60 })),
  state: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('all')])),
  assignedToMe: Type.Optional(Type.Boolean()),
  overdue: Type.Optional(Type.Boolean()),
  sort: Type.Optional(Type.Union([Type.Literal('due'), Type.Literal('submitted')])),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});

export const queueSchema = {
  tags: ['workflow'], summary: 'Cases of your agencies (officers and supervisors)', security,
  querystring: queueQuery,
  response: { 200: Type.Object({ items: Type.Array(CaseSummary), total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer(), pages: Type.Integer() }), ...errors },
};

export const getCaseSchema = {
  tags: ['workflow'], summary: 'One case with its history and what you may do next', security,
  params: CaseId, response: { 200: CaseView, ...errors },
};

export const actSchema = {
  tags: ['workflow'], summary: 'Take an action on a case (claim, release, request_info, approve, reject, ...)', security,
  params: CaseId, headers: idempotencyHeaders,
  body: Type.Object({ action: Type.String({ minLength: 1, maxLength: 60 }), reason: Type.Optional(Type.String({ maxLength: 4000 })) }),
  response: { 200: CaseView, ...errors, 409: Problem, 422: Problem },
};

export const listNotesSchema = {
  tags: ['workflow'], summary: 'Internal notes of a case', security,
  params: CaseId, response: { 200: Type.Object({ notes: Type.Array(Note) }), ...errors },
};

export const addNoteSchema = {
  tags: ['workflow'], summary: 'Add an internal note to a case', security,
  params: CaseId, headers: idempotencyHeaders, body: Type.Object({ text: Type.String({ maxLength: 4000 }) }),
  response: { 201: Note, ...errors, 409: Problem, 422: Problem },
};

/** The back-office pages: filters arrive as a GET form, actions and notes as posted forms. */
export const queuePageQuery = Type.Object({
  status: Type.Optional(Type.String({ maxLength: 60 })),
  show: Type.Optional(Type.Array(Type.String({ maxLength: 20 }), { maxItems: 5 })),
  sort: Type.Optional(Type.String({ maxLength: 20 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
});

export const casePageParams = Type.Object({ id: Type.String({ maxLength: 60 }) });
export const casePageQuery = Type.Object({ done: Type.Optional(Type.String({ maxLength: 60 })), noted: Type.Optional(Type.String({ maxLength: 5 })) });
/**
 * A posted field as the page's handler reads it (`field()`, the first value when repeated): no
 * length here, the handler checks it and answers with the form, its error summary and the text kept.
 */
const postedText = Type.Union([Type.String(), Type.Array(Type.String())]);
export const actForm = Type.Object({ action: postedText, reason: Type.Optional(postedText) }, { additionalProperties: true });
export const noteForm = Type.Object({ text: Type.Optional(postedText) }, { additionalProperties: true });
