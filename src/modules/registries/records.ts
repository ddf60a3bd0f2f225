import { newId } from '../../kernel/ids.js';
import type { Actor } from '../../kernel/audit/types.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import { withIdempotency, type IdempotencyClaim } from '../../kernel/idempotency/index.js';
import type { Registry, RegistryCatalog } from './catalog.js';
import { RegistriesErrors } from './errors.js';
import type { Executor, Match, RecordRow, RegistriesStore } from './store.js';
import { propertiesOf, validateRecord } from './validation.js';

export interface RegistryRecord {
  readonly id: string;
  readonly registry: string;
  readonly key: string;
  readonly version: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly revision: number;
  readonly createdAt: Date;
  readonly modifiedAt: Date;
}

/** Who reads, and why: a read without a purpose is refused. */
export interface Reader { readonly actor: Actor; readonly purpose: string; readonly requestId?: string | undefined }
/** Who changes, and why; `mayWrite` says whether they act for the owner agency. */
export interface Writer { readonly actor: Actor; readonly reason: string; readonly requestId?: string | undefined; readonly mayWrite: (owner: string) => boolean }

/** ID number → the account whose data it is, for audit subjects (identity's `auditSubjectByIdNumber`: a disabled account too). */
export interface PersonLookup { auditSubjectByIdNumber(idNumber: string): Promise<{ readonly id: string } | undefined> }

export const toRecord = (row: RecordRow): RegistryRecord => ({
  id: row.id, registry: row.registry, key: row.key, version: row.version, data: row.data, revision: row.revision, createdAt: row.created_at, modifiedAt: row.modified_at,
});

export function requirePurpose(purpose: string | undefined): string {
  const text = purpose?.trim() ?? '';
  if (text.length === 0) throw new TongbanError(RegistriesErrors.TB_REGISTRIES_PURPOSE_REQUIRED, { detail: 'Say why the data is read (X-Road-Issue header or purpose)' });
  return text.slice(0, 500);
}

/** A record's search keys: the values of the registry's search fields that are text. */
export function searchKeysOf(registry: Registry, data: Readonly<Record<string, unknown>>): { field: string; value: string }[] {
  return registry.searchFields.flatMap((field) => (typeof data[field] === 'string' && data[field] !== '' ? [{ field, value: data[field] }] : []));
}

/**
 * Filters from a query string (`query.registeredCapital=1000000`) are text: each is read as its
 * field's type (a number, a whole number, true or false), so it matches what the records hold; a
 * value that is not of that type is refused rather than matching nothing.
 */
export function typedFilters(registry: Registry, filters: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const properties = propertiesOf(registry.schema);
  const refuse = (field: string, detail: string) => new TongbanError(RegistriesErrors.TB_REGISTRIES_INVALID_QUERY, {
    fields: [{ pointer: `/querystring/query.${field}`, message: 'registries.error.invalidQuery', detail }],
  });
  return Object.fromEntries(Object.entries(filters).map(([field, value]) => {
    const declared = properties[field]?.type;
    const type: unknown = Array.isArray(declared) ? (declared as unknown[]).find((t) => t !== 'null') : declared;
    if (typeof value !== 'string') return [field, value];
    if (type === 'integer' || type === 'number') {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n) || (type === 'integer' && !Number.isInteger(n))) throw refuse(field, `must be ${type === 'integer' ? 'a whole number' : 'a number'}`);
      return [field, n];
    }
    if (type === 'boolean') {
      if (value !== 'true' && value !== 'false') throw refuse(field, 'must be true or false');
      return [field, value === 'true'];
    }
    return [field, value];
  }));
}

/**
 * A query object (GovStack's `query.content`) as conditions: the key field probes the unique key
 * index, search fields the search-key index, anything else is a jsonb containment on the registry's rows.
 */
export function matchesOf(registry: Registry, content: Readonly<Record<string, unknown>>): Match[] {
  const properties = propertiesOf(registry.schema);
  const entries = Object.entries(content).filter(([, v]) => v !== undefined);
  if (entries.length === 0) throw new TongbanError(RegistriesErrors.TB_REGISTRIES_INVALID_QUERY, { detail: 'The query names no field to match' });
  const matches: Match[] = [];
  const rest: Record<string, unknown> = {};
  for (const [field, value] of entries) {
    if (!(field in properties)) {
      throw new TongbanError(RegistriesErrors.TB_REGISTRIES_INVALID_QUERY, {
        fields: [{ pointer: `/query/content/${field}`, message: 'registries.error.unknownField', detail: `${registry.code} has no field ${field}` }],
      });
    }
    if (field === registry.keyField && typeof value === 'string') matches.push({ kind: 'key', value });
    else if (registry.searchFields.includes(field) && typeof value === 'string') matches.push({ kind: 'search', field, value, prefix: false });
    else rest[field] = value;
  }
  if (Object.keys(rest).length > 0) matches.push({ kind: 'contains', data: rest });
  return matches;
}

const FOUND_MS = 5 * 60_000;
const NOT_FOUND_MS = 5_000;
const MAX_PEOPLE = 10_000;

/**
 * ID number → account, cached for the audit subject of reads (docs/adr/0028-audited-read-batching.md):
 * an account's id never changes once it exists, so found ones are kept for minutes; a missing one
 * only for seconds (the person may sign up). Concurrent lookups of one number share one query.
 */
export function cachedPeople(people: PersonLookup, clock: () => number = Date.now): PersonLookup {
  const entries = new Map<string, { until: number; readonly value: Promise<{ readonly id: string } | undefined> }>();
  return {
    auditSubjectByIdNumber(idNumber) {
      const at = clock();
      const hit = entries.get(idNumber);
      if (hit && hit.until > at) return hit.value;
      if (entries.size >= MAX_PEOPLE) entries.clear();
      const entry = { until: at + FOUND_MS, value: people.auditSubjectByIdNumber(idNumber) };
      entries.set(idNumber, entry);
      entry.value.then((account) => { if (account === undefined) entry.until = at + NOT_FOUND_MS; }, () => { if (entries.get(idNumber) === entry) entries.delete(idNumber); });
      return entry.value;
    },
  };
}

/** Record reads (each audited) and changes (each in the history, with who and why). */
export function createRecords(kernel: Pick<Kernel, 'db' | 'now' | 'audit'>, store: RegistriesStore, catalog: RegistryCatalog, directory: PersonLookup) {
  const people = cachedPeople(directory);
  /** The person whose data a record is, as an account id for the audit trail, when they have an account. */
  const subjectOf = async (registry: Registry, data: Readonly<Record<string, unknown>>): Promise<string | undefined> => {
    const idNumber = registry.personField ? data[registry.personField] : undefined;
    return typeof idNumber === 'string' ? (await people.auditSubjectByIdNumber(idNumber))?.id : undefined;
  };

  /**
   * One audit record per record read, naming the person (if it is theirs), the purpose and the
   * items. The records are group-committed with other reads' (docs/adr/0028-audited-read-batching.md):
   * this resolves once all of them have committed, so no data leaves before its read is on record.
   */
  const audit = async (registry: Registry, records: readonly RegistryRecord[], reader: Reader, items: readonly string[] | 'all', subject?: string): Promise<void> => {
    const purpose = requirePurpose(reader.purpose);
    await Promise.all(records.map(async (record) => {
      const who = subject ?? (await subjectOf(registry, record.data));
      await kernel.audit.appendCommitted({
        actor: reader.actor, action: 'registry.record.read', purpose, resource: { type: 'registry-record', id: record.id },
        ...(who ? { subject: who } : {}), ...(reader.requestId ? { requestId: reader.requestId } : {}),
        details: { registry: registry.code, items: items === 'all' ? Object.keys(record.data) : [...items] },
      });
    }));
  };

  /** When a query names the person by the key, their account is looked up while the record is read. */
  const prefetchSubject = (registry: Registry, matches: readonly Match[]): void => {
    const match = matches.length === 1 ? matches[0] : undefined;
    if (match?.kind === 'key' && registry.personField === registry.keyField) people.auditSubjectByIdNumber(match.value).catch(() => {});
  };

  /**
   * The one record `matches` name. A change passes its transaction and `lock`: the row is locked
   * until it commits, so two writers of one record apply one after the other, the second on top
   * of the first (without it, the second rewrote the record from what it read before the first
   * committed, and the first's change was lost).
   */
  const one = async (registry: Registry, matches: readonly Match[], executor: Executor = kernel.db, lock = false): Promise<RegistryRecord | undefined> => {
    const key = matches.length === 1 && matches[0]?.kind === 'key' ? matches[0].value : undefined;
    if (key !== undefined) {
      const row = await store.byKey(executor, registry.code, key, { lock });
      return row ? toRecord(row) : undefined;
    }
    const { rows } = await store.list(executor, { registry: registry.code, matches, order: { by: 'key', direction: 'asc' }, limit: 2, offset: 0, lock });
    if (rows.length > 1) throw new TongbanError(RegistriesErrors.TB_REGISTRIES_AMBIGUOUS, { detail: 'Name the record by its key' });
    return rows[0] ? toRecord(rows[0]) : undefined;
  };

  const history = async (executor: Executor, record: { id: string; registry: string; key: string; revision: number }, operation: 'create' | 'update' | 'delete', before: Record<string, unknown> | null, writer: Writer) => {
    await store.addHistory(executor, {
      id: newId(), record_id: record.id, registry: record.registry, key: record.key, revision: record.revision, operation, before,
      actor_kind: writer.actor.kind, actor_id: writer.actor.id, actor_organisation: writer.actor.organisation ?? null, reason: writer.reason, at: kernel.now(),
    });
  };

  const checkWriter = (registry: Registry, writer: Writer): void => {
    if (!writer.mayWrite(registry.owner)) throw new TongbanError(RegistriesErrors.TB_REGISTRIES_FORBIDDEN, { detail: `${registry.code} belongs to ${registry.owner}` });
    if (writer.reason.trim().length === 0) throw new TongbanError(RegistriesErrors.TB_REGISTRIES_REASON_REQUIRED);
  };

  /** A change of one record in `tx`: the new content, and the old one in the history. */
  const applyUpdate = async (tx: Executor, registry: Registry, current: RegistryRecord, write: Readonly<Record<string, unknown>>, writer: Writer): Promise<RegistryRecord> => {
    const data = { ...current.data, ...write };
    validateRecord(registry, data);
    if (data[registry.keyField] !== current.key) {
      throw new TongbanError(RegistriesErrors.TB_REGISTRIES_INVALID_RECORD, { fields: [{ pointer: `/${registry.keyField}`, message: 'registries.error.keyChanged', detail: 'A record\'s key cannot change' }] });
    }
    const next = { ...current, version: registry.version, data, revision: current.revision + 1, modifiedAt: kernel.now() };
    const stored = await store.update(tx, { id: next.id, registry: registry.code, version: next.version, data, revision: next.revision, modified_at: next.modifiedAt }, searchKeysOf(registry, data));
    await history(tx, next, 'update', { ...current.data }, writer);
    return { ...next, data: stored };
  };

  /**
   * An update answers with the whole record, fields not written included: a read by the writer,
   * audited with the reason as purpose once the change committed and before the answer leaves (the
   * person's account is looked up outside the change's transaction). A create answers only what
   * was sent, so it is no read.
   */
  const answered = async (registry: Registry, record: RegistryRecord, writer: Writer): Promise<RegistryRecord> => {
    await audit(registry, [record], { actor: writer.actor, purpose: writer.reason, requestId: writer.requestId }, 'all');
    return record;
  };

  /**
   * A change in one transaction; with an Idempotency-Key the key is recorded in it too, so a
   * retry changes nothing twice and writes no second history entry (ADR 31).
   */
  const changing = <R>(idempotency: IdempotencyClaim | undefined, work: (tx: Executor) => Promise<R>): Promise<R> =>
    kernel.db.transaction().execute(async (tx) => withIdempotency(tx, idempotency, () => work(tx)));

  /** One new record in `tx`, or undefined when its key exists already (committed by another writer too). */
  const tryInsert = async (tx: Executor, registry: Registry, content: unknown, writer: Writer): Promise<RegistryRecord | undefined> => {
    validateRecord(registry, content);
    const at = kernel.now();
    const record: RegistryRecord = { id: newId(), registry: registry.code, key: content[registry.keyField] as string, version: registry.version, data: content, revision: 1, createdAt: at, modifiedAt: at };
    const stored = await store.insert(tx, { id: record.id, registry: record.registry, key: record.key, version: record.version, data: content, revision: 1, created_at: at, modified_at: at }, searchKeysOf(registry, content));
    if (!stored) return undefined;
    await history(tx, record, 'create', null, writer);
    return { ...record, data: stored };
  };

  /** One new record in `tx`; a key that exists already is TB_REGISTRIES_EXISTS (which rolls `tx` back). */
  const insertIn = async (tx: Executor, registry: Registry, content: unknown, writer: Writer, pointer = ''): Promise<RegistryRecord> => {
    const created = await tryInsert(tx, registry, content, writer);
    if (!created) {
      const key = (content as Record<string, unknown>)[registry.keyField] as string;
      throw new TongbanError(RegistriesErrors.TB_REGISTRIES_EXISTS, { fields: [{ pointer: `${pointer}/${registry.keyField}`, message: 'registries.error.exists', detail: `${key} exists already` }] });
    }
    return created;
  };

  /**
   * New records, all in one transaction (all or none); with an Idempotency-Key the key is
   * recorded in it too, so a retry creates nothing twice (ADR 31).
   */
  const createMany = async (registry: Registry, contents: readonly unknown[], writer: Writer, idempotency?: IdempotencyClaim): Promise<RegistryRecord[]> => {
    checkWriter(registry, writer);
    for (const content of contents) validateRecord(registry, content);
    return kernel.db.transaction().execute(async (tx) => withIdempotency(tx, idempotency, async () => {
      const created: RegistryRecord[] = [];
      for (const [n, content] of contents.entries()) created.push(await insertIn(tx, registry, content, writer, contents.length > 1 ? `/write/${n}/content` : ''));
      return created;
    }));
  };

  const create = async (registry: Registry, content: unknown, writer: Writer, idempotency?: IdempotencyClaim): Promise<RegistryRecord> =>
    (await createMany(registry, [content], writer, idempotency))[0]!;

  return {
    subjectOf,
    audit,
    create,
    createMany,

    /** The one record a query names (by key: one index probe), audited; undefined when none. */
    async read(registry: Registry, content: Readonly<Record<string, unknown>>, reader: Reader, items: readonly string[] | 'all' = 'all'): Promise<RegistryRecord | undefined> {
      requirePurpose(reader.purpose);
      const matches = matchesOf(registry, content);
      prefetchSubject(registry, matches);
      const record = await one(registry, matches);
      if (record) await audit(registry, [record], reader, items);
      return record;
    },

    /** Whether a record matches, without returning it; audited as a read of the person's data when one does. */
    async exists(registry: Registry, content: Readonly<Record<string, unknown>>, reader: Reader): Promise<boolean> {
      requirePurpose(reader.purpose);
      const { rows } = await store.list(kernel.db, { registry: registry.code, matches: matchesOf(registry, content), order: { by: 'key', direction: 'asc' }, limit: 1, offset: 0 });
      if (rows[0]) await audit(registry, [toRecord(rows[0])], reader, []);
      return rows.length > 0;
    },

    /** A page of records matching the conditions; each record on it is audited. */
    async list(registry: Registry, query: { matches: readonly Match[]; order: { by: 'key' | 'created_at' | 'modified_at'; direction: 'asc' | 'desc' }; page: number; pageSize: number }, reader: Reader) {
      requirePurpose(reader.purpose);
      prefetchSubject(registry, query.matches);
      const { rows, total } = await store.list(kernel.db, { registry: registry.code, matches: query.matches, order: query.order, limit: query.pageSize, offset: (query.page - 1) * query.pageSize });
      const records = rows.map(toRecord);
      await audit(registry, records, reader, 'all');
      return { records, total };
    },

    async update(registry: Registry, content: Readonly<Record<string, unknown>>, write: Readonly<Record<string, unknown>>, writer: Writer, idempotency?: IdempotencyClaim): Promise<RegistryRecord> {
      checkWriter(registry, writer);
      const matches = matchesOf(registry, content);
      const record = await changing(idempotency, async (tx) => {
        const current = await one(registry, matches, tx, true);
        if (!current) throw new TongbanError(RegistriesErrors.TB_REGISTRIES_NOT_FOUND);
        return applyUpdate(tx, registry, current, write, writer);
      });
      return answered(registry, record, writer);
    },

    /** Updates every record the query matches (at most 1,000 at a time), all or none. */
    async updateEntries(registry: Registry, content: Readonly<Record<string, unknown>>, write: Readonly<Record<string, unknown>>, writer: Writer, idempotency?: IdempotencyClaim): Promise<number> {
      checkWriter(registry, writer);
      const matches = matchesOf(registry, content);
      return changing(idempotency, async (tx) => {
        const { rows } = await store.list(tx, { registry: registry.code, matches, order: { by: 'key', direction: 'asc' }, limit: 1000, offset: 0, lock: true });
        for (const row of rows) await applyUpdate(tx, registry, toRecord(row), write, writer);
        return rows.length;
      });
    },

    async updateOrCreate(registry: Registry, content: Readonly<Record<string, unknown>> | undefined, write: Readonly<Record<string, unknown>>, writer: Writer, idempotency?: IdempotencyClaim): Promise<{ record: RegistryRecord; created: boolean }> {
      checkWriter(registry, writer);
      const query = content ?? (typeof write[registry.keyField] === 'string' ? { [registry.keyField]: write[registry.keyField] } : undefined);
      const matches = query ? matchesOf(registry, query) : undefined;
      const result = await changing(idempotency, async (tx) => {
        const current = matches ? await one(registry, matches, tx, true) : undefined;
        if (current) return { record: await applyUpdate(tx, registry, current, write, writer), created: false };
        const created = await tryInsert(tx, registry, { ...(content ?? {}), ...write }, writer);
        if (created) return { record: created, created: true };
        // Another writer created it after our read and committed: update what they created.
        const theirs = matches ? await one(registry, matches, tx, true) : undefined;
        if (!theirs) return { record: await insertIn(tx, registry, { ...(content ?? {}), ...write }, writer), created: true };
        return { record: await applyUpdate(tx, registry, theirs, write, writer), created: false };
      });
      return result.created ? result : { ...result, record: await answered(registry, result.record, writer) };
    },

    async remove(registry: Registry, key: string, writer: Writer, idempotency?: IdempotencyClaim): Promise<void> {
      checkWriter(registry, writer);
      await changing(idempotency, async (tx) => {
        const row = await store.byKey(tx, registry.code, key, { lock: true });
        if (!row) throw new TongbanError(RegistriesErrors.TB_REGISTRIES_NOT_FOUND);
        await store.remove(tx, row.id);
        await history(tx, { ...row, revision: row.revision + 1 }, 'delete', row.data, writer);
      });
    },

    history: (registry: Registry, key: string) => store.history(kernel.db, registry.code, key),
    catalog,
  };
}

export type Records = ReturnType<typeof createRecords>;
