import type { FastifyInstance } from 'fastify';
import type { Kernel } from '../../kernel/context.js';
import { seedDemoClient } from '../../kernel/auth/machine/index.js';
import { CALL_SCOPE, type MediatorService, type RegistryAdmin } from './service.js';

/**
 * Demo data: the public security bureau's population service and the market regulation
 * administration's business registry, answered by small provider routes under /demo-providers
 * (outside production), and the civil affairs bureau's system allowed to read both.
 */
export const DEMO = {
  instance: 'CN',
  psb: { member: 'CN/GOV/110000-PSB', agency: '110000-PSB', subsystem: 'CN/GOV/110000-PSB/population', service: 'CN/GOV/110000-PSB/population/persons' },
  amr: { member: 'CN/GOV/110000-AMR', agency: '110000-AMR', subsystem: 'CN/GOV/110000-AMR/business-registry', service: 'CN/GOV/110000-AMR/business-registry/companies' },
  cab: { member: 'CN/GOV/110000-CAB', agency: '110000-CAB', subsystem: 'CN/GOV/110000-CAB/civil-system', clientId: 'demo-110000-cab-civil-system' },
  /** A PubSub room (ADR 53): the civil affairs system publishes marriages registered; the population system may subscribe. */
  events: { room: 'CN/GOV/110000-CAB/civil-system', eventType: 'marriageRegistered' },
} as const;

/** What a `marriageRegistered` event carries: the registration and the two ID numbers, nothing more. */
const MARRIAGE_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  required: ['registrationNo', 'registeredOn', 'spouses'],
  properties: {
    registrationNo: { type: 'string', pattern: '^J[0-9]{6}-[0-9]{4}-[0-9]{6}$' },
    registeredOn: { type: 'string', format: 'date' },
    spouses: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'string', pattern: '^[1-9][0-9]{16}[0-9X]$' } },
  },
};

/** Made-up records: the numbers have valid shapes, not anyone's. */
const PERSONS: Readonly<Record<string, object>> = {
  '110101199003072359': { idNumber: '110101199003072359', name: '张伟', birthDate: '1990-03-07', sex: 'male', household: '北京市东城区示例街道 1 号', status: 'registered' },
};
const COMPANIES: Readonly<Record<string, object>> = {
  '91110108MA01TB8N59': { creditCode: '91110108MA01TB8N59', name: '北京通办示例科技有限公司', legalRepresentative: '李娜', registeredAt: '2019-06-18', status: 'active' },
};

const openapi = (title: string, path: string, parameter: string) => ({
  openapi: '3.1.0', info: { title, version: '1.0.0' },
  paths: { [path]: { get: { operationId: 'read', parameters: [{ name: parameter, in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'The record' }, 404: { description: 'No such record' } } } } },
});

/** The two demo provider systems, as routes of Tongban itself (never in production). */
export function registerDemoProviders(app: FastifyInstance): void {
  app.get<{ Params: { id: string } }>('/demo-providers/psb/population/persons/:id', { schema: { hide: true } }, async (request, reply) => {
    const person = PERSONS[request.params.id];
    return person ? { ...person, requestedBy: request.headers['x-road-client'] ?? null, purpose: request.headers['x-road-issue'] ?? null } : reply.status(404).send({ error: 'not found' });
  });
  app.get<{ Params: { code: string } }>('/demo-providers/amr/business/companies/:code', { schema: { hide: true } }, async (request, reply) => {
    const company = COMPANIES[request.params.code];
    return company ?? reply.status(404).send({ error: 'not found' });
  });
}

/** Idempotent: what exists is left as it is. */
export async function seedMediatorDemo(kernel: Pick<Kernel, 'db' | 'config'>, mediator: MediatorService): Promise<void> {
  const admin: RegistryAdmin = { actor: { kind: 'system', id: 'demo-seed' }, may: () => true };
  const base = kernel.config.publicUrl;
  await seedDemoClient(kernel.db, { clientId: DEMO.cab.clientId, name: 'Civil affairs case system (demo)', organisation: DEMO.cab.subsystem, scopes: [CALL_SCOPE] });
  const members = [
    { id: DEMO.psb.member, code: '110000-PSB', name: '北京市公安局', agency: DEMO.psb.agency },
    { id: DEMO.amr.member, code: '110000-AMR', name: '北京市市场监督管理局', agency: DEMO.amr.agency },
    { id: DEMO.cab.member, code: '110000-CAB', name: '北京市民政局', agency: DEMO.cab.agency },
  ];
  for (const m of members) {
    if (!(await mediator.listMembers()).some((row) => row.id === m.id)) await mediator.addMember({ instance: 'CN', memberClass: 'GOV', code: m.code, name: m.name, agency: m.agency }, admin);
  }
  const subsystems = [
    { memberId: DEMO.psb.member, code: 'population', name: '人口信息系统', clientId: null },
    { memberId: DEMO.amr.member, code: 'business-registry', name: '市场主体登记系统', clientId: null },
    { memberId: DEMO.cab.member, code: 'civil-system', name: '民政业务系统', clientId: DEMO.cab.clientId },
  ];
  const existing = new Set((await mediator.listSubsystems()).map((s) => s.id));
  for (const s of subsystems) if (!existing.has(`${s.memberId}/${s.code}`)) await mediator.addSubsystem(s, admin);
  const services = new Set((await mediator.listServices()).map((s) => s.id));
  if (!services.has(DEMO.psb.service)) {
    await mediator.saveService({ subsystemId: DEMO.psb.subsystem, code: 'persons', name: '人口基本信息查询', baseUrl: `${base}/demo-providers/psb/population`, openapi: openapi('Population', '/persons/{idNumber}', 'idNumber'),
      // The person's consent under the consent module's demo agreement (docs/adr/0018-consent.md): refused until they give it on /account/consent.
      needsConsent: true, agreementId: 'population-persons' }, admin);
  }
  if (!services.has(DEMO.amr.service)) {
    await mediator.saveService({ subsystemId: DEMO.amr.subsystem, code: 'companies', name: '市场主体登记信息查询', baseUrl: `${base}/demo-providers/amr/business`, openapi: openapi('Business registry', '/companies/{creditCode}', 'creditCode') }, admin);
  }
  await mediator.grant({ serviceId: DEMO.psb.service, clientId: DEMO.cab.subsystem, method: 'GET', path: '/persons/*' }, admin);
  await mediator.grant({ serviceId: DEMO.amr.service, clientId: DEMO.cab.subsystem, method: 'GET', path: '/companies/*' }, admin);
  await mediator.pubsub.defineEventType(DEMO.events.room, { eventType: DEMO.events.eventType, schema: MARRIAGE_SCHEMA, subscribers: [DEMO.psb.subsystem] }, admin.actor);
}
