import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { TongbanError } from '../../kernel/http/index.js';
import type { CatalogService } from '../catalog/service.js';
import type { WorkflowService } from '../workflow/service.js';
import { callerOf, handledAgencies, isOperator, requireCaller, SCOPES } from './caller.js';
import { statisticsOf } from './mapping.js';
import type { CaseDeps } from './routes-applications.js';
import { statisticsSchema } from './schemas-statistics.js';
import { UUID } from '../../kernel/ids.js';


/** The services a registration name means: an id, a slug, or an exact name in either language. */
async function servicesNamed(catalog: Pick<CatalogService, 'getCurrentService' | 'searchServices'>, name: string): Promise<string[]> {
  if (UUID.test(name)) {
    const version = await catalog.getCurrentService(name.toLowerCase());
    return version ? [version.id] : [];
  }
  const found = await catalog.searchServices({ text: name, includeUnlisted: true });
  return found.filter((s) => s.slug === name || s.name.en === name || s.name['zh-CN'] === name).map((s) => s.id);
}

/**
 * GET /data/statistics: the workflow module counts (in SQL) what the operators of the caller's
 * agencies did; this route only resolves the service name and maps the counts to the spec.
 */
export function registerStatisticsRoutes(scope: FastifyInstance, deps: Pick<CaseDeps, 'kernel'> & { catalog: Pick<CatalogService, 'getCurrentService' | 'searchServices'>; workflow: Pick<WorkflowService, 'statistics'> }): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { kernel, catalog, workflow } = deps;
  app.get('/data/statistics', { schema: statisticsSchema, preHandler: requireCaller(kernel, { scope: SCOPES.read, sessions: true }) }, async (request) => {
    const caller = callerOf(request);
    // Counts by operator are about staff's work: for the agencies' officers and case systems, not the public.
    if (!isOperator(caller)) throw new TongbanError('TB_KERNEL_FORBIDDEN', { detail: 'Statistics are for officers and the case systems of an agency' });
    const q = request.query;
    const serviceIds = q.registrationName === undefined ? undefined : await servicesNamed(catalog, q.registrationName);
    if (serviceIds?.length === 0) throw new TongbanError('TB_CATALOG_SERVICE_NOT_FOUND', { detail: `No service named ${q.registrationName}` });
    const buckets = await workflow.statistics({
      agencies: handledAgencies(caller), from: q.startDate, to: q.endDate, serviceIds, actorId: q.operator, role: q.role, timeframe: q.timeframe,
    });
    return buckets.map((b) => ({
      ...statisticsOf(b),
      references: {
        ...(b.from ? { startDate: b.from } : {}), ...(b.to ? { endDate: b.to } : {}),
        ...(q.registrationName !== undefined ? { registrationName: q.registrationName } : {}),
        ...(q.operator !== undefined ? { operator: q.operator } : {}), ...(q.role ? { role: q.role } : {}),
        timeframeDay: q.timeframe === 'day', timeframeWeek: q.timeframe === 'week', timeframeMonth: q.timeframe === 'month', timeframeYear: q.timeframe === 'year',
      },
    }));
  });
}
