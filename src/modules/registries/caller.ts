import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../kernel/audit/types.js';
import { clientActor, declareScopes, type MachineClient, requireClientScope } from '../../kernel/auth/machine/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import type { Reader, Writer } from './service.js';

/** What a calling agency system may do; given to API clients by the platform administrator. */
export const SCOPES = { read: 'registries:read', write: 'registries:write', usage: 'registries:usage', schema: 'registries:schema' } as const;
declareScopes({
  [SCOPES.read]: { en: 'Base registries: read records, with a purpose (audited)', 'zh-CN': '基础库：查询记录，需说明用途（留痕）' },
  [SCOPES.write]: { en: 'Base registries: create, change and delete its agency\'s records', 'zh-CN': '基础库：新增、修改和删除本单位的记录' },
  [SCOPES.usage]: { en: 'Base registries: tell a person who used their data', 'zh-CN': '基础库：告知个人谁使用了其数据' },
  [SCOPES.schema]: { en: 'Base registries: define its agency\'s registries (Database API)', 'zh-CN': '基础库：定义本单位的登记库（数据库接口）' },
});
type Scope = (typeof SCOPES)[keyof typeof SCOPES];

/** The agency a system acts for: the MEMBER part of its organisation INSTANCE/CLASS/MEMBER/SUBSYSTEM. */
export const agencyOf = (client: MachineClient): string => client.organisation.split('/')[2] ?? '';

/**
 * preHandler: a Bearer access token with `scope` (the kernel's guard answers 401/403), and an
 * Information-Mediator-Client header, when sent, naming the organisation the token was issued to.
 */
export function requireScope(scope: Scope) {
  const guard = requireClientScope(scope);
  return async function registriesCaller(request: FastifyRequest): Promise<void> {
    await guard(request);
    const named = request.headers['information-mediator-client'];
    const client = request.client!;
    if (named !== undefined && named !== client.organisation) {
      throw new TongbanError('TB_REGISTRIES_FORBIDDEN', {
        detail: `The access token was issued to ${client.organisation}`,
        fields: [{ pointer: '/headers/information-mediator-client', message: 'registries.error.forbidden', detail: `must be ${client.organisation}` }],
      });
    }
  };
}

export function actorOf(request: FastifyRequest): Actor {
  return clientActor(request.client!);
}

/** The purpose (reads) or reason (changes): the X-Road-Issue header, or `?purpose=` on a GET. */
function issueOf(request: FastifyRequest): string {
  const header = request.headers['x-road-issue'];
  const query = (request.query as { purpose?: unknown } | undefined)?.purpose;
  return typeof header === 'string' && header.trim() !== '' ? header : typeof query === 'string' ? query : '';
}

export const readerOf = (request: FastifyRequest): Reader => ({ actor: actorOf(request), purpose: issueOf(request), requestId: String(request.id) });

/** A system writes to the registries of its own agency only. */
export const writerOf = (request: FastifyRequest): Writer => ({
  actor: actorOf(request), reason: issueOf(request), requestId: String(request.id), mayWrite: (owner) => owner === agencyOf(request.client!),
});
