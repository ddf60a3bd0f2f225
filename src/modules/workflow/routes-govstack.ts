import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { purposeText } from '../../kernel/audit/index.js';
import { agencyOfOrganisation, clientActor, declareScopes, requireClientScope } from '../../kernel/auth/machine/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import type { CatalogService, ServiceVersion } from '../catalog/service.js';
import { parseProcessId, toInstance, toProcess } from './govstack.js';
import {
  addProcessSchema, deleteProcessSchema, getInstanceSchema, getProcessSchema, listInstancesSchema, listProcessesSchema, startSchema, stopSchema, updateProcessSchema,
} from './schemas-govstack.js';
import { WorkflowErrors, type CaseInstance, type WorkflowService } from './service.js';
import './messages.js';

export const WORKFLOW_BASE = '/govstack/workflow';
export const WORKFLOW_SCOPES = { read: 'workflow:read', write: 'workflow:write' } as const;
declareScopes({
  [WORKFLOW_SCOPES.read]: { en: 'GovStack Workflow: read its agency\'s services\' workflows (processes) and cases (instances)', 'zh-CN': 'GovStack 工作流接口：查看本单位服务的办理流程和案件' },
  [WORKFLOW_SCOPES.write]: {
    en: 'GovStack Workflow: start and stop instances, change processes (all refused with an explanation: cases start from applications)',
    'zh-CN': 'GovStack 工作流接口：启动、停止实例和修改流程（均会被拒绝并说明原因：案件由申请开始）',
  },
});

const PURPOSE = purposeText('workflow.purpose.govstackInstances');

export interface GovstackDeps {
  readonly workflow: WorkflowService;
  readonly catalog: Pick<CatalogService, 'getServiceVersion' | 'searchServices'>;
  readonly kernel: Pick<Kernel, 'audit' | 'db'>;
}

/**
 * The GovStack Workflow API for agencies' systems (docs/adr/0062-govstack-workflow.md): a
 * process is one published version of a service's workflow, an instance is a case. A system with
 * an access token sees its own agency's (the MEMBER part of its organisation) and nothing else.
 */
export function registerGovstackRoutes(scope: FastifyInstance, { workflow, catalog, kernel }: GovstackDeps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  /**
   * preValidation: the token and its scope come before any check of the request's shape (an
   * unknown caller learns nothing, not even that a query is wrong); each call is recorded.
   */
  const caller = (scopeName: string) => {
    const guard = requireClientScope(scopeName);
    return async (request: FastifyRequest): Promise<void> => {
      await guard(request);
      await kernel.audit.append(kernel.db, {
        actor: clientActor(request.client!), action: 'govstack.workflow.call', requestId: String(request.id),
        details: { operation: request.routeOptions.schema?.operationId ?? `${request.method} ${request.routeOptions.url ?? ''}` },
      });
    };
  };
  const read = { preValidation: caller(WORKFLOW_SCOPES.read) };
  const write = { preValidation: caller(WORKFLOW_SCOPES.write) };
  const agencyOf = (request: FastifyRequest): string => agencyOfOrganisation(request.client!.organisation);

  /** One version of a service of the caller's agency; another agency's answers as an unknown one would. */
  const ownProcess = async (request: FastifyRequest, processId: string): Promise<ServiceVersion> => {
    const parsed = parseProcessId(processId);
    const found = parsed?.version !== undefined ? await catalog.getServiceVersion(parsed.serviceId, parsed.version) : undefined;
    if (!found || found.agencyCode !== agencyOf(request)) {
      throw new TongbanError(WorkflowErrors.TB_WORKFLOW_PROCESS_NOT_FOUND, { detail: `Your agency has no process ${processId}`, ...(found ? { denied: 'other-agency' as const } : {}) });
    }
    return found;
  };

  const ownInstance = async (request: FastifyRequest, instanceId: string): Promise<CaseInstance> => {
    const found = await workflow.instance(instanceId);
    if (found.agency !== agencyOf(request)) throw new TongbanError(WorkflowErrors.TB_WORKFLOW_NOT_FOUND, { detail: `No case ${instanceId}`, denied: 'other-agency' });
    return found;
  };

  /** Whose cases these are goes to each applicant's "who used my data": one record per person (and one for cases naming nobody known). */
  const audit = async (request: FastifyRequest, action: string, cases: readonly CaseInstance[]) => {
    const applicants = await workflow.applicantsOf(cases.map((c) => c.id));
    const bySubject = new Map<string | null, CaseInstance[]>();
    for (const c of cases) {
      const subject = applicants.get(c.id) ?? null;
      bySubject.set(subject, [...(bySubject.get(subject) ?? []), c]);
    }
    await Promise.all([...bySubject].map(([subject, list]) => kernel.audit.append(kernel.db, {
      actor: clientActor(request.client!), action, ...(subject ? { subject } : {}), purpose: PURPOSE, requestId: String(request.id),
      ...(list.length === 1 ? { resource: { type: 'case', id: list[0]!.id } } : {}),
      details: { cases: list.map((c) => c.id), numbers: list.map((c) => c.number) },
    })));
  };

  app.get(`${WORKFLOW_BASE}/processes`, { ...read, schema: listProcessesSchema }, async (request) => {
    const agency = agencyOf(request);
    const services = (await catalog.searchServices({ locale: request.locale })).filter((s) => s.agencyCode === agency);
    const versions = await Promise.all(services.map((s) => catalog.getServiceVersion(s.id, s.version)));
    return versions.flatMap((v) => (v ? [toProcess(v, request.locale)] : []));
  });

  app.get(`${WORKFLOW_BASE}/processes/:processId`, { ...read, schema: getProcessSchema }, async (request) => toProcess(await ownProcess(request, request.params.processId), request.locale));

  // Processes are services' workflows, published (versioned, checked, audited) through the catalog.
  const readOnly = () => {
    throw new TongbanError(WorkflowErrors.TB_WORKFLOW_PROCESS_READ_ONLY, {
      detail: 'A process is the workflow of a published service: publish a new version of the service definition (tongban import, or the catalog) to change it',
      headers: { allow: 'GET' },
    });
  };
  app.post(`${WORKFLOW_BASE}/processes`, { ...write, schema: addProcessSchema }, readOnly);
  app.put(`${WORKFLOW_BASE}/processes/:processId`, { ...write, schema: updateProcessSchema }, readOnly);
  app.delete(`${WORKFLOW_BASE}/processes/:processId`, { ...write, schema: deleteProcessSchema }, readOnly);

  app.post(`${WORKFLOW_BASE}/processes/:processId/start`, { ...write, schema: startSchema }, async (request) => {
    const process = await ownProcess(request, request.params.processId);
    // A case is an application's: its answers, documents and applicant are what officers decide on and certificates are issued from.
    throw new TongbanError(WorkflowErrors.TB_WORKFLOW_START_NEEDS_APPLICATION, {
      detail: `Submit an application instead: POST /govstack/registration/services/${process.id}/applications (its case starts under the service's current version)`,
    });
  });

  type InstancesQuery = { readonly processId?: string | undefined; readonly firstResult?: number | undefined; readonly maxResult?: number | undefined };
  const listInstances = async (request: FastifyRequest, q: InstancesQuery) => {
    let filter: { serviceId?: string; serviceVersion?: number } = {};
    if (q.processId !== undefined) {
      const parsed = parseProcessId(q.processId);
      const version = parsed && (parsed.version !== undefined ? await catalog.getServiceVersion(parsed.serviceId, parsed.version) : await catalog.getServiceVersion(parsed.serviceId, 1));
      if (!parsed || !version || version.agencyCode !== agencyOf(request)) {
        throw new TongbanError(WorkflowErrors.TB_WORKFLOW_PROCESS_NOT_FOUND, {
          detail: `Your agency has no process ${q.processId}`, ...(version ? { denied: 'other-agency' as const } : {}),
          fields: [{ pointer: '/querystring/processId', message: 'workflow.error.processNotFound', detail: 'Give the id of one of your agency\'s processes' }],
        });
      }
      filter = { serviceId: parsed.serviceId, ...(parsed.version !== undefined ? { serviceVersion: parsed.version } : {}) };
    }
    const cases = await workflow.instances({ agencies: [agencyOf(request)], ...filter, offset: q.firstResult, limit: q.maxResult });
    await audit(request, 'workflow.case.list', cases);
    return cases.map(toInstance);
  };
  // The spec's path ends in a slash; Fastify tells the two apart, so both are served.
  app.get(`${WORKFLOW_BASE}/instances`, { ...read, schema: listInstancesSchema }, (request) => listInstances(request, request.query));
  app.get(`${WORKFLOW_BASE}/instances/`, { ...read, schema: { ...listInstancesSchema, operationId: 'getInstanceListSlash', hide: true } }, (request) => listInstances(request, request.query));

  app.get(`${WORKFLOW_BASE}/instances/:instanceId`, { ...read, schema: getInstanceSchema }, async (request) => {
    const found = await ownInstance(request, request.params.instanceId);
    await audit(request, 'workflow.case.view', [found]);
    return toInstance(found);
  });

  app.post(`${WORKFLOW_BASE}/instances/:instanceId/stop`, { ...write, schema: stopSchema }, async (request) => {
    const found = await ownInstance(request, request.params.instanceId);
    // Withdrawing is the applicant's choice, and rejecting a decision on the merits with a reason the applicant is sent: neither is "stop".
    throw new TongbanError(WorkflowErrors.TB_WORKFLOW_STOP_NOT_OFFERED, {
      detail: found.final
        ? `Case ${found.number} has already ended (${found.status})`
        : `Case ${found.number} is ${found.status}: it ends with a decision (POST /govstack/registration/tasks/${found.id}/complete) or when the applicant withdraws it`,
    });
  });
}
