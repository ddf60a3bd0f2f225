import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { principalOf, requireRole } from '../../kernel/auth/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import { pageContext } from '../../ui/index.js';
import { renderSearchPage, SEARCH_PATH } from './pages-search.js';
import { registryAdmin } from './routes.js';
import { parseLogSearch, SEARCH_LIMIT, type LogRow, type MediatorService } from './service.js';

const ADMINS = requireRole(['agency_admin', 'platform_admin']);
// Any short text, so what was typed is shown again with its error rather than refused by the schema.
const Text = Type.Optional(Type.String({ maxLength: 300 }));
const searchQuery = Type.Object({ client: Text, service: Text, from: Text, to: Text, outcome: Text, older: Text });
const FIELDS = ['client', 'service', 'from', 'to', 'outcome', 'older'] as const;
const DETAILS = { client: 'must be a subsystem id {instance}/{class}/{member}/{subsystem}', service: 'must be a member, subsystem or service id', date: 'must be a day as YYYY-MM-DD', order: 'must not be before from', outcome: 'must be one of all, ok, refused, failed', older: 'must be the older cursor of an earlier answer' } as const;

const listed = (row: LogRow) => ({
  messageId: row.message_id, at: row.at.toISOString(), client: row.client, service: row.service, method: row.method, status: row.status, outcome: row.outcome, durationMs: row.duration_ms,
});

/**
 * The message log searched by calling system, service, days and outcome: `/admin/mediator/search`
 * and `GET /api/mediator/exchanges` for agency administrators (their agency's exchanges) and
 * platform administrators (all). Lists, like the traffic page, hold no paths: a listed exchange
 * names no person; its record (audited) does.
 */
export function registerSearchRoutes(scope: FastifyInstance, mediator: MediatorService): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(SEARCH_PATH, { config: { page: true }, preHandler: ADMINS, schema: { querystring: searchQuery, hide: true } }, async (request, reply) => {
    const input = request.query;
    const searched = FIELDS.some((field) => input[field] !== undefined);
    const parsed = parseLogSearch(input);
    const errors = parsed.ok || !searched ? [] : parsed.problems.map((p) => ({ field: p.field, text: request.t(`mediator.search.error.${p.problem}`) }));
    const found = searched && parsed.ok ? await mediator.searchLog(parsed.filter, registryAdmin(request)) : undefined;
    const context = { ...pageContext(request), user: { name: principalOf(request).name }, csrfToken: reply.generateCsrf() };
    return reply.status(errors.length > 0 ? 400 : 200).type('text/html; charset=utf-8').header('cache-control', 'no-store')
      .send(renderSearchPage(context, { input, errors, found, limit: SEARCH_LIMIT }));
  });

  app.get('/api/mediator/exchanges', {
    preHandler: ADMINS,
    schema: {
      tags: ['Information mediator'], summary: `Search the message log (newest first, ${SEARCH_LIMIT} at a time): calling system, service (or subsystem or member), days from and to (YYYY-MM-DD, China Standard Time) and outcome (all, ok, refused, failed); the next page with the answer's older cursor as older`,
      querystring: searchQuery,
    },
  }, async (request, reply) => {
    const parsed = parseLogSearch(request.query);
    if (!parsed.ok) {
      throw new TongbanError('TB_KERNEL_VALIDATION', { fields: parsed.problems.map((p) => ({ pointer: `/query/${p.field}`, message: `mediator.search.error.${p.problem}`, detail: DETAILS[p.problem] })) });
    }
    const found = await mediator.searchLog(parsed.filter, registryAdmin(request));
    return reply.header('cache-control', 'no-store').send({
      exchanges: found.rows.map(listed), limit: SEARCH_LIMIT, more: found.older !== undefined, ...(found.older === undefined ? {} : { older: found.older }),
    });
  });
}
