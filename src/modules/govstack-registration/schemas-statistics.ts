import { Type } from 'typebox';
import { MediatorHeaders, Problem, TAG } from './schemas.js';

/** The statistics API 1.0.0 (GovStack_Registration_BB_API_statistics.json), same shapes. */
const security: { [scheme: string]: string[] }[] = [{ bearer: [] }, { cookie: [] }];
const Day = Type.String({ format: 'date', examples: ['2026-03-02'] });

const References = Type.Object({
  startDate: Type.Optional(Day),
  endDate: Type.Optional(Day),
  registrationName: Type.Optional(Type.String()),
  operator: Type.Optional(Type.String()),
  role: Type.Optional(Type.String()),
  timeframeDay: Type.Boolean(),
  timeframeWeek: Type.Boolean(),
  timeframeMonth: Type.Boolean(),
  timeframeYear: Type.Boolean(),
}, { description: 'What was asked, with this bucket\'s own first and last day' });

const Counts = Type.Object({
  processed: Type.Integer({ description: 'Cases an operator acted on in the period' }),
  approved: Type.Integer({ description: 'Approvals' }),
  sentBack: Type.Integer({ description: 'Requests for more information to the applicant' }),
  rejected: Type.Integer({ description: 'Decisions ending a case without a grant (rejections)' }),
  references: References,
});

export const statisticsSchema = {
  tags: [TAG], security, operationId: 'Statistics',
  summary: 'Counts of operators\' work on the caller\'s agencies\' cases, per period',
  headers: MediatorHeaders,
  querystring: Type.Object({
    startDate: Type.Optional(Day),
    endDate: Type.Optional(Day),
    registrationName: Type.Optional(Type.String({ maxLength: 200, description: 'A service: its id, slug or exact name in either language' })),
    operator: Type.Optional(Type.String({ maxLength: 200, description: 'An operator as the case history names them: account id, or client:<id> for a system' })),
    role: Type.Optional(Type.Union([Type.Literal('officer'), Type.Literal('supervisor')])),
    timeframe: Type.Optional(Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month'), Type.Literal('year')])),
  }),
  response: { 200: Type.Array(Counts), 400: Problem, 401: Problem, 403: Problem, 404: Problem },
};
