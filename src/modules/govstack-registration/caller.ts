import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../kernel/audit/types.js';
import { hasRole, type Principal } from '../../kernel/auth/index.js';
import { clientActor, declareScopes, type MachineClient, requireClientScope } from '../../kernel/auth/machine/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import { GovstackRegistrationErrors } from './errors.js';
import { single } from '../../kernel/http/query.js';

/**
 * Who is calling: another agency's system with an access token (acting for its agency, the
 * MEMBER part of its organisation `INSTANCE/CLASS/MEMBER/SUBSYSTEM`), or a signed-in person.
 */
export type Caller =
  | { readonly kind: 'client'; readonly client: MachineClient; readonly agency: string; readonly principal: Principal; readonly mediatorClient: string | undefined }
  | { readonly kind: 'session'; readonly principal: Principal; readonly mediatorClient: string | undefined };

export const SCOPES = { read: 'registration:read', apply: 'registration:apply', operate: 'registration:operate' } as const;
declareScopes({
  [SCOPES.read]: { en: 'GovStack Registration: read services and applications', 'zh-CN': 'GovStack 登记接口：查看服务和申请' },
  [SCOPES.apply]: { en: 'GovStack Registration: apply for a service on a person\'s behalf', 'zh-CN': 'GovStack 登记接口：代个人申请服务' },
  [SCOPES.operate]: { en: 'GovStack Registration: work applications as its agency\'s case system', 'zh-CN': 'GovStack 登记接口：作为本单位业务系统办理申请' },
});
type Scope = (typeof SCOPES)[keyof typeof SCOPES];

const callers = new WeakMap<FastifyRequest, Caller>();

const headerOf = (request: FastifyRequest): string | undefined => single(request.headers['information-mediator-client']);

/**
 * A system acts in the officer role at its own agency: it is that agency's case system. Its
 * account id is `client:<id>`, so the audit trail and the case history name the system itself.
 */
function clientPrincipal(client: MachineClient, agency: string): Principal {
  return { accountId: `client:${client.clientId}`, kind: 'staff', name: client.organisation, roles: [{ agency, role: 'officer' }] };
}

export interface CallerOptions {
  readonly scope: Scope;
  /** Whether a signed-in person may call instead of a system. */
  readonly sessions: boolean;
}

/**
 * preHandler: a Bearer token with `scope` (checked by the kernel's guard), or, where allowed, a
 * session. Without either the answer is the guard's 401 with its challenge. A system that names
 * itself in Information-Mediator-Client must name the organisation its token was issued to.
 * Every call that gets through is recorded in the audit trail with the header's value.
 */
export function requireCaller(kernel: Pick<Kernel, 'audit' | 'db'>, options: CallerOptions) {
  const guard = requireClientScope(options.scope);
  return async function resolveCaller(request: FastifyRequest): Promise<void> {
    const mediatorClient = headerOf(request);
    let caller: Caller;
    if (request.headers.authorization !== undefined || !options.sessions || !request.principal) {
      await guard(request);
      const client = request.client!;
      if (mediatorClient !== undefined && mediatorClient !== client.organisation) {
        throw new TongbanError(GovstackRegistrationErrors.TB_GOVSTACK_CLIENT_HEADER_MISMATCH, {
          detail: `The access token was issued to ${client.organisation}`,
          fields: [{ pointer: '/headers/information-mediator-client', message: 'govstack.registration.error.clientMismatch', detail: `must be ${client.organisation}` }],
        });
      }
      const agency = client.organisation.split('/')[2] ?? '';
      caller = { kind: 'client', client, agency, principal: clientPrincipal(client, agency), mediatorClient };
    } else {
      caller = { kind: 'session', principal: request.principal, mediatorClient };
    }
    callers.set(request, caller);
    // Group-committed with other calls' records (docs/adr/0027-request-hot-paths.md): committed before the route runs.
    await kernel.audit.appendCommitted({
      actor: actorOf(caller), action: 'govstack.registration.call', requestId: String(request.id),
      details: { operation: operationOf(request), informationMediatorClient: mediatorClient ?? null, ...(caller.kind === 'client' ? { clientId: caller.client.clientId } : {}) },
    });
  };
}

function operationOf(request: FastifyRequest): string {
  const schema = request.routeOptions.schema;
  return schema?.operationId ?? `${request.method} ${request.routeOptions.url ?? ''}`;
}

export function actorOf(caller: Caller): Actor {
  if (caller.kind === 'client') return clientActor(caller.client);
  return { kind: caller.principal.kind === 'staff' ? 'staff' : 'person', id: caller.principal.accountId };
}

export function callerOf(request: FastifyRequest): Caller {
  const caller = callers.get(request);
  if (!caller) throw new Error('callerOf needs requireCaller as the route\'s preHandler');
  return caller;
}

/** The agencies whose cases the caller handles: a system its own; a person those where they are officer or supervisor. */
export function handledAgencies(caller: Caller): string[] {
  if (caller.kind === 'client') return [caller.agency];
  return [...new Set(caller.principal.roles.filter((r) => r.role === 'officer' || r.role === 'supervisor').map((r) => r.agency))].sort();
}

export function isOperator(caller: Caller): boolean {
  return caller.kind === 'client' || hasRole(caller.principal, ['officer', 'supervisor']);
}
