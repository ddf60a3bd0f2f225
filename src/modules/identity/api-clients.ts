import {
  changeClient, clientChangeDetails, clientChanged, disableClient, enableClient, forgetClientState, getClient, listClients, undeclaredScopeProblems, type ApiClient,
} from '../../kernel/auth/machine/index.js';
import type { Kysely } from 'kysely';
import type { Actor } from '../../kernel/audit/types.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError, type FieldProblem } from '../../kernel/http/errors.js';

export type { ApiClient } from '../../kernel/auth/machine/index.js';

/** Who changes a client from a page or the API: a platform administrator, for the audit record. */
export interface ClientAdmin {
  readonly actor: Actor;
  readonly requestId?: string;
}

/** What a change did: `unchanged` when the client was already as asked (nothing written or audited). */
export interface ClientUpdate { readonly client: ApiClient; readonly outcome: 'changed' | 'unchanged' }

/** What may be changed from a page or the API; at least one of them. Keys stay with the operator's CLI. */
export interface ClientEdit {
  readonly enabled?: boolean;
  readonly name?: string;
  /** Every scope the system may ask for from now on (replaces the ones it has). */
  readonly scopes?: readonly string[];
}

/** The kernel's refusal with the undeclared scopes added (a scope refused for its form already is not named twice). */
function withProblems(error: unknown, extra: readonly FieldProblem[]): unknown {
  if (error !== undefined && !(error instanceof TongbanError && error.code === 'TB_AUTH_CLIENT_INVALID')) return error;
  const fields = [...(error instanceof TongbanError ? error.fields ?? [] : [])];
  for (const problem of extra) if (!fields.some((f) => f.pointer === problem.pointer)) fields.push(problem);
  return new TongbanError('TB_AUTH_CLIENT_INVALID', { detail: fields.map((f) => f.detail).join('; '), fields });
}

const notFound = (clientId: string) => new TongbanError('TB_AUTH_CLIENT_NOT_FOUND', { detail: `There is no API client with id ${clientId}` });

/**
 * The platform's API clients (other agencies' systems) for platform administrators: every one, its
 * name and scopes changed, and switching one off or on again. The registry itself is the kernel's
 * (`auth/machine`); keys are registered by the operator (`tongban clients`, ADR 46) or, for a
 * mediator subsystem, by its agency's administrator (ADR 47). A change and its audit record (the
 * administrator as actor) commit together, as the CLI's do.
 */
export function createApiClientAdmin(kernel: Pick<Kernel, 'db' | 'audit' | 'now'>) {
  /**
   * Renames a client, replaces its scopes, and disables (no new access tokens, those it holds
   * refused within seconds) or enables it: all in one transaction, each part with its own audit
   * record (`auth.client.change`, `.disable`, `.enable`). What is already as asked is not written.
   */
  async function update(clientId: string, edit: ClientEdit, by: ClientAdmin): Promise<ClientUpdate> {
    const audit = (tx: Kysely<object>, action: string, details: Record<string, unknown>) => kernel.audit.append(tx, {
      actor: by.actor, action, resource: { type: 'api-client', id: clientId }, details, ...(by.requestId ? { requestId: by.requestId } : {}),
    });
    const result = await kernel.db.transaction().execute(async (tx): Promise<ClientUpdate & { narrowed: boolean }> => {
      let client = await getClient(tx, clientId);
      if (!client) throw notFound(clientId);
      let outcome: ClientUpdate['outcome'] = 'unchanged';
      let narrowed = false;
      if (edit.name !== undefined || edit.scopes !== undefined) {
        // Only scopes a service checks may be given (one the client holds already may stay),
        // refused together with whatever else is wrong; the transaction undoes what was written.
        const undeclared = edit.scopes ? undeclaredScopeProblems(edit.scopes, client.scopes) : [];
        const change = await changeClient(tx, clientId, { ...(edit.name !== undefined ? { name: edit.name } : {}), ...(edit.scopes ? { scopes: edit.scopes } : {}) }, kernel.now())
          .catch((error: unknown) => { throw withProblems(error, undeclared); });
        if (undeclared.length > 0) throw withProblems(undefined, undeclared);
        if (clientChanged(change)) {
          await audit(tx, 'auth.client.change', { organisation: client.organisation, ...clientChangeDetails(change) });
          ({ client } = change);
          outcome = 'changed';
          narrowed = change.removed.length > 0;
        }
      }
      if (edit.enabled !== undefined && client.enabled !== edit.enabled) {
        const at = kernel.now();
        await (edit.enabled ? enableClient : disableClient)(tx, clientId, at);
        await audit(tx, `auth.client.${edit.enabled ? 'enable' : 'disable'}`, { organisation: client.organisation });
        client = { ...client, enabled: edit.enabled, updatedAt: at };
        outcome = 'changed';
        narrowed ||= !edit.enabled;
      }
      return { client, outcome, narrowed };
    });
    // After the commit: this instance refuses the client's tokens (or a scope taken away) from the next call, others within seconds.
    if (result.narrowed) forgetClientState(kernel.db, clientId);
    return { client: result.client, outcome: result.outcome };
  }

  return {
    list: (): Promise<ApiClient[]> => listClients(kernel.db),

    async get(clientId: string): Promise<ApiClient> {
      const client = await getClient(kernel.db, clientId);
      if (!client) throw notFound(clientId);
      return client;
    },

    update,

    /** Disables or enables a client; asking for the state it is in changes nothing. */
    setEnabled: (clientId: string, enabled: boolean, by: ClientAdmin): Promise<ClientUpdate> => update(clientId, { enabled }, by),
  };
}

export type ApiClientAdmin = ReturnType<typeof createApiClientAdmin>;
