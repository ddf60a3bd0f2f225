import { TongbanError } from '../../kernel/http/index.js';
import type { MediatorStore, MemberRow, RightRow, ServiceRow, SubsystemRow } from './store.js';

/**
 * The read side of the GovStack IM Configuration Management API (`GET /api/v1/config` and
 * `/api/v1/status`, GovStack_IM_Configuration_Management_API.yaml) over the mediator's registry.
 * The configuration is one instance's, in the spec's `IMconf` shape, as the calling system's agency
 * may see it: every member of the instance with its applications, so rights can be read by name,
 * but services (with the provider's own address and who may call it) only for the agency's own
 * members, as the registry pages show them. Members of other agencies expose no internal URL.
 */
export interface ImRight {
  /** The client member's name, as the spec's sample configuration names it. */
  readonly member: string;
  readonly application: string;
  /** Additions: a name need not be unique, class and code are. */
  readonly memberClass: string;
  readonly memberCode: string;
}
export interface ImService { readonly id: string; readonly specUrl: string; readonly serviceUrl: string; readonly rights: readonly ImRight[] }
export interface ImApplication { readonly id: string; readonly connection?: 'http' | 'https'; readonly services?: readonly ImService[] }
export interface ImMember { readonly name: string; readonly class: string; readonly code: string; readonly applications: readonly ImApplication[] }
export interface ImConf { readonly domain: string; readonly instance: string; readonly members: readonly ImMember[] }

export interface ImStatus {
  readonly status: 'ok';
  /** At least one member offers at least one service: there is something to call. */
  readonly configured: boolean;
  readonly members: number;
  readonly applications: number;
  readonly services: number;
  /** Whether registry changes reach this instance by notification (else each call reads the database). */
  readonly registryCache: 'notified' | 'reading-database';
}

const pathOf = (id: string) => id.split('/');

/** http when any of the application's services is reached over plain HTTP: the weakest connection decides. */
function connectionOf(services: readonly ServiceRow[]): ImApplication['connection'] {
  if (services.length === 0) return undefined;
  return services.some((s) => s.base_url.startsWith('http:')) ? 'http' : 'https';
}

export function createGovstackConfig(store: MediatorStore, options: { publicUrl: string; registryCached: () => boolean }) {
  const domain = new URL(options.publicUrl).hostname;
  const specUrl = (service: ServiceRow) => {
    const [instance, memberClass, code, application, serviceCode = ''] = pathOf(service.id);
    return `${options.publicUrl}/r1/${instance}/${memberClass}/${code}/${application}/getOpenAPI?serviceCode=${encodeURIComponent(serviceCode)}`;
  };

  function rightsOf(service: ServiceRow, rights: readonly RightRow[], members: ReadonlyMap<string, MemberRow>): ImRight[] {
    // One entry per client, whatever methods and paths its rights cover (as the allow list).
    const clients = [...new Set(rights.filter((r) => r.service_id === service.id).map((r) => r.client_id))];
    return clients.map((client) => {
      const [instance, memberClass = '', code = '', application = ''] = pathOf(client);
      return { member: members.get(`${instance}/${memberClass}/${code}`)?.name ?? code, application, memberClass, memberCode: code };
    });
  }

  return {
    /**
     * The configuration of `instance`. `may(agency)` says whether the caller administers a member's
     * agency: only then are its services listed. An unknown instance is a 404.
     */
    async config(instance: string, may: (agency: string) => boolean): Promise<ImConf> {
      const [members, subsystems, services, rights] = await Promise.all([store.listMembers(), store.listSubsystems(), store.listServices(), store.rights({})]);
      const inInstance = members.filter((m) => m.instance === instance);
      if (inInstance.length === 0) throw new TongbanError('TB_MEDIATOR_NOT_FOUND', { detail: `No member is registered in the instance ${instance}` });
      const byId = new Map(members.map((m) => [m.id, m]));
      const application = (subsystem: SubsystemRow, own: boolean): ImApplication => {
        if (!own) return { id: subsystem.code };
        const offered = services.filter((s) => s.subsystem_id === subsystem.id);
        const connection = connectionOf(offered);
        return {
          id: subsystem.code, ...(connection ? { connection } : {}),
          services: offered.map((s) => ({ id: s.code, specUrl: specUrl(s), serviceUrl: s.base_url, rights: rightsOf(s, rights, byId) })),
        };
      };
      return {
        domain, instance,
        members: inInstance.map((m) => ({
          name: m.name, class: m.member_class, code: m.code,
          applications: subsystems.filter((s) => s.member_id === m.id).map((s) => application(s, may(m.agency))),
        })),
      };
    },

    /** Configured, up and running: the registry is read from the database, so an unreachable one is a 503. */
    async status(): Promise<ImStatus> {
      let counts: [MemberRow[], SubsystemRow[], ServiceRow[]];
      try {
        counts = await Promise.all([store.listMembers(), store.listSubsystems(), store.listServices()]);
      } catch (error) {
        throw new TongbanError('TB_KERNEL_UNAVAILABLE', { detail: 'The mediator cannot read its registry: the database is unreachable', cause: error, headers: { 'retry-after': '5' } });
      }
      const [members, subsystems, services] = counts;
      return {
        status: 'ok', configured: services.length > 0, members: members.length, applications: subsystems.length, services: services.length,
        registryCache: options.registryCached() ? 'notified' : 'reading-database',
      };
    },
  };
}

export type GovstackConfig = ReturnType<typeof createGovstackConfig>;
