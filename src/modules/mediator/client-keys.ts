import type { JWK } from 'jose';
import { getClient, hasPrivateMembers, registerClient, removeKey, rotateKeys, type ApiClient } from '../../kernel/auth/machine/index.js';
import type { AuditEvent } from '../../kernel/audit/types.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import './errors.js';
import { CALL_SCOPE } from './discovery.js';
import type { RegistryAdmin } from './registry.js';
import type { Executor, MediatorStore, MemberRow, SubsystemRow } from './store.js';

/** A subsystem's public key for its access tokens' client assertions, as the registry shows it. */
export interface SubsystemKey { readonly subsystemId: string; readonly clientId: string; readonly kid: string; readonly type: string }

export type KeyProblem = 'notJson' | 'privateKey' | 'unacceptable' | 'otherOrganisation' | 'lastKey' | 'unknownKey';
const CODES: Partial<Record<KeyProblem, string>> = { unknownKey: 'TB_MEDIATOR_NOT_FOUND', otherOrganisation: 'TB_MEDIATOR_FORBIDDEN', lastKey: 'TB_AUTH_CLIENT_LAST_KEY' };

/** The refusal of a pasted key, at `/key` (the API's field); `problem` picks the page's message. */
export class KeyRefused extends TongbanError {
  constructor(readonly problem: KeyProblem, detail: string) {
    super(CODES[problem] ?? 'TB_MEDIATOR_INVALID', { detail, fields: [{ pointer: '/key', message: `mediator.admin.error.key.${problem}`, detail }] });
  }
}

/** The client id a subsystem gets when its first key is registered: its id, with colons (ids have no slashes). */
export const clientIdFor = (subsystemId: string): string => subsystemId.replaceAll('/', ':');

/** A pasted JWK, or a refusal that names what is wrong (a private key is never echoed). */
export function parsePublicJwk(text: string): JWK {
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch { throw new KeyRefused('notJson', 'Paste the system\'s public key as a JWK (JSON)'); }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new KeyRefused('notJson', 'Paste one JWK: a JSON object');
  if (hasPrivateMembers(parsed)) throw new KeyRefused('privateKey', 'That is a private key: paste only the public key, and keep the private key on the calling system');
  return parsed;
}

interface Parts {
  readonly kernel: Pick<Kernel, 'db' | 'now'> & { readonly audit: { append(tx: Executor, event: AuditEvent): Promise<unknown> } };
  readonly store: MediatorStore;
  subsystemOf(id: string): Promise<{ subsystem: SubsystemRow; member: MemberRow }>;
  guard(admin: RegistryAdmin, member: MemberRow): void;
  change<T>(work: (tx: Executor) => Promise<T>): Promise<T>;
  record(admin: RegistryAdmin, action: string, type: string, id: string, details: Record<string, unknown>): AuditEvent;
}

/**
 * Access-token keys of an agency's subsystems, managed by its administrators (ADR 47): the first
 * key registers the subsystem's API client, with the scope `mediator.call` only and the subsystem
 * as its organisation; later keys are added to it, and removed one by one (never the last). A
 * client the operator registered for the subsystem (`tongban clients`, same organisation) is used
 * as it is; one of another organisation is not the administrator's to change.
 */
export function createClientKeys(parts: Parts) {
  const { kernel, store } = parts;
  /** The subsystem's client, if it has one, refusing one that belongs to another organisation. */
  async function clientOf(tx: Executor, subsystem: SubsystemRow): Promise<ApiClient | undefined> {
    if (subsystem.client_id === null) return undefined;
    const client = await getClient(tx, subsystem.client_id);
    if (client && client.organisation !== subsystem.id) {
      throw new KeyRefused('otherOrganisation', `The subsystem's API client ${client.clientId} belongs to ${client.organisation}: the platform operator manages its keys`);
    }
    return client;
  }
  const refusedKey = (error: unknown): never => {
    if (error instanceof TongbanError && (error.code === 'TB_AUTH_CLIENT_KEY_INVALID' || error.code === 'TB_AUTH_CLIENT_INVALID')) throw new KeyRefused('unacceptable', error.message);
    throw error;
  };

  return {
    /** Registers a public key for the subsystem's access tokens; effective for its next token request. */
    async addClientKey(input: { subsystemId: string; key: string | object }, admin: RegistryAdmin): Promise<SubsystemKey> {
      const jwk = typeof input.key === 'string' ? parsePublicJwk(input.key) : parsePublicJwk(JSON.stringify(input.key));
      const { subsystem, member } = await parts.subsystemOf(input.subsystemId);
      parts.guard(admin, member);
      return parts.change(async (tx) => {
        const existing = await clientOf(tx, subsystem);
        const clientId = subsystem.client_id ?? clientIdFor(subsystem.id);
        const client = await (existing
          ? rotateKeys(tx, clientId, [jwk], kernel.now())
          : registerClient(tx, { clientId, name: subsystem.name, organisation: subsystem.id, scopes: [CALL_SCOPE], keys: [jwk] }, kernel.now())
        ).catch(refusedKey);
        if (subsystem.client_id === null) await store.setSubsystemClient(tx, subsystem.id, clientId);
        const before = new Set(existing?.keys.map((k) => k.kid));
        const added = client.keys.find((k) => !before.has(k.kid));
        if (!added?.kid) throw new Error('the registered key has no kid');
        await kernel.audit.append(tx, parts.record(admin, 'mediator.client-key.add', 'mediator-subsystem', subsystem.id, { clientId, kid: added.kid }));
        return { subsystemId: subsystem.id, clientId, kid: added.kid, type: typeOf(added) };
      });
    },

    /** Removes a key: the subsystem's assertions signed with it are refused from now on. */
    async removeClientKey(subsystemId: string, kid: string, admin: RegistryAdmin): Promise<void> {
      const { subsystem, member } = await parts.subsystemOf(subsystemId);
      parts.guard(admin, member);
      await parts.change(async (tx) => {
        const client = await clientOf(tx, subsystem);
        if (!client?.keys.some((k) => k.kid === kid)) throw new KeyRefused('unknownKey', `The subsystem ${subsystem.id} has no key ${kid}`);
        if (client.keys.length === 1) throw new KeyRefused('lastKey', 'This is the subsystem\'s last key: add its new key first');
        await removeKey(tx, client.clientId, kid, kernel.now());
        await kernel.audit.append(tx, parts.record(admin, 'mediator.client-key.remove', 'mediator-subsystem', subsystem.id, { clientId: client.clientId, kid }));
      });
    },

    /** The keys of these subsystems' clients (of their own organisation), for the registry page. */
    async clientKeysOf(subsystems: readonly SubsystemRow[]): Promise<SubsystemKey[]> {
      const keys: SubsystemKey[] = [];
      for (const subsystem of subsystems) {
        if (subsystem.client_id === null) continue;
        const client = await getClient(kernel.db, subsystem.client_id);
        if (!client || client.organisation !== subsystem.id) continue;
        for (const key of client.keys) keys.push({ subsystemId: subsystem.id, clientId: client.clientId, kid: key.kid ?? '', type: typeOf(key) });
      }
      return keys;
    },
  };
}

const typeOf = (key: JWK): string => [key.kty, key.crv].filter(Boolean).join(' ');
