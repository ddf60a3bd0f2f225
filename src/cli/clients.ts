import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import {
  changeClient, clientChangeDetails, clientChanged, disableClient, enableClient, forgetClientState, getClient, listClients, refuseUndeclaredScopes, registerClient, removeKey, rotateKeys, type ApiClient,
} from '../kernel/auth/machine/index.js';
import type { Kernel } from '../kernel/context.js';
import { standardOutput, type CliOutput } from './output.js';

type Opened = { kernel: Pick<Kernel, 'db' | 'audit' | 'now'>; close(): Promise<void> };
const CLI_ACTOR = { kind: 'system', id: 'cli' } as const;

/** Public keys from a file: one JWK, or a JWK set (`{"keys": [...]}`) as a system publishes it. */
async function keysFrom(file: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${file}: is not JSON; give a public JWK or a JWK set`);
  }
  if (typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { keys?: unknown }).keys)) return (parsed as { keys: unknown[] }).keys;
  return [parsed];
}

const describe = (client: ApiClient) => [
  `${client.clientId}\t${client.enabled ? 'enabled' : 'disabled'}\t${client.organisation}\t${client.scopes.join(' ')}`,
  ...client.keys.map((key) => `  key ${key.kid ?? '?'} (${[key.kty, key.crv ?? key.alg].filter(Boolean).join(' ')})`),
];

/**
 * `tongban clients`: the API clients (other agencies' systems) that may get access tokens (ADR 8).
 * An operator registers a system with its **public** key and the scopes it may ask for, adds and
 * removes keys as it rolls them, and disables or enables it. Every change is audited (actor `cli`)
 * in the same transaction as the change.
 */
export function registerClientsCommands(program: Command, open: () => Promise<Opened>, output: CliOutput = standardOutput): void {
  const clients = program.command('clients').description('the API clients (agencies\' systems) that may get access tokens');

  /** Opens the database, runs one change with its audit record in one transaction, reports a refusal. */
  const change = async (work: (tx: Kysely<object>, kernel: Opened['kernel']) => Promise<string[]>, clientId?: string): Promise<void> => {
    const opened = await open();
    try {
      const lines = await opened.kernel.db.transaction().execute((tx) => work(tx, opened.kernel));
      // Running instances read the client again within seconds; one sharing this process (tests) at once.
      if (clientId !== undefined) forgetClientState(opened.kernel.db, clientId);
      for (const line of lines) output.out(line);
    } catch (error) {
      output.err(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    } finally {
      await opened.close();
    }
  };
  const audited = (kernel: Opened['kernel'], tx: Kysely<object>, action: string, clientId: string, details: Record<string, unknown>) =>
    kernel.audit.append(tx, { actor: CLI_ACTOR, action, resource: { type: 'api-client', id: clientId }, details });

  clients.command('add').description('register a system with its public key and the scopes it may ask for')
    .requiredOption('--id <clientId>', 'the client id the system puts in its assertions (iss, sub)')
    .requiredOption('--name <name>', 'what the system is, e.g. "Civil affairs case system"')
    .requiredOption('--organisation <id>', 'agency code or mediator subsystem id, e.g. CN/GOV/110000-CAB/civil-system')
    .requiredOption('--scope <scope...>', 'scopes it may ask for, e.g. mediator.call')
    .requiredOption('--key-file <file>', 'its public key: a JWK or a JWK set (JSON); never a private key')
    .action((options: { id: string; name: string; organisation: string; scope: string[]; keyFile: string }) => change(async (tx, kernel) => {
      const keys = await keysFrom(options.keyFile);
      refuseUndeclaredScopes(options.scope);
      const client = await registerClient(tx, { clientId: options.id, name: options.name, organisation: options.organisation, scopes: options.scope, keys }, kernel.now());
      await audited(kernel, tx, 'auth.client.add', client.clientId, { organisation: client.organisation, scopes: client.scopes, keys: client.keys.map((k) => k.kid) });
      return ['registered', ...describe(client)];
    }));

  clients.command('add-key').description('add a public key (to roll keys: add the new one, then remove the old one)')
    .argument('<clientId>')
    .requiredOption('--key-file <file>', 'the new public key: a JWK or a JWK set (JSON)')
    .action((clientId: string, options: { keyFile: string }) => change(async (tx, kernel) => {
      const keys = await keysFrom(options.keyFile);
      const before = new Set((await getClient(tx, clientId))?.keys.map((k) => k.kid));
      const client = await rotateKeys(tx, clientId, keys, kernel.now());
      const added = client.keys.map((k) => k.kid).filter((kid) => !before.has(kid));
      await audited(kernel, tx, 'auth.client.key.add', clientId, { keys: added });
      return [`added ${added.join(', ')}`, ...describe(client)];
    }));

  clients.command('remove-key').description('remove a public key: assertions signed with it are refused from now on')
    .argument('<clientId>').argument('<kid>')
    .action((clientId: string, kid: string) => change(async (tx, kernel) => {
      const client = await removeKey(tx, clientId, kid, kernel.now());
      await audited(kernel, tx, 'auth.client.key.remove', clientId, { key: kid });
      return [`removed ${kid}`, ...describe(client)];
    }));

  clients.command('set').description('rename a system, or replace the scopes it may ask for (a scope taken away is refused within seconds, also in tokens it holds)')
    .argument('<clientId>')
    .option('--name <name>', 'its new name')
    .option('--scope <scope...>', 'every scope it may ask for from now on')
    .action((clientId: string, options: { name?: string; scope?: string[] }) => change(async (tx, kernel) => {
      if (options.name === undefined && options.scope === undefined) throw new Error('Give --name, --scope or both');
      if (options.scope) refuseUndeclaredScopes(options.scope, (await getClient(tx, clientId))?.scopes ?? []);
      const change = await changeClient(tx, clientId, { ...(options.name !== undefined ? { name: options.name } : {}), ...(options.scope ? { scopes: options.scope } : {}) }, kernel.now());
      if (!clientChanged(change)) return ['unchanged', ...describe(change.client)];
      await audited(kernel, tx, 'auth.client.change', clientId, clientChangeDetails(change));
      return ['changed', ...describe(change.client)];
    }, clientId));

  for (const [verb, run, says] of [['disable', disableClient, 'gets no new access tokens, and those it holds are refused within seconds'], ['enable', enableClient, 'may get access tokens again']] as const) {
    clients.command(verb).description(`${verb} a system: it ${says}`)
      .argument('<clientId>')
      .action((clientId: string) => change(async (tx, kernel) => {
        await run(tx, clientId, kernel.now());
        await audited(kernel, tx, `auth.client.${verb}`, clientId, {});
        return [`${clientId} ${says}`];
      }, clientId));
  }

  clients.command('list').description('list the registered systems, their scopes and key ids')
    .option('--organisation <id>', 'only this agency or subsystem')
    .action(async (options: { organisation?: string }) => {
      const opened = await open();
      try {
        for (const client of await listClients(opened.kernel.db, options.organisation === undefined ? {} : { organisation: options.organisation })) {
          for (const line of describe(client)) output.out(line);
        }
      } finally {
        await opened.close();
      }
    });
}
