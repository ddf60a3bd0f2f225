import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import type { RegistryDefinition } from './definitions.js';
import { RegistriesErrors } from './errors.js';
import type { Executor, RegistriesStore, RegistryRow } from './store.js';
import { checkDefinition } from './validation.js';

/** A registry version as stored, with its integer id (the GovStack Database API's). */
export interface Registry extends RegistryDefinition {
  readonly id: number;
  readonly createdAt: Date;
}

const toRegistry = (row: RegistryRow): Registry => ({
  id: row.id, code: row.code, version: row.version, name: row.name, owner: row.owner, keyField: row.key_field,
  searchFields: row.search_fields, personField: row.person_field ?? undefined, schema: row.schema, createdAt: row.created_at,
});

// Definitions change rarely and every read needs one: kept in memory, refreshed after a while so
// that another instance's change is seen, and at once after a change made here.
const TTL_MS = 15_000;

/** The registries and their versions. */
export function createRegistryCatalog(kernel: Pick<Kernel, 'db' | 'now'>, store: RegistriesStore) {
  let cache: { at: number; rows: Registry[] } | undefined;

  const all = async (): Promise<Registry[]> => {
    const now = Date.now();
    if (!cache || now - cache.at > TTL_MS) cache = { at: now, rows: (await store.registries(kernel.db)).map(toRegistry) };
    return cache.rows;
  };

  return {
    all,
    /** The newest version of each registry. */
    async latest(): Promise<Registry[]> {
      const byCode = new Map<string, Registry>();
      for (const r of await all()) byCode.set(r.code, r);
      return [...byCode.values()];
    },
    /** A version of a registry (its newest without `version`); TB_REGISTRIES_UNKNOWN_REGISTRY if none. */
    async get(code: string, version?: string): Promise<Registry> {
      const versions = (await all()).filter((r) => r.code === code);
      const found = version === undefined ? versions.at(-1) : versions.find((r) => r.version === version);
      if (!found) throw new TongbanError(RegistriesErrors.TB_REGISTRIES_UNKNOWN_REGISTRY, { detail: `No registry ${code}${version === undefined ? '' : ` version ${version}`}` });
      return found;
    },
    async byId(id: number): Promise<Registry> {
      const found = (await all()).find((r) => r.id === id);
      if (!found) throw new TongbanError(RegistriesErrors.TB_REGISTRIES_UNKNOWN_REGISTRY, { detail: `No registry version ${id}` });
      return found;
    },
    /**
     * Defines or replaces a registry version (idempotent for the same definition). In a caller's
     * transaction `executor`, the caller calls `forget` once it has committed.
     */
    async define(definition: RegistryDefinition, executor: Executor = kernel.db): Promise<Registry> {
      checkDefinition(definition);
      const row = await store.saveRegistry(executor, {
        code: definition.code, version: definition.version, name: definition.name, owner: definition.owner, key_field: definition.keyField,
        search_fields: [...definition.searchFields], person_field: definition.personField ?? null, schema: { ...definition.schema }, created_at: kernel.now(),
      });
      cache = undefined;
      return toRegistry(row);
    },
    /** Deletes a version no record uses; in a caller's transaction as `define`. */
    async remove(registry: Registry, executor: Executor = kernel.db): Promise<void> {
      if (await store.versionInUse(executor, registry.code, registry.version)) {
        throw new TongbanError(RegistriesErrors.TB_REGISTRIES_VERSION_IN_USE, { detail: `Records of ${registry.code} were written with version ${registry.version}` });
      }
      await store.deleteRegistry(executor, registry.code, registry.version);
      cache = undefined;
    },
    /** Reads the versions again on next use (after a committed change). */
    forget(): void { cache = undefined; },
  };
}

export type RegistryCatalog = ReturnType<typeof createRegistryCatalog>;
