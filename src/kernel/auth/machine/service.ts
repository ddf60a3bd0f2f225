import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import { newId } from '../../ids.js';
import { TongbanError, type FieldProblem } from '../../http/index.js';
import './errors.js';
import { mergeKeys, normaliseClientKeys } from './jwk.js';
import {
  insertClient, machineDb, selectClient, selectClients, updateClientDetails, updateClientEnabled, updateClientKeys, type ApiClientRow,
} from './store.js';

/** Another agency's information system, allowed to call the API with the scopes it was given. */
export interface ApiClient {
  readonly clientId: string;
  readonly name: string;
  /** Agency code or mediator member/subsystem id, e.g. `CN/GOV/110000-PSB/population-system`. */
  readonly organisation: string;
  /** Public keys only; the client keeps its private keys. */
  readonly keys: readonly JWK[];
  readonly scopes: readonly string[];
  readonly enabled: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewApiClient {
  /** Chosen by the caller for stable ids (demo data, configuration as code); otherwise a UUID. */
  readonly clientId?: string;
  readonly name: string;
  readonly organisation: string;
  /** Public JWKs (Ed25519, P-256 or RSA ≥ 2048 bits). */
  readonly keys: readonly unknown[];
  readonly scopes: readonly string[];
}

const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{2,127}$/;
// An agency code, or up to four path segments of a mediator identifier (instance/class/member/subsystem).
const ORGANISATION = /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9][A-Za-z0-9._-]*){0,3}$/;
// RFC 6749 §3.3 scope-token.
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/;

function invalid(pointer: string, detail: string): never {
  throw new TongbanError('TB_AUTH_CLIENT_INVALID', { detail, fields: [{ pointer, message: 'auth.machine.error.invalid', detail }] });
}

function toClient(row: ApiClientRow): ApiClient {
  return {
    clientId: row.client_id, name: row.name, organisation: row.organisation, keys: row.jwks.keys, scopes: row.scopes,
    enabled: row.enabled, createdAt: row.created_at, updatedAt: row.updated_at,
  };
}

function scopeProblems(scopes: readonly string[]): FieldProblem[] {
  if (scopes.length === 0) return [{ pointer: '/scopes', message: 'auth.machine.error.scopesEmpty', detail: 'Give the client at least one scope' }];
  return scopes.flatMap((scope, i) => SCOPE.test(scope) ? [] : [{
    pointer: `/scopes/${i}`, message: 'auth.machine.error.scope', params: { scope: scope.slice(0, 100) }, detail: `"${scope}" is not a valid scope name`,
  }]);
}

function nameProblems(name: string): FieldProblem[] {
  const trimmed = name.trim();
  return trimmed.length === 0 || trimmed.length > 200 ? [{ pointer: '/name', message: 'auth.machine.error.name', detail: 'Enter a name of 1 to 200 characters' }] : [];
}

/** Refuses a name or scopes with every problem found, so a form can show them all at once. */
function refuseIfAny(problems: readonly FieldProblem[]): void {
  if (problems.length > 0) throw new TongbanError('TB_AUTH_CLIENT_INVALID', { detail: problems.map((p) => p.detail).join('; '), fields: problems });
}

const sortedScopes = (scopes: readonly string[]) => [...new Set(scopes)].sort();

export async function registerClient(db: Kysely<object>, input: NewApiClient, now: Date = new Date()): Promise<ApiClient> {
  const clientId = input.clientId ?? newId();
  if (!CLIENT_ID.test(clientId)) invalid('/clientId', 'A client id has 3 to 128 letters, digits, dots, colons, hyphens or underscores');
  if (!ORGANISATION.test(input.organisation)) invalid('/organisation', 'Enter an agency code or a mediator member id such as CN/GOV/110000-PSB/population-system');
  refuseIfAny([...nameProblems(input.name), ...scopeProblems(input.scopes)]);
  const name = input.name.trim();
  const scopes = sortedScopes(input.scopes);
  const keys = await normaliseClientKeys(input.keys);
  const inserted = await insertClient(machineDb(db), { clientId, name, organisation: input.organisation, keys, scopes, now });
  if (!inserted) throw new TongbanError('TB_AUTH_CLIENT_EXISTS', { detail: `An API client with id ${clientId} already exists` });
  return { clientId, name, organisation: input.organisation, keys, scopes, enabled: true, createdAt: now, updatedAt: now };
}

export async function getClient(db: Kysely<object>, clientId: string): Promise<ApiClient | undefined> {
  const row = await selectClient(machineDb(db), clientId);
  return row && toClient(row);
}

export async function listClients(db: Kysely<object>, filter: { organisation?: string } = {}): Promise<ApiClient[]> {
  return (await selectClients(machineDb(db), filter.organisation)).map(toClient);
}

function notFound(clientId: string): never {
  throw new TongbanError('TB_AUTH_CLIENT_NOT_FOUND', { detail: `There is no API client with id ${clientId}` });
}

/**
 * Changes a client's key set under a row lock, so that two concurrent rotations both land.
 * `change` gets the current keys and returns the new ones. Inside a caller's transaction (one that
 * also writes the change's audit record) it uses that transaction.
 */
async function changeKeys(db: Kysely<object>, clientId: string, now: Date, change: (keys: readonly JWK[]) => JWK[]): Promise<ApiClient> {
  const inTransaction = (work: (tx: Kysely<object>) => Promise<ApiClient>) => (db.isTransaction ? work(db) : db.transaction().execute(work));
  return inTransaction(async (tx) => {
    const mdb = machineDb(tx);
    const row = await selectClient(mdb, clientId, { forUpdate: true });
    if (!row) notFound(clientId);
    const keys = change(row.jwks.keys);
    await updateClientKeys(mdb, clientId, keys, now);
    return { ...toClient(row), keys, updatedAt: now };
  });
}

/**
 * Adds new public keys; the old ones keep working until `removeKey`, so a client can roll its
 * key without a moment in which its assertions are refused.
 */
export async function rotateKeys(db: Kysely<object>, clientId: string, newKeys: readonly unknown[], now: Date = new Date()): Promise<ApiClient> {
  if (newKeys.length === 0) throw new TongbanError('TB_AUTH_CLIENT_KEY_INVALID', { detail: 'Give at least one new public key' });
  // Keys are checked before the transaction: importing a key must not hold a row lock.
  const checked = await normaliseClientKeys(newKeys);
  return changeKeys(db, clientId, now, (keys) => mergeKeys(keys, checked));
}

/** Removes one key by kid; assertions signed with it are refused from now on. */
export async function removeKey(db: Kysely<object>, clientId: string, kid: string, now: Date = new Date()): Promise<ApiClient> {
  return changeKeys(db, clientId, now, (keys) => {
    const rest = keys.filter((k) => k.kid !== kid);
    if (rest.length === keys.length) throw new TongbanError('TB_AUTH_CLIENT_KEY_INVALID', { detail: `The client has no key with kid "${kid}"` });
    if (rest.length === 0) throw new TongbanError('TB_AUTH_CLIENT_LAST_KEY');
    return rest;
  });
}

/**
 * Renames a client or replaces the scopes it may ask for. A scope taken away is refused from then
 * on, also in the access tokens it already holds (within CLIENT_STATE_SECONDS, as a disabled client's).
 */
/** What a change of a client's name or scopes did; nothing was written when none of it is true. */
export interface ClientChange {
  readonly client: ApiClient;
  readonly renamed: boolean;
  /** Scopes it may ask for from now on that it could not before, and those taken away (sorted). */
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

export const clientChanged = (change: ClientChange) => change.renamed || change.added.length > 0 || change.removed.length > 0;

/** The audit record's details of a change: the new name, the scopes now granted and those taken away. */
export function clientChangeDetails(change: ClientChange): Record<string, unknown> {
  return {
    ...(change.renamed ? { name: change.client.name } : {}),
    ...(change.added.length > 0 || change.removed.length > 0 ? { scopes: change.client.scopes, added: change.added, removed: change.removed } : {}),
  };
}

/** Renames a client or replaces its scopes; asking for what it already has writes nothing. */
export async function changeClient(db: Kysely<object>, clientId: string, change: { name?: string; scopes?: readonly string[] }, now: Date = new Date()): Promise<ClientChange> {
  refuseIfAny([...(change.name === undefined ? [] : nameProblems(change.name)), ...(change.scopes === undefined ? [] : scopeProblems(change.scopes))]);
  const name = change.name?.trim();
  const scopes = change.scopes === undefined ? undefined : sortedScopes(change.scopes);
  const current = await selectClient(machineDb(db), clientId);
  if (!current) notFound(clientId);
  const next = { name: name ?? current.name, scopes: scopes ?? current.scopes };
  const added = next.scopes.filter((s) => !current.scopes.includes(s));
  const removed = current.scopes.filter((s) => !next.scopes.includes(s));
  const result = { renamed: next.name !== current.name, added, removed };
  if (!clientChanged({ client: toClient(current), ...result })) return { client: toClient(current), ...result };
  if (!(await updateClientDetails(machineDb(db), clientId, next, now))) notFound(clientId);
  return { client: { ...toClient(current), ...next, updatedAt: now }, ...result };
}

/** A disabled client gets no new access tokens, and those already issued are refused within CLIENT_STATE_SECONDS (client-state.ts). */
export async function disableClient(db: Kysely<object>, clientId: string, now: Date = new Date()): Promise<void> {
  if (!(await updateClientEnabled(machineDb(db), clientId, false, now))) notFound(clientId);
}

export async function enableClient(db: Kysely<object>, clientId: string, now: Date = new Date()): Promise<void> {
  if (!(await updateClientEnabled(machineDb(db), clientId, true, now))) notFound(clientId);
}
