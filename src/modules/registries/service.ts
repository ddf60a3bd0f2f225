import { purposeText } from '../../kernel/audit/index.js';
import { newId, UUID } from '../../kernel/ids.js';
import type { Actor, AuditRecord } from '../../kernel/audit/types.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import { withIdempotency, type IdempotencyClaim } from '../../kernel/idempotency/index.js';
import { createRegistryCatalog, type Registry } from './catalog.js';
import type { LocalizedText, RegistryDefinition } from './definitions.js';
import { RegistriesErrors } from './errors.js';
import { syntheticPerson, syntheticPersonsSql } from './persons.js';
import { createRecords, requirePurpose, type PersonLookup, type Reader } from './records.js';
import { createRegistriesStore, type CorrectionRow } from './store.js';
import { itemTitle, propertiesOf, validateRecord } from './validation.js';
import './messages.js';

export type { Registry } from './catalog.js';
export type { LocalizedText, RegistryDefinition } from './definitions.js';
export type { Reader, RegistryRecord, Writer } from './records.js';
export type { HistoryEntry, Match } from './store.js';
export { matchesOf, typedFilters } from './records.js';

/** A data item's title in both languages. */
export const itemTitleOf = (registry: Registry, item: string): LocalizedText => itemTitle(registry.schema, item);

export interface CorrectionTask {
  readonly id: string;
  readonly registry: string;
  readonly key: string;
  readonly owner: string;
  readonly items: readonly string[];
  readonly description: string;
  /** Who made the report: the person, or a clerk (`staff`) at a counter of `organisation` for them. */
  readonly reporterAccountId: string;
  readonly reporter: { readonly kind: 'person' | 'staff' | 'client'; readonly organisation: string | undefined };
  /** The account of the person whose data it is, when known when reported. */
  readonly subjectAccountId: string | undefined;
  readonly status: 'open' | 'resolved';
  readonly createdAt: Date;
  readonly resolvedAt: Date | undefined;
  readonly resolution: string | undefined;
}

const toTask = (row: CorrectionRow): CorrectionTask => ({
  id: row.id, registry: row.registry, key: row.key, owner: row.owner, items: row.items, description: row.description,
  reporterAccountId: row.reporter_account_id, reporter: { kind: row.reporter_kind, organisation: row.reporter_organisation ?? undefined },
  subjectAccountId: row.subject_account_id ?? undefined, status: row.status, createdAt: row.created_at,
  resolvedAt: row.resolved_at ?? undefined, resolution: row.resolution ?? undefined,
});


/** The registries an audit record is about: `details.registry`, or `details.registries` (a task view of several). */
function registriesOfRecord(record: AuditRecord): string[] {
  const { registry, registries } = record.details ?? {};
  if (typeof registry === 'string') return [registry];
  return Array.isArray(registries) ? registries.filter((r): r is string => typeof r === 'string') : [];
}
/** Records of usage in one answer, and how many pages of a person's trail are read to find them. */
const USAGE_LIMIT = 500;
const USAGE_PAGES = 20;

export type RegistriesService = ReturnType<typeof createRegistriesService>;

/**
 * Schema-defined registries (docs/adr/0017-registries.md): registry versions with JSON Schemas,
 * records with history, every read audited with its purpose, reports of wrong data as tasks for
 * the owner agency, and the bulk generator of synthetic persons.
 */
export function createRegistriesService(kernel: Pick<Kernel, 'db' | 'now' | 'audit' | 'log'>, deps: { identity: PersonLookup & { accountByIdNumber(idNumber: string): Promise<{ readonly id: string } | undefined> } }) {
  const store = createRegistriesStore();
  const catalog = createRegistryCatalog(kernel, store);
  const records = createRecords(kernel, store, catalog, deps.identity);

  /** Whose data a task is about: the account stored with it, else (they may have signed up since) the one of its ID number. */
  const subjectOfTask = async (task: { subjectAccountId: string | undefined; key: string }): Promise<string | undefined> =>
    task.subjectAccountId ?? (await deps.identity.auditSubjectByIdNumber(task.key))?.id;

  const checkItems = (registry: Registry, items: readonly string[]): void => {
    const properties = propertiesOf(registry.schema);
    const unknown = items.filter((item) => !(item in properties));
    if (unknown.length > 0) throw new TongbanError(RegistriesErrors.TB_REGISTRIES_INVALID_QUERY, { detail: `${registry.code} has no item ${unknown.join(', ')}` });
  };

  return {
    catalog,
    records,
    registries: () => catalog.latest(),
    registry: (code: string, version?: string) => catalog.get(code, version),
    define: (definition: RegistryDefinition) => catalog.define(definition),

    /**
     * The Database API's changes of registry versions: the version and its audit record in one
     * transaction; with an Idempotency-Key the key too, so a retry writes neither twice (ADR 31).
     */
    async saveVersion(definition: RegistryDefinition, by: { actor: Actor; requestId?: string }, idempotency?: IdempotencyClaim): Promise<Registry> {
      try {
        return await kernel.db.transaction().execute(async (tx) => withIdempotency(tx, idempotency, async () => {
          const saved = await catalog.define(definition, tx);
          await kernel.audit.append(tx, {
            actor: by.actor, action: 'registry.schema.save', resource: { type: 'registry', id: `${saved.code}/${saved.version}` },
            ...(by.requestId ? { requestId: by.requestId } : {}), details: { registry: saved.code, version: saved.version },
          });
          return saved;
        }));
      } finally {
        catalog.forget();
      }
    },

    async removeVersion(registry: Registry, by: { actor: Actor; requestId?: string }, idempotency?: IdempotencyClaim): Promise<void> {
      try {
        await kernel.db.transaction().execute(async (tx) => withIdempotency(tx, idempotency, async () => {
          await catalog.remove(registry, tx);
          await kernel.audit.append(tx, {
            actor: by.actor, action: 'registry.schema.delete', resource: { type: 'registry', id: `${registry.code}/${registry.version}` },
            ...(by.requestId ? { requestId: by.requestId } : {}), details: { registry: registry.code, version: registry.version },
          });
        }));
      } finally {
        catalog.forget();
      }
    },

    /**
     * Contract (issue 5): the named items of a person's record, for a prefill or a case. Audited as
     * `registry.record.read` with the person as subject, the purpose and the items. Null when the
     * registry has no record for them.
     */
    async readForPerson(input: {
      registry: string; idNumber: string; items: readonly string[]; actor: Actor; subject?: string; purpose: string; requestId?: string;
    }): Promise<{ values: Record<string, unknown>; registry: { code: string; name: LocalizedText; owner: string } } | null> {
      const purpose = requirePurpose(input.purpose);
      const registry = await catalog.get(input.registry);
      checkItems(registry, input.items);
      const idNumber = input.idNumber.trim().toUpperCase();
      const field = registry.personField ?? registry.keyField;
      const row = field === registry.keyField
        ? await store.byKey(kernel.db, registry.code, idNumber)
        : (await store.list(kernel.db, { registry: registry.code, matches: [{ kind: 'search', field, value: idNumber, prefix: false }], order: { by: 'key', direction: 'asc' }, limit: 1, offset: 0 })).rows[0];
      if (!row) return null;
      const record = { id: row.id, registry: row.registry, key: row.key, version: row.version, data: row.data, revision: row.revision, createdAt: row.created_at, modifiedAt: row.modified_at };
      const subject = input.subject ?? (await deps.identity.auditSubjectByIdNumber(idNumber))?.id;
      const reader: Reader = { actor: input.actor, purpose, requestId: input.requestId };
      await records.audit(registry, [record], reader, input.items, subject);
      const values = Object.fromEntries(input.items.filter((item) => item in row.data).map((item) => [item, row.data[item]]));
      return { values, registry: { code: registry.code, name: registry.name, owner: registry.owner } };
    },

    /**
     * Every record about the person of `idNumber` in every registry that names people (its
     * `personField`): a person's copy of their data (PIPL art. 45). Each record read is audited
     * like any other, with the reader and purpose given; at most `max` per registry.
     */
    async recordsOfPerson(input: { idNumber: string; reader: Reader; subject: string; max?: number }): Promise<{ registry: { code: string; name: LocalizedText; owner: string }; key: string; data: Readonly<Record<string, unknown>>; modifiedAt: Date }[]> {
      const idNumber = input.idNumber.trim().toUpperCase();
      const found = await Promise.all((await catalog.latest()).filter((r) => r.personField !== undefined).map(async (registry) => {
        const field = registry.personField ?? registry.keyField;
        const rows = field === registry.keyField
          ? [await store.byKey(kernel.db, registry.code, idNumber)].filter((row) => row !== undefined)
          : (await store.list(kernel.db, { registry: registry.code, matches: [{ kind: 'search', field, value: idNumber, prefix: false }], order: { by: 'key', direction: 'asc' }, limit: input.max ?? 100, offset: 0 })).rows;
        const list = rows.map((row) => ({ id: row.id, registry: row.registry, key: row.key, version: row.version, data: row.data, revision: row.revision, createdAt: row.created_at, modifiedAt: row.modified_at }));
        if (list.length > 0) await records.audit(registry, list, { ...input.reader, purpose: requirePurpose(input.reader.purpose) }, 'all', input.subject);
        return list.map((record) => ({ registry: { code: registry.code, name: registry.name, owner: registry.owner }, key: record.key, data: record.data, modifiedAt: record.modifiedAt }));
      }));
      return found.flat();
    },

    /**
     * Contract (issue 5): items of a person's record are wrong; a task for the owner agency. The
     * person reports their own (`actor` left out); a clerk at a counter reports for the person of
     * `idNumber` with `actor` the clerk as staff of their agency, and the person (their account,
     * if they have one) is the subject.
     */
    async reportWrongData(input: {
      registry: string; idNumber: string; items: readonly string[]; description: string; reporter: { accountId: string }; actor?: Actor; requestId?: string;
    }): Promise<{ taskId: string }> {
      const registry = await catalog.get(input.registry);
      checkItems(registry, input.items);
      const description = input.description.trim();
      if (description.length === 0) throw new TongbanError(RegistriesErrors.TB_REGISTRIES_INVALID_QUERY, { fields: [{ pointer: '/description', message: 'registries.error.descriptionMissing', detail: 'Say what is wrong' }] });
      const id = newId();
      const key = input.idNumber.trim().toUpperCase();
      const actor: Actor = input.actor ?? { kind: 'person', id: input.reporter.accountId };
      const own = actor.kind === 'person';
      const subject = own ? input.reporter.accountId : (await deps.identity.auditSubjectByIdNumber(key))?.id;
      await kernel.db.transaction().execute(async (tx) => {
        await store.addCorrection(tx, {
          id, registry: registry.code, key, owner: registry.owner, items: [...input.items], description: description.slice(0, 2000),
          reporter_account_id: input.reporter.accountId, reporter_kind: own ? 'person' : actor.kind === 'client' ? 'client' : 'staff',
          reporter_organisation: own ? null : actor.organisation ?? null, subject_account_id: subject ?? null,
          status: 'open', created_at: kernel.now(), resolved_at: null, resolved_by: null, resolution: null,
        });
        await kernel.audit.append(tx, {
          actor, action: 'registry.correction.report', ...(subject ? { subject } : {}),
          // Named by account, or by ID number before they have one (as applications does).
          ...(own ? {} : { onBehalfOf: subject ?? `resident-id:${key}` }),
          resource: { type: 'registry-correction', id }, ...(input.requestId ? { requestId: input.requestId } : {}), details: { registry: registry.code, items: [...input.items] },
        });
      });
      return { taskId: id };
    },

    /** Contract (issue 5): a registry's name, owner and data items, for the prefill page. */
    async describe(code: string): Promise<{ code: string; name: LocalizedText; owner: string; items: { id: string; title: LocalizedText }[] } | undefined> {
      const registry = (await catalog.latest()).find((r) => r.code === code);
      if (!registry) return undefined;
      return { code: registry.code, name: registry.name, owner: registry.owner, items: Object.keys(propertiesOf(registry.schema)).map((id) => ({ id, title: itemTitle(registry.schema, id) })) };
    },

    /** Correction tasks of the given owner agencies (every agency's for `all`), newest first. */
    async corrections(owners: readonly string[] | 'all', status: 'open' | 'resolved' = 'open'): Promise<CorrectionTask[]> {
      return (await store.corrections(kernel.db, owners, status)).map(toTask);
    },

    async correction(id: string): Promise<CorrectionTask | undefined> {
      const row = UUID.test(id) ? await store.correction(kernel.db, id) : undefined;
      return row ? toTask(row) : undefined;
    },

    /**
     * Showing tasks shows people's ID numbers and words: one audit record per person and owner
     * agency on the page, the staff member acting for the agency that owns the registry.
     */
    async auditTaskView(tasks: readonly CorrectionTask[], viewer: { accountId: string; requestId?: string }): Promise<void> {
      const groups = new Map<string, { subject: string | undefined; owner: string; registries: Set<string>; tasks: number }>();
      for (const task of tasks) {
        const subject = await subjectOfTask(task);
        const group = `${subject ?? `resident-id:${task.key}`} ${task.owner}`;
        const entry = groups.get(group) ?? { subject, owner: task.owner, registries: new Set<string>(), tasks: 0 };
        entry.registries.add(task.registry);
        entry.tasks += 1;
        groups.set(group, entry);
      }
      for (const { subject, owner, registries, tasks: count } of groups.values()) {
        await kernel.audit.append(kernel.db, {
          actor: { kind: 'staff', id: viewer.accountId, organisation: owner }, action: 'registry.correction.view', ...(subject ? { subject } : {}),
          purpose: purposeText('registries.purpose.corrections'), ...(viewer.requestId ? { requestId: viewer.requestId } : {}),
          details: { tasks: count, ...(registries.size === 1 ? { registry: [...registries][0] } : { registries: [...registries].sort() }) },
        });
      }
    },

    /** Staff of the owner agency close a task with a note; audited for the person who reported it. Another agency's task is not found. */
    async resolveCorrection(input: { id: string; note: string; actor: Actor; mayResolve: (owner: string) => boolean; requestId?: string }): Promise<void> {
      const task = UUID.test(input.id) ? await store.correction(kernel.db, input.id) : undefined;
      // Another agency's task is not found, as an unknown id, but logged as a denial (ADR 34).
      if (task && !input.mayResolve(task.owner)) throw new TongbanError(RegistriesErrors.TB_REGISTRIES_CORRECTION_NOT_FOUND, { denied: 'other-agency' });
      if (!task || task.status !== 'open') throw new TongbanError(RegistriesErrors.TB_REGISTRIES_CORRECTION_NOT_FOUND);
      const subject = await subjectOfTask(toTask(task));
      const note = input.note.trim();
      if (note.length === 0) throw new TongbanError(RegistriesErrors.TB_REGISTRIES_REASON_REQUIRED, { fields: [{ pointer: '/note', message: 'registries.error.noteMissing', detail: 'Say what was done' }] });
      await kernel.db.transaction().execute(async (tx) => {
        if (!(await store.resolveCorrection(tx, task.id, { by: input.actor.id, note: note.slice(0, 2000), at: kernel.now() }))) throw new TongbanError(RegistriesErrors.TB_REGISTRIES_CORRECTION_NOT_FOUND);
        await kernel.audit.append(tx, {
          actor: input.actor, action: 'registry.correction.resolve', ...(subject ? { subject } : {}), resource: { type: 'registry-correction', id: task.id },
          ...(input.requestId ? { requestId: input.requestId } : {}), details: { registry: task.registry },
        });
      });
    },

    /**
     * GovStack mypersonalDataUsage for a system of `agency`: only the uses of the person's data in
     * that agency's own registries (`registry` one of them, or `all` for every one of them), newest
     * first. Another agency's registry is TB_REGISTRIES_FORBIDDEN. Telling is itself a read of the
     * person's trail: audited about them (the caller's purpose, else the fixed one) before the
     * answer leaves.
     */
    async usageForAgency(input: { idNumber: string; registry: string; agency: string; reader: Reader; limit?: number }): Promise<AuditRecord[]> {
      const own = (await catalog.latest()).filter((r) => r.owner === input.agency).map((r) => r.code);
      const wanted = input.registry === 'all' ? own : [(await catalog.get(input.registry.toLowerCase())).code];
      if (!wanted.every((code) => own.includes(code))) {
        throw new TongbanError(RegistriesErrors.TB_REGISTRIES_FORBIDDEN, { detail: `${input.registry} is not a registry of ${input.agency}` });
      }
      const account = await deps.identity.accountByIdNumber(input.idNumber);
      if (!account) throw new TongbanError(RegistriesErrors.TB_REGISTRIES_PERSON_NOT_FOUND);
      const limit = input.limit ?? USAGE_LIMIT;
      const found: AuditRecord[] = [];
      // The trail is read a page at a time until enough of it is about these registries.
      let olderThan: { at: Date; id: string } | undefined;
      for (let pages = 0; wanted.length > 0 && pages < USAGE_PAGES && found.length < limit; pages += 1) {
        const page = await kernel.audit.listBySubject(account.id, { limit: USAGE_LIMIT, ...(olderThan ? { olderThan } : {}) });
        found.push(...page.filter((r) => registriesOfRecord(r).some((code) => wanted.includes(code))));
        const last = page.at(-1);
        if (!last || page.length < USAGE_LIMIT) break;
        olderThan = { at: last.at, id: last.id };
      }
      const purpose = input.reader.purpose.trim() === '' ? purposeText('registries.purpose.usage') : requirePurpose(input.reader.purpose);
      await kernel.audit.append(kernel.db, {
        actor: input.reader.actor, action: 'registry.usage.read', subject: account.id, purpose,
        ...(input.reader.requestId ? { requestId: input.reader.requestId } : {}),
        details: { ...(wanted.length === 1 ? { registry: wanted[0] } : { registries: [...wanted].sort() }), records: Math.min(found.length, limit) },
      });
      return found.slice(0, limit);
    },

    /**
     * Many records at once (demo data, the person generator): validated against the registry's
     * schema, written in one statement per batch with their history; existing keys are skipped.
     */
    async importRecords(code: string, rows: readonly Record<string, unknown>[], writer: { actor: Actor; reason: string }): Promise<number> {
      const registry = await catalog.get(code);
      const prepared = rows.map((data) => {
        validateRecord(registry, data);
        return { id: newId(), key: data[registry.keyField] as string, data };
      });
      if (prepared.length === 0) return 0;
      return store.bulkInsert(kernel.db, {
        registry: registry.code, version: registry.version, searchFields: registry.searchFields, at: kernel.now(),
        actor: { kind: writer.actor.kind, id: writer.actor.id, organisation: writer.actor.organisation ?? null }, reason: writer.reason, rows: prepared,
      });
    },

    /**
     * Adds synthetic persons 0…count-1 to the population register (`tongban seed --persons`), in
     * one transaction of statements of `batchSize` persons each; `progress` after each. The
     * database computes the persons itself (`syntheticPersonsSql`, the same persons as
     * `syntheticPerson`), so nothing but the statement travels; persons already there are skipped.
     * The first person of each batch is validated against the register's schema here, so a schema
     * the generator no longer fits stops the seed before anything is written.
     */
    async generatePersons(count: number, options: { batchSize?: number; progress?: (done: number, added: number) => void } = {}): Promise<{ added: number }> {
      const batchSize = Math.max(1, options.batchSize ?? 10_000);
      const registry = await catalog.get('population');
      const actor = { kind: 'system', id: 'tongban-seed' } as const;
      const input = {
        registry: registry.code, version: registry.version, searchFields: registry.searchFields, at: kernel.now(),
        actor: { kind: actor.kind, id: actor.id, organisation: null }, reason: 'Synthetic persons for testing and benchmarks (tongban seed --persons)',
      };
      return kernel.db.transaction().execute(async (tx) => {
        let added = 0;
        for (let start = 0; start < count; start += batchSize) {
          const end = Math.min(start + batchSize, count);
          validateRecord(registry, { ...syntheticPerson(start) });
          added += await store.insertComputed(tx, input, syntheticPersonsSql(start, end));
          options.progress?.(end, added);
        }
        await kernel.audit.append(tx, { actor, action: 'registry.records.import', details: { registry: 'population', requested: count, added } });
        return { added };
      });
    },

    count: (code: string) => store.count(kernel.db, code),
  };
}
