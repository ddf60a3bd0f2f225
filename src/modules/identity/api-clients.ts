import { disableClient, enableClient, forgetClientState, getClient, listClients, type ApiClient } from '../../kernel/auth/machine/index.js';
import type { Actor } from '../../kernel/audit/types.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/errors.js';

export type { ApiClient } from '../../kernel/auth/machine/index.js';

/** Who changes a client from a page or the API: a platform administrator, for the audit record. */
export interface ClientAdmin {
  readonly actor: Actor;
  readonly requestId?: string;
}

/** What a change did: `unchanged` when the client was already in the state asked for (nothing audited). */
export interface EnabledChange { readonly client: ApiClient; readonly outcome: 'changed' | 'unchanged' }

const notFound = (clientId: string) => new TongbanError('TB_AUTH_CLIENT_NOT_FOUND', { detail: `There is no API client with id ${clientId}` });

/**
 * The platform's API clients (other agencies' systems) for platform administrators: every one, and
 * switching one off or on again. The registry itself is the kernel's (`auth/machine`); keys are
 * registered by the operator (`tongban clients`, ADR 46) or, for a mediator subsystem, by its
 * agency's administrator (ADR 47). A change and its audit record (`auth.client.disable` or
 * `.enable`, the administrator as actor) commit together, as the CLI's do.
 */
export function createApiClientAdmin(kernel: Pick<Kernel, 'db' | 'audit' | 'now'>) {
  return {
    list: (): Promise<ApiClient[]> => listClients(kernel.db),

    async get(clientId: string): Promise<ApiClient> {
      const client = await getClient(kernel.db, clientId);
      if (!client) throw notFound(clientId);
      return client;
    },

    /** Disables (no new access tokens) or enables a client; asking for the state it is in changes nothing. */
    async setEnabled(clientId: string, enabled: boolean, by: ClientAdmin): Promise<EnabledChange> {
      const change = await kernel.db.transaction().execute(async (tx): Promise<EnabledChange> => {
        const client = await getClient(tx, clientId);
        if (!client) throw notFound(clientId);
        if (client.enabled === enabled) return { client, outcome: 'unchanged' };
        const at = kernel.now();
        await (enabled ? enableClient : disableClient)(tx, clientId, at);
        await kernel.audit.append(tx, {
          actor: by.actor, action: `auth.client.${enabled ? 'enable' : 'disable'}`, resource: { type: 'api-client', id: clientId },
          details: { organisation: client.organisation }, ...(by.requestId ? { requestId: by.requestId } : {}),
        });
        return { client: { ...client, enabled, updatedAt: at }, outcome: 'changed' };
      });
      // After the commit: this instance refuses the client's tokens from the next call (others within seconds).
      if (!enabled) forgetClientState(kernel.db, clientId);
      return change;
    },
  };
}

export type ApiClientAdmin = ReturnType<typeof createApiClientAdmin>;
