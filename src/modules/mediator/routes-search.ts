import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { principalOf, requireRole } from '../../kernel/auth/index.js';
import { csvDocument } from '../../kernel/csv.js';
import { TongbanError } from '../../kernel/http/index.js';
import { pageContext } from '../../ui/index.js';
import { renderSearchPage, SEARCH_EXPORT_PATH, SEARCH_PATH, searchHref } from './pages-search.js';
import { registryAdmin } from './routes.js';
import { EXPORT_LIMIT, parseLogSearch, SEARCH_LIMIT, type LogRow, type MediatorService } from './service.js';

const ADMINS = requireRole(['agency_admin', 'platform_admin']);
// Any short text, so what was typed is shown again with its error rather than refused by the schema.
const Text = Type.Optional(Type.String({ maxLength: 300 }));
const searchQuery = Type.Object({ client: Text, service: Text, from: Text, to: Text, outcome: Text, older: Text });
const FIELDS = ['client', 'service', 'from', 'to', 'outcome', 'older'] as const;
const DETAILS = { client: 'must be a subsystem id {instance}/{class}/{member}/{subsystem}', service: 'must be a member, subsystem or service id', date: 'must be a day as YYYY-MM-DD', order: 'must not be before from', outcome: 'must be one of all, ok, refused, failed', older: 'must be the older cursor of an earlier answer' } as const;

const CSV_HEADER = ['time', 'message_id', 'client', 'service', 'method', 'status', 'outcome', 'duration_ms'];

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
      .send(renderSearchPage(context, { input, errors, found, limit: SEARCH_LIMIT, exportLimit: EXPORT_LIMIT }));
  });

  // The search's every exchange (up to EXPORT_LIMIT) as CSV: the same columns as the API, no paths.
  app.get(SEARCH_EXPORT_PATH, { config: { page: true }, preHandler: ADMINS, schema: { querystring: searchQuery, hide: true } }, async (request, reply) => {
    const parsed = parseLogSearch(request.query);
    // What is wrong is shown where the search is made.
    if (!parsed.ok) return reply.redirect(searchHref(request.query, request.query.older), 303);
    const found = await mediator.exportLog(parsed.filter, registryAdmin(request));
    const day = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');
    return reply.header('cache-control', 'no-store').header('content-disposition', `attachment; filename="message-log-${day}.csv"`)
      .type('text/csv; charset=utf-8').send(csvDocument(CSV_HEADER, found.map((row) => {
        const item = listed(row);
        return [item.at, item.messageId, item.client ?? '', item.service ?? '', item.method, String(item.status), item.outcome, String(item.durationMs)];
      })));
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
