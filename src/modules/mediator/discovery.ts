import type { MachineClient } from '../../kernel/auth/machine/index.js';
import { declareScopes } from '../../kernel/auth/machine/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import './errors.js';
import { groupedFingerprint } from './certificates.js';
import { parseSubsystemId, subsystemIdOf, type SubsystemRef } from './ids.js';
import type { CertificateRow, MediatorStore, RightRow, ServiceRow, SubsystemRow } from './store.js';

/** The scope a calling system's access token must carry. */
export const CALL_SCOPE = 'mediator.call';
declareScopes({ [CALL_SCOPE]: { en: 'Information mediator: call services through it and use publish and subscribe, as its subsystem', 'zh-CN': '信息中介：以其子系统身份调用服务并使用发布订阅' } });
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

/** Service codes taken by the metaservices' URLs (GovStack IM directory services). */
export const METASERVICES = ['listMethods', 'allowedMethods', 'getOpenAPI'] as const;

const fail = (code: string, detail: string) => new TongbanError(code, { detail });

export interface Credentials {
  readonly clientHeader: string | undefined;
  readonly authorization: string | undefined;
  readonly verifyToken: (token: string) => Promise<MachineClient>;
  /** SHA-256 of the TLS client certificate the caller presented on the systems' port (ADR 43), if any. */
  readonly certificate?: string | undefined;
}

/** The registry rows that say who a caller is, and the clock that says whether a certificate is valid. */
export interface CallerDirectory {
  getSubsystem(id: string): Promise<SubsystemRow | undefined>;
  getCertificate(sha256: string): Promise<CertificateRow | undefined>;
  now(): Date;
}

/** Who is calling: a token's API client, or the subsystem a registered certificate belongs to. */
export type Caller = { readonly kind: 'token'; readonly client: MachineClient } | { readonly kind: 'certificate'; readonly certificate: CertificateRow };

const NO_CREDENTIALS = 'Send "Authorization: Bearer <access token>" from POST /oauth/token, or call the mediator\'s TLS port with a client certificate registered for your subsystem';

/**
 * The credentials alone: who is calling. A Bearer token is checked when sent (a token and a
 * certificate together: the token decides); otherwise a client certificate must be registered and
 * valid now. The TLS handshake has proven the caller holds the certificate's key.
 */
export async function verifyCaller(directory: CallerDirectory, credentials: Credentials): Promise<Caller> {
  if (credentials.authorization === undefined && credentials.certificate !== undefined) return { kind: 'certificate', certificate: await registeredCertificate(directory, credentials.certificate) };
  const token = credentials.authorization === undefined ? undefined : BEARER.exec(credentials.authorization)?.[1];
  if (token === undefined) throw fail('TB_MEDIATOR_UNAUTHENTICATED', NO_CREDENTIALS);
  let client: MachineClient;
  try {
    client = await credentials.verifyToken(token);
  } catch (error) {
    if (error instanceof TongbanError) throw new TongbanError('TB_MEDIATOR_UNAUTHENTICATED', { detail: error.message, cause: error });
    throw error;
  }
  if (!client.scopes.includes(CALL_SCOPE)) throw fail('TB_MEDIATOR_ACCESS_DENIED', `The access token needs the scope ${CALL_SCOPE}`);
  return { kind: 'token', client };
}

async function registeredCertificate(directory: CallerDirectory, sha256: string): Promise<CertificateRow> {
  const row = await directory.getCertificate(sha256);
  if (!row) throw fail('TB_MEDIATOR_UNAUTHENTICATED', `The TLS client certificate SHA-256 ${groupedFingerprint(sha256)} is not registered for any subsystem`);
  const now = directory.now().getTime();
  if (now < row.not_before.getTime() || now >= row.not_after.getTime()) {
    throw fail('TB_MEDIATOR_UNAUTHENTICATED', `The TLS client certificate SHA-256 ${groupedFingerprint(sha256)} is valid from ${row.not_before.toISOString()} to ${row.not_after.toISOString()}, not now`);
  }
  return row;
}

/**
 * The calling subsystem: the header names it (400 when missing or malformed), the token or the
 * certificate proves it (401), and it must be the one registered for that subsystem (403).
 */
export async function authenticate(directory: CallerDirectory, credentials: Credentials, named?: (ref: SubsystemRef) => void): Promise<SubsystemRef> {
  const client = parseSubsystemId(credentials.clientHeader);
  if (!client) throw fail('TB_MEDIATOR_CLIENT_HEADER_INVALID', 'Send Information-Mediator-Client: {instance}/{class}/{member}/{subsystem}');
  named?.(client);
  const caller = await verifyCaller(directory, credentials);
  const clientId = subsystemIdOf(client);
  if (caller.kind === 'certificate') {
    if (caller.certificate.subsystem_id !== clientId) throw fail('TB_MEDIATOR_CLIENT_MISMATCH', `The TLS client certificate of ${caller.certificate.subsystem_id} does not authenticate ${clientId}`);
    return client;
  }
  const subsystem = await directory.getSubsystem(clientId);
  if (!subsystem || subsystem.client_id !== caller.client.clientId) throw fail('TB_MEDIATOR_CLIENT_MISMATCH', `The token of ${caller.client.clientId} does not authenticate ${clientId}`);
  return client;
}

interface Endpoint { readonly method: string; readonly path: string }

function describeService(service: ServiceRow, endpoints: readonly Endpoint[]) {
  const [instanceId, memberClass, memberCode, applicationCode] = service.subsystem_id.split('/');
  return {
    objectType: 'SERVICE', serviceType: 'REST', instanceId, memberClass, memberCode, applicationCode, serviceCode: service.code,
    ...(typeof (service.openapi as { info?: { version?: unknown } } | null)?.info?.version === 'string' ? { serviceVersion: (service.openapi as { info: { version: string } }).info.version } : {}),
    endpointList: { member: endpoints.map((e) => ({ method: e.method, path: e.path })) },
  };
}

/** A service's endpoints from its OpenAPI description; a service without one offers `* /**`. */
function endpointsOf(service: ServiceRow): Endpoint[] {
  const paths = (service.openapi as { paths?: Record<string, Record<string, unknown>> } | null)?.paths;
  if (!paths || typeof paths !== 'object') return [{ method: '*', path: '/**' }];
  return Object.entries(paths).flatMap(([path, item]) => Object.keys(item ?? {}).filter((m) => HTTP_METHODS.includes(m)).map((m) => ({ method: m.toUpperCase(), path })));
}

const rightEndpoint = (r: RightRow): Endpoint => ({ method: r.method, path: r.path });

/** The directory metaservices (GovStack_IM_Directory_Services_API.yaml). */
export function createDiscovery(store: MediatorStore) {
  const providerServices = async (providerId: string, serviceCode: string | undefined) => {
    if (!(await store.getSubsystem(providerId))) throw fail('TB_MEDIATOR_UNKNOWN_SERVICE', `No subsystem ${providerId}`);
    return (await store.listServices(providerId)).filter((s) => serviceCode === undefined || s.code === serviceCode);
  };
  return {
    async listClients(instanceId: string | undefined) {
      const [members, subsystems] = await Promise.all([store.listMembers(), store.listSubsystems()]);
      const wanted = members.filter((m) => instanceId === undefined || m.instance === instanceId);
      const byId = new Map(wanted.map((m) => [m.id, m]));
      return {
        member: [
          ...wanted.map((m) => ({ name: m.name, id: { objectType: 'MEMBER', instanceId: m.instance, memberClass: m.member_class, memberCode: m.code } })),
          ...subsystems.flatMap((s) => {
            const m = byId.get(s.member_id);
            return m ? [{ name: s.name, id: { objectType: 'APPLICATION', instanceId: m.instance, memberClass: m.member_class, memberCode: m.code, applicationCode: s.code } }] : [];
          }),
        ],
      };
    },
    async listMethods(providerId: string, serviceCode: string | undefined) {
      return { member: (await providerServices(providerId, serviceCode)).map((s) => describeService(s, endpointsOf(s))) };
    },
    /** What `clientId` may call: the services it holds rights on, with those rights as endpoints. */
    async allowedMethods(providerId: string, clientId: string, serviceCode: string | undefined) {
      const services = await providerServices(providerId, serviceCode);
      const rights = await store.rights({ clientId, serviceIds: services.map((s) => s.id) });
      return {
        member: services.flatMap((s) => {
          const own = rights.filter((r) => r.service_id === s.id);
          return own.length > 0 ? [describeService(s, own.map(rightEndpoint))] : [];
        }),
      };
    },
    async getOpenAPI(providerId: string, serviceCode: string): Promise<unknown> {
      const service = (await providerServices(providerId, serviceCode))[0];
      if (!service) throw fail('TB_MEDIATOR_UNKNOWN_SERVICE', `No service ${providerId}/${serviceCode}`);
      if (service.openapi === null || service.openapi === undefined) throw fail('TB_MEDIATOR_NOT_FOUND', `${service.id} has no OpenAPI description`);
      return service.openapi;
    },
  };
}

export type Discovery = ReturnType<typeof createDiscovery>;
