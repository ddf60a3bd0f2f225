import type { Actor } from '../../kernel/audit/types.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError, type FieldProblem } from '../../kernel/http/index.js';
import type { Locale } from '../../kernel/i18n/index.js';
import type { AgencyContact, AgencyDefinition, LocalizedText, ServiceDefinition } from './definition.js';
import { actorLabel, contentHash, serviceColumns } from './derive.js';
import './errors.js';
import type { DefinitionBundle, FileProblem } from './folder.js';
import { prefillAgreementProblems } from './prefill-check.js';
import { compareScores, indexOf, parseQuery, scoreOf, type SearchIndex } from './search.js';
import { createCatalogStore, type AgencyRow, type Executor, type ServiceRow, type VersionRow } from './store.js';
import { CATEGORIES, LIFE_EVENTS, type Category, type LifeEvent } from './taxonomy.js';
import { validateAgenciesFile, validateServiceDefinition } from './validate.js';
import { UUID } from '../../kernel/ids.js';

export type * from './definition.js';
export { BUILT_IN_ACTIONS } from './definition.js';
export type { Category, LifeEvent } from './taxonomy.js';
export { CATEGORIES, LIFE_EVENTS, isCategory, isLifeEvent, categoryMessage, lifeEventMessage } from './taxonomy.js';
export { validateServiceDefinition, validateAgenciesFile, workflowProblems, RESERVED_PAGE_IDS, type Checked } from './validate.js';
export { loadDefinitionFolder, type DefinitionBundle, type DefinitionFile, type FileProblem } from './folder.js';
export { CatalogErrors } from './errors.js';
export type { Executor } from './store.js';

export type Outcome = 'created' | 'updated' | 'unchanged';

export interface PublishResult { readonly outcome: Outcome; readonly id: string; readonly slug: string; readonly version: number }

export type ImportReport =
  | { readonly ok: false; readonly problems: readonly FileProblem[] }
  | { readonly ok: true; readonly agencies: readonly { code: string; outcome: Outcome }[]; readonly services: readonly (PublishResult & { file: string })[] };

/** One published version of a service: what an application made under it keeps referring to. */
export interface ServiceVersion {
  readonly id: string;
  readonly slug: string;
  readonly agencyCode: string;
  readonly version: number;
  readonly currentVersion: number;
  /** False once unpublished: hidden from search and the start page, history kept. */
  readonly listed: boolean;
  readonly contentHash: string;
  readonly publishedAt: Date;
  readonly publishedBy: string;
  readonly definition: ServiceDefinition;
}

export interface ServiceSummary {
  readonly id: string;
  readonly slug: string;
  readonly agencyCode: string;
  readonly version: number;
  readonly listed: boolean;
  readonly category: Category;
  readonly lifeEvents: LifeEvent[];
  readonly name: LocalizedText;
  readonly summary: LocalizedText;
}

export interface Agency { readonly code: string; readonly name: LocalizedText; readonly contact: AgencyContact }

export interface SearchQuery {
  readonly text?: string;
  readonly category?: string;
  readonly lifeEvent?: string;
  /** Orders results of equal rank by their name in this language. */
  readonly locale?: Locale;
  readonly includeUnlisted?: boolean;
}

/** Says whether the publisher may act for an agency; routes build it from the principal's roles. */
export type AgencyGuard = (agencyCode: string) => boolean;

const keyOf = (slugOrId: string) => (UUID.test(slugOrId) ? { id: slugOrId.toLowerCase() } : { slug: slugOrId });

const toAgency = (r: AgencyRow): Agency => ({ code: r.code, name: { 'zh-CN': r.name_zh, en: r.name_en }, contact: r.contact });

const toSummary = (r: ServiceRow): ServiceSummary => ({
  id: r.id, slug: r.slug, agencyCode: r.agency_code, version: r.current_version, listed: r.listed,
  category: r.category as Category, lifeEvents: r.life_events as LifeEvent[],
  name: { 'zh-CN': r.name_zh, en: r.name_en }, summary: { 'zh-CN': r.summary_zh, en: r.summary_en },
});

const toVersion = (s: ServiceRow, v: VersionRow): ServiceVersion => ({
  id: s.id, slug: s.slug, agencyCode: v.definition.agency, version: v.version, currentVersion: s.current_version, listed: s.listed,
  contentHash: v.content_hash, publishedAt: v.published_at, publishedBy: v.published_by, definition: v.definition,
});

const forbidden = (agency: string) => new TongbanError('TB_KERNEL_FORBIDDEN', { detail: `You may not publish services of agency ${agency}` });

/**
 * How long the home page's counts of services per category and life event are reused. They change
 * only when a service is published, listed or unlisted: on this instance that clears them at once;
 * another instance's change shows within this time (docs/adr/0027-request-hot-paths.md).
 */
const BROWSE_COUNTS_MS = 5_000;

/** Values kept for `ms` after they were read, by name; `clear` forgets them all. */
function shortMemo(ms: number) {
  const kept = new Map<string, { until: number; value: Promise<unknown> }>();
  return {
    get<T>(name: string, read: () => Promise<T>): Promise<T> {
      const hit = kept.get(name);
      if (hit && hit.until > Date.now()) return hit.value as Promise<T>;
      const value = read();
      kept.set(name, { until: Date.now() + ms, value });
      // A failed read is not kept.
      value.catch(() => { if (kept.get(name)?.value === value) kept.delete(name); });
      return value;
    },
    clear: () => kept.clear(),
  };
}

/** Published versions kept in memory (see `versionOf`); a bound, not a working-set estimate. */
const VERSION_CACHE_SIZE = 512;

/** What the catalog asks other modules about a definition's references to them; each is optional. */
export interface CatalogDeps {
  /** The items of a data agreement in force (the consent module's), undefined for an unknown or retired one. */
  readonly agreementItems?: (agreementId: string) => Promise<readonly string[] | undefined>;
}

export function createCatalogService(kernel: Kernel, deps: CatalogDeps = {}) {
  const store = createCatalogStore();
  const db: Executor = kernel.db;
  const versions = new Map<string, VersionRow>();
  const browseCounts = shortMemo(BROWSE_COUNTS_MS);

  /**
   * A version row, from memory when it was read before (docs/adr/0027-request-hot-paths.md). A
   * published version is never changed, only followed by a new one, so a committed row read once
   * stays true on every instance. Only rows read outside a transaction are kept: a row a caller's
   * transaction just wrote could still be rolled back.
   */
  async function versionOf(executor: Executor, serviceId: string, version: number): Promise<VersionRow | undefined> {
    const key = `${serviceId}:${version}`;
    const known = versions.get(key);
    if (known) return known;
    const row = await store.getVersion(executor, serviceId, version);
    if (row && !executor.isTransaction) {
      if (versions.size >= VERSION_CACHE_SIZE) versions.delete(versions.keys().next().value as string);
      versions.set(key, row);
    }
    return row;
  }

  const indexes = new Map<string, SearchIndex>();
  /**
   * A service's search columns normalised (search.ts), kept per published version like `versionOf`:
   * a version's columns are written once with it and read here outside any transaction.
   */
  function searchIndex(row: ServiceRow): SearchIndex {
    const key = `${row.id}:${row.current_version}`;
    let index = indexes.get(key);
    if (!index) {
      if (indexes.size >= VERSION_CACHE_SIZE) indexes.delete(indexes.keys().next().value as string);
      index = indexOf(row.name_search, row.text_search);
      indexes.set(key, index);
    }
    return index;
  }

  async function writeAgency(tx: Executor, agency: AgencyDefinition, by: Actor): Promise<Outcome> {
    await store.lockPublishing(tx);
    const hash = contentHash(agency);
    const existing = await store.getAgency(tx, agency.code);
    if (existing?.content_hash === hash) return 'unchanged';
    const row = { code: agency.code, nameZh: agency.name['zh-CN'], nameEn: agency.name.en, contact: agency.contact, contentHash: hash };
    if (existing) await store.updateAgency(tx, row, kernel.now());
    else await store.insertAgency(tx, row, kernel.now());
    const outcome = existing ? 'updated' : 'created';
    await kernel.audit.append(tx, { actor: by, action: 'catalog.agency.publish', resource: { type: 'agency', id: agency.code }, details: { outcome, contentHash: hash } });
    return outcome;
  }

  /**
   * Writes a valid definition: a new service, a new version of a changed one, or nothing when it
   * equals the current version, so importing the same files twice changes nothing.
   */
  async function writeDefinition(tx: Executor, definition: ServiceDefinition, by: Actor, may: AgencyGuard): Promise<PublishResult> {
    // Before anything is read: a new service (or slug) published twice at once is created once.
    await store.lockPublishing(tx);
    if (!(await store.getAgency(tx, definition.agency))) {
      throw new TongbanError('TB_CATALOG_UNKNOWN_AGENCY', {
        detail: `Agency ${definition.agency} does not exist`,
        fields: [{ pointer: '/agency', message: 'catalog.problem.unknownAgency', params: { agency: definition.agency }, detail: `agency "${definition.agency}" does not exist` }],
      });
    }
    const bySlug = await store.getService(tx, { slug: definition.slug });
    if (bySlug && bySlug.id !== definition.id) {
      throw new TongbanError('TB_CATALOG_SLUG_TAKEN', {
        detail: `The slug ${definition.slug} belongs to service ${bySlug.id}`,
        fields: [{ pointer: '/slug', message: 'catalog.problem.slugTaken', params: { slug: definition.slug }, detail: `slug "${definition.slug}" belongs to another service` }],
      });
    }
    const existing = await store.getService(tx, { id: definition.id }, { forUpdate: true });
    // Moving a service to another agency needs the right to act for both.
    if (existing && !may(existing.agency_code)) throw forbidden(existing.agency_code);
    const hash = contentHash(definition);
    const at = kernel.now();
    const publishedBy = actorLabel(by);
    let result: PublishResult;
    if (!existing) {
      await store.insertService(tx, serviceColumns(definition, 1), at);
      await store.insertVersion(tx, { serviceId: definition.id, version: 1, definition, contentHash: hash, publishedBy }, at);
      result = { outcome: 'created', id: definition.id, slug: definition.slug, version: 1 };
    } else {
      const current = await store.getVersion(tx, existing.id, existing.current_version);
      if (current?.content_hash === hash) return { outcome: 'unchanged', id: existing.id, slug: existing.slug, version: existing.current_version };
      const version = existing.current_version + 1;
      await store.insertVersion(tx, { serviceId: definition.id, version, definition, contentHash: hash, publishedBy }, at);
      await store.updateService(tx, serviceColumns(definition, version), at);
      result = { outcome: 'updated', id: definition.id, slug: definition.slug, version };
    }
    await kernel.audit.append(tx, {
      actor: by, action: 'catalog.service.publish', resource: { type: 'service', id: definition.id },
      details: { slug: definition.slug, version: result.version, outcome: result.outcome, contentHash: hash },
    });
    return result;
  }

  /** Problems with what a valid definition refers to outside the catalog: a prefill item its data agreement does not list. */
  async function referenceProblems(definition: ServiceDefinition): Promise<FieldProblem[]> {
    const prefill = definition.prefill;
    if (!prefill || !deps.agreementItems) return [];
    const items = await deps.agreementItems(prefill.agreement);
    // An agreement not in force (not made yet, retired) lists nothing to check against: a draft
    // then finds the prefill unavailable and is filled in by hand.
    return items ? prefillAgreementProblems(prefill, items) : [];
  }

  /** Checks every file of an import, and what they refer to, before anything is written. */
  async function checkBundle(bundle: DefinitionBundle): Promise<{ problems: FileProblem[]; agencies: AgencyDefinition[]; services: { file: string; definition: ServiceDefinition }[] }> {
    const problems: FileProblem[] = [];
    const agencies: AgencyDefinition[] = [];
    const services: { file: string; definition: ServiceDefinition }[] = [];
    let agenciesValid = true;
    if (bundle.agencies) {
      const { file, json } = bundle.agencies;
      const checked = validateAgenciesFile(json);
      if (checked.ok) agencies.push(...checked.value);
      else problems.push(...checked.problems.map((p) => ({ file, pointer: p.pointer, detail: p.detail })));
      agenciesValid = checked.ok;
    }
    const known = new Set([...(await store.agencyCodes(db)), ...agencies.map((a) => a.code)]);
    const ids = new Map<string, string>();
    const slugs = new Map<string, string>();
    for (const { file, json } of bundle.services) {
      const checked = validateServiceDefinition(json);
      if (!checked.ok) { problems.push(...checked.problems.map((p) => ({ file, pointer: p.pointer, detail: p.detail }))); continue; }
      const d = checked.value;
      const clash = (pointer: string, detail: string) => problems.push({ file, pointer, detail });
      for (const p of await referenceProblems(d)) clash(p.pointer, p.detail);
      // With a broken agencies.json every reference would look unknown: report the file once instead.
      if (agenciesValid && !known.has(d.agency)) clash('/agency', `agency "${d.agency}" is neither in the database nor in agencies.json`);
      if (ids.has(d.id)) clash('/id', `id ${d.id} is also used by ${ids.get(d.id)}`);
      if (slugs.has(d.slug)) clash('/slug', `slug "${d.slug}" is also used by ${slugs.get(d.slug)}`);
      const owner = await store.getService(db, { slug: d.slug });
      if (owner && owner.id !== d.id) clash('/slug', `slug "${d.slug}" belongs to service ${owner.id}`);
      ids.set(d.id, file);
      slugs.set(d.slug, file);
      services.push({ file, definition: d });
    }
    return { problems, agencies, services };
  }

  async function serviceRow(slugOrId: string, executor: Executor): Promise<ServiceRow | undefined> {
    return store.getService(executor, keyOf(slugOrId));
  }

  return {
    validateDefinition: validateServiceDefinition,

    /**
     * Publishes one definition (API). Throws TB_CATALOG_INVALID_DEFINITION with a JSON Pointer per
     * problem, TB_KERNEL_FORBIDDEN when `may` refuses the agency, TB_CATALOG_SLUG_TAKEN, or
     * TB_CATALOG_UNKNOWN_AGENCY.
     */
    async publishDefinition(json: unknown, by: Actor, may: AgencyGuard): Promise<PublishResult> {
      const checked = validateServiceDefinition(json);
      if (!checked.ok) throw new TongbanError('TB_CATALOG_INVALID_DEFINITION', { fields: checked.problems });
      if (!may(checked.value.agency)) throw forbidden(checked.value.agency);
      const references = await referenceProblems(checked.value);
      if (references.length > 0) throw new TongbanError('TB_CATALOG_INVALID_DEFINITION', { fields: references });
      const result = await kernel.db.transaction().execute((tx) => writeDefinition(tx, checked.value, by, may));
      browseCounts.clear();
      return result;
    },

    /** Imports agencies and services all together or not at all (CLI, demo seed). */
    async importBundle(bundle: DefinitionBundle, by: Actor): Promise<ImportReport> {
      const checked = await checkBundle(bundle);
      if (checked.problems.length > 0) return { ok: false, problems: checked.problems };
      const imported = await kernel.db.transaction().execute(async (tx) => {
        const agencies = [];
        for (const a of checked.agencies) agencies.push({ code: a.code, outcome: await writeAgency(tx, a, by) });
        const services = [];
        for (const s of checked.services) services.push({ file: s.file, ...(await writeDefinition(tx, s.definition, by, () => true)) });
        return { ok: true as const, agencies, services };
      });
      browseCounts.clear();
      return imported;
    },

    /** The exact definition an application was made under; unpublished services included. */
    async getServiceVersion(id: string, version: number, executor: Executor = db): Promise<ServiceVersion | undefined> {
      if (!UUID.test(id) || !Number.isSafeInteger(version)) return undefined;
      const service = await store.getService(executor, { id: id.toLowerCase() });
      const row = service && (await versionOf(executor, service.id, version));
      return service && row ? toVersion(service, row) : undefined;
    },

    /** The current version by slug or id; an unpublished service only when asked for. */
    async getCurrentService(slugOrId: string, options: { includeUnlisted?: boolean; executor?: Executor } = {}): Promise<ServiceVersion | undefined> {
      const executor = options.executor ?? db;
      const service = await serviceRow(slugOrId, executor);
      if (!service || (!service.listed && !options.includeUnlisted)) return undefined;
      const row = await versionOf(executor, service.id, service.current_version);
      return row ? toVersion(service, row) : undefined;
    },

    async listVersions(slugOrId: string): Promise<{ version: number; contentHash: string; publishedAt: Date; publishedBy: string }[]> {
      const service = await serviceRow(slugOrId, db);
      if (!service) return [];
      return (await store.listVersions(db, service.id)).map((v) => ({ version: v.version, contentHash: v.content_hash, publishedAt: v.published_at, publishedBy: v.published_by }));
    },

    /** Hides a service from search and its start page (or shows it again); history stays. */
    async setListed(slugOrId: string, listed: boolean, by: Actor, may: AgencyGuard): Promise<ServiceSummary> {
      // Cleared after the commit whatever the outcome: a failed transaction changed nothing, and a cleared cache costs one read.
      return kernel.db.transaction().execute(async (tx) => {
        const service = await serviceRow(slugOrId, tx);
        if (!service) throw new TongbanError('TB_CATALOG_SERVICE_NOT_FOUND', { detail: `No service ${slugOrId}` });
        if (!may(service.agency_code)) throw forbidden(service.agency_code);
        if (service.listed !== listed) {
          await store.setListed(tx, service.id, listed, kernel.now());
          await kernel.audit.append(tx, { actor: by, action: listed ? 'catalog.service.list' : 'catalog.service.unlist', resource: { type: 'service', id: service.id } });
        }
        return toSummary({ ...service, listed });
      }).finally(() => browseCounts.clear());
    },

    /**
     * Listed services whose names, keywords or guidance (either language) hold what was asked
     * (search.ts: character pairs, stems, a slip), name matches first. Every listed service of the
     * category is ranked here: a bound of a few hundred services, as browsing reads them all.
     */
    async searchServices(query: SearchQuery = {}): Promise<ServiceSummary[]> {
      const rows = await store.search(db, {
        includeUnlisted: query.includeUnlisted ?? false,
        ...(query.category ? { category: query.category } : {}),
        ...(query.lifeEvent ? { lifeEvent: query.lifeEvent } : {}),
      });
      const locale = query.locale ?? 'zh-CN';
      const collator = new Intl.Collator(locale);
      const nameOf = (r: ServiceRow) => (locale === 'en' ? r.name_en : r.name_zh);
      const byName = (a: ServiceRow, b: ServiceRow) => collator.compare(nameOf(a), nameOf(b));
      if (!query.text?.trim()) return rows.sort(byName).map(toSummary);
      const asked = parseQuery(query.text);
      const scored = rows.flatMap((row) => {
        const score = scoreOf(asked, searchIndex(row));
        return score ? [{ row, score }] : [];
      });
      return scored.sort((a, b) => compareScores(a.score, b.score) || byName(a.row, b.row)).map((s) => toSummary(s.row));
    },

    /** Categories with at least one listed service, in the vocabulary's order. */
    async listCategories(): Promise<{ id: Category; count: number }[]> {
      const counts = new Map((await browseCounts.get('categories', () => store.countByCategory(db))).map((c) => [c.category, c.count]));
      return CATEGORIES.filter((c) => counts.has(c)).map((id) => ({ id, count: counts.get(id)! }));
    },

    async listLifeEvents(): Promise<{ id: LifeEvent; count: number }[]> {
      const counts = new Map((await browseCounts.get('lifeEvents', () => store.countByLifeEvent(db))).map((c) => [c.lifeEvent, c.count]));
      return LIFE_EVENTS.filter((e) => counts.has(e)).map((id) => ({ id, count: counts.get(id)! }));
    },

    async listAgencies(): Promise<Agency[]> {
      return (await store.listAgencies(db)).map(toAgency);
    },

    async getAgency(code: string, executor: Executor = db): Promise<Agency | undefined> {
      const row = await store.getAgency(executor, code);
      return row && toAgency(row);
    },
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;
