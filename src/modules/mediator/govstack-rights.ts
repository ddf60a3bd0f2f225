import { TongbanError, type FieldProblem } from '../../kernel/http/index.js';
import './errors.js';
import type { Registry, RegistryAdmin } from './registry.js';
import type { MediatorStore, RightRow, ServiceRow, SubsystemRow } from './store.js';

/**
 * The GovStack IM Configuration Management API's access rights (`/api/v1/rights/allow|deny`,
 * GovStack_IM_Configuration_Management_API.yaml) over the mediator's registry. GovStack grants a
 * client application a whole service; the registry's rights are per method and path, so allowing
 * grants `* /**`, denying revokes every right of that client on that service, and the allow list
 * names each client holding any right on a service. `instanceId` is this implementation's addition
 * (the spec has one instance): needed only when two instances have a member with the same class
 * and code.
 */
export interface GovstackApplication { readonly instanceId?: string | undefined; readonly memberClass: string; readonly memberCode: string; readonly applicationId: string }
export interface GovstackServiceRights extends GovstackApplication {
  readonly serviceId: string;
  readonly rights: readonly GovstackApplication[];
}
export interface AllowFilter { readonly memberClass?: string | undefined; readonly memberCode?: string | undefined; readonly applicationId?: string | undefined; readonly serviceId?: string | undefined }

export const WHOLE_SERVICE = { method: '*', path: '/**' } as const;
const DEFAULT_PAGE_SIZE = 100;

const partsOf = (id: string) => id.split('/') as [string, string, string, string, string?];
const application = (subsystemId: string): GovstackApplication => {
  const [instanceId, memberClass, memberCode, applicationId] = partsOf(subsystemId);
  return { instanceId, memberClass, memberCode, applicationId };
};

/** A page token the caller hands back verbatim: the offset in (service, client) pairs. */
const token = (offset: number) => Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
function offsetOf(pageToken: string | undefined): number {
  if (pageToken === undefined) return 0;
  try {
    const { o } = JSON.parse(Buffer.from(pageToken, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof o === 'number' && Number.isInteger(o) && o >= 0) return o;
  } catch { /* refused below */ }
  throw new TongbanError('TB_KERNEL_VALIDATION', { fields: [{ pointer: '/query/nextPageToken', message: 'kernel.error.fieldInvalid', detail: 'is not a token this API gave' }] });
}

/** Which registered subsystem a GovStack application names; every problem is collected with its place. */
function resolve<T extends { id: string }>(rows: readonly T[], wanted: GovstackApplication, suffix: string, pointer: string, problems: FieldProblem[]): T | undefined {
  const tail = `/${wanted.memberClass}/${wanted.memberCode}/${wanted.applicationId}${suffix}`;
  const matches = rows.filter((r) => r.id.endsWith(tail) && r.id.split('/').length === tail.split('/').length && (wanted.instanceId === undefined || r.id === `${wanted.instanceId}${tail}`));
  if (matches.length === 1) return matches[0];
  problems.push({
    pointer, message: 'mediator.error.notFound',
    detail: matches.length === 0 ? `no registered ${suffix ? 'service' : 'application'} ${tail.slice(1)}` : `${tail.slice(1)} exists in several instances: name instanceId`,
  });
  return undefined;
}

export function createGovstackRights(store: MediatorStore, registry: Pick<Registry, 'grant' | 'revoke'>) {
  /** Every (service, client) pair the entries name, resolved against the registry before anything changes. */
  async function pairsOf(entries: readonly GovstackServiceRights[]): Promise<{ service: ServiceRow; client: SubsystemRow }[]> {
    const [services, subsystems] = await Promise.all([store.listServices(), store.listSubsystems()]);
    const problems: FieldProblem[] = [];
    const pairs: { service: ServiceRow; client: SubsystemRow }[] = [];
    entries.forEach((entry, i) => {
      const service = resolve(services, entry, `/${entry.serviceId}`, `/${i}/serviceId`, problems);
      entry.rights.forEach((right, j) => {
        const client = resolve(subsystems, right, '', `/${i}/rights/${j}`, problems);
        if (service && client) pairs.push({ service, client });
      });
    });
    if (problems.length > 0) throw new TongbanError('TB_MEDIATOR_NOT_FOUND', { detail: problems.map((p) => p.detail).join('; '), fields: problems });
    return pairs;
  }
  /** Refuses the whole request, before any change, when one service belongs to another agency. */
  async function guardAll(pairs: readonly { service: ServiceRow }[], admin: RegistryAdmin): Promise<void> {
    const members = await store.listMembers();
    for (const { service } of pairs) {
      const member = members.find((m) => service.subsystem_id.startsWith(`${m.id}/`));
      if (!member || !admin.may(member.agency)) throw new TongbanError('TB_MEDIATOR_FORBIDDEN', { detail: `${service.id} belongs to another agency` });
    }
  }

  return {
    /**
     * The allow list, filtered by the providing application, paged by (service, client) pairs: only
     * the rights on the caller's agency's services or held by its agency's systems (`may`), as its
     * scope says; another agency's rights among others are not its to see.
     */
    async allowList(filter: AllowFilter, page: { pageSize?: number | undefined; nextPageToken?: string | undefined }, may: RegistryAdmin['may']): Promise<{ allowList: GovstackServiceRights[]; nextPageToken?: string }> {
      const offset = offsetOf(page.nextPageToken);
      const size = page.pageSize ?? DEFAULT_PAGE_SIZE;
      const wanted = (service: string) => {
        const [, memberClass, memberCode, applicationId, serviceId] = partsOf(service);
        return (filter.memberClass === undefined || filter.memberClass === memberClass) && (filter.memberCode === undefined || filter.memberCode === memberCode)
          && (filter.applicationId === undefined || filter.applicationId === applicationId) && (filter.serviceId === undefined || filter.serviceId === serviceId);
      };
      // One pair per client on a service, whatever methods and paths its rights cover; rights come sorted by service and client.
      const members = await store.listMembers();
      const ours = (id: string) => members.some((m) => id.startsWith(`${m.id}/`) && may(m.agency));
      const pairs = new Map<string, RightRow>();
      for (const right of await store.rights({})) {
        if (wanted(right.service_id) && (ours(right.service_id) || ours(right.client_id))) pairs.set(`${right.service_id} ${right.client_id}`, right);
      }
      const all = [...pairs.values()];
      const slice = all.slice(offset, offset + size);
      const grouped = new Map<string, GovstackServiceRights & { rights: GovstackApplication[] }>();
      for (const right of slice) {
        const [instanceId, memberClass, memberCode, applicationId, serviceId = ''] = partsOf(right.service_id);
        const entry = grouped.get(right.service_id) ?? { instanceId, memberClass, memberCode, applicationId, serviceId, rights: [] };
        entry.rights.push(application(right.client_id));
        grouped.set(right.service_id, entry);
      }
      const next = offset + size < all.length ? { nextPageToken: token(offset + size) } : {};
      return { allowList: [...grouped.values()], ...next };
    },

    /** Grants each named client the whole service. Idempotent, so a retry after a failure completes it. */
    async allow(entries: readonly GovstackServiceRights[], admin: RegistryAdmin): Promise<number> {
      const pairs = await pairsOf(entries);
      await guardAll(pairs, admin);
      for (const { service, client } of pairs) await registry.grant({ serviceId: service.id, clientId: client.id, ...WHOLE_SERVICE }, admin);
      return pairs.length;
    },

    /** Revokes every right of each named client on the service (each revocation audited). */
    async deny(entries: readonly GovstackServiceRights[], admin: RegistryAdmin): Promise<number> {
      const pairs = await pairsOf(entries);
      await guardAll(pairs, admin);
      let revoked = 0;
      for (const { service, client } of pairs) {
        for (const right of await store.rights({ serviceId: service.id, clientId: client.id })) {
          await registry.revoke(right.id, admin);
          revoked += 1;
        }
      }
      return revoked;
    },
  };
}

export type GovstackRights = ReturnType<typeof createGovstackRights>;
