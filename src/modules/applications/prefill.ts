import { compileForm, fieldModule, type Answers, type CompiledForm, type FieldDefinition, type FormContext, type Text } from '../../forms/index.js';
import type { Actor } from '../../kernel/audit/types.js';
import type { Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { translate, type Locale } from '../../kernel/i18n/index.js';
import type { CatalogService, LocalizedText, PrefillSpec, ServiceVersion } from '../catalog/service.js';
import type { CasePanel, PanelInput } from './panels.js';
import { answersStillFromAccount, type AccountFactsOf } from './prefill-account.js';
import { toAddress } from './prefill-address.js';
import { inSentence } from './prefill-text.js';
import type { PrefillAgreement, PrefillConsentCheck, PrefillPort } from './prefill-port.js';
import { createPrefillStore, type PrefilledField, type PrefillOutcome, type PrefillRow } from './prefill-store.js';
import { createApplicationsStore, type ApplicationRow, type Executor } from './store.js';
import './messages.js';
import { sha256 } from '../../kernel/digest.js';

/**
 * Once-only prefill (docs/adr/0019): before a form's first page the person sees what will be read
 * from which registry and why, gives consent where the data agreement needs it, and the mapped
 * fields are filled in. Every read goes through the registries module (which audits it for "who
 * used my data"); consent is checked right before the read, so a withdrawal stops the next one.
 */

/** Where the person stands, which decides what the prefill page offers. */
export type PrefillStanding =
  | { readonly kind: 'ask-consent' }
  | { readonly kind: 'consented' }
  | { readonly kind: 'legal-basis' }
  | { readonly kind: 'withdrawn' }
  | { readonly kind: 'unavailable'; readonly reason: 'no_id_number' | 'unknown_agreement' | 'unknown_registry' | 'items_not_covered' };

export interface PrefillItem {
  readonly field: string;
  readonly pageId: string;
  readonly fieldLabel: Text;
  readonly item: string;
  readonly itemTitle: LocalizedText;
}

/** What the prefill page shows: the registry, the agreement, what is read into which field. */
export interface PrefillPlan {
  readonly spec: PrefillSpec;
  readonly registryName: LocalizedText;
  readonly ownerName: LocalizedText;
  readonly agreement: PrefillAgreement | undefined;
  readonly controllerName: LocalizedText | undefined;
  readonly items: readonly PrefillItem[];
  readonly standing: PrefillStanding;
  readonly consentPage: string | undefined;
}

/** How each answer relates to the registry: still its value, or changed by the person. */
export interface PrefillMarks {
  readonly registryName: LocalizedText;
  readonly fields: ReadonlyMap<string, { readonly item: string; readonly changed: boolean }>;
}

export type PrefillResult =
  | { readonly outcome: 'filled'; readonly filled: readonly string[] }
  | { readonly outcome: Exclude<PrefillOutcome, 'filled'>; readonly reason: string };

export interface PrefillDeps {
  readonly kernel: Kernel;
  readonly port: PrefillPort | undefined;
  readonly catalog: Pick<CatalogService, 'listAgencies'>;
  /** What a person's own account says: a registry value replaces an answer that still holds it (docs/adr/0070). */
  readonly accountFacts?: AccountFactsOf;
}

/** A stable text of a value (object keys sorted) whose SHA-256 says whether an answer changed. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
export const digestOf = (value: unknown): string => sha256(canonical(value), 'hex');

const both = (key: string): LocalizedText => ({ 'zh-CN': translate('zh-CN', key), en: translate('en', key) });

function fieldsOf(form: CompiledForm): Map<string, { def: FieldDefinition; pageId: string }> {
  return new Map(form.pages.flatMap((page) => page.fields.map((def) => [def.id, { def, pageId: page.id }] as const)));
}

/** A registry value in the shape the field's type takes; a single-line address is split into its parts. */
function shaped(def: FieldDefinition, value: unknown): unknown {
  if (def.type === 'address' && typeof value === 'string') return toAddress(value);
  if ((def.type === 'number' || def.type === 'money') && typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return value;
}

/**
 * The answers a registry's values give, each checked by the form engine as if typed: a value the
 * field would refuse (wrong shape, a date in the future) is left for the person to fill in.
 */
export function answersFromRegistry(form: CompiledForm, spec: PrefillSpec, values: Readonly<Record<string, unknown>>, ctx: FormContext): { answers: Record<string, unknown>; fields: PrefilledField[] } {
  const defs = fieldsOf(form);
  const answers: Record<string, unknown> = {};
  const fields: PrefilledField[] = [];
  for (const { field, item } of spec.fields) {
    const found = defs.get(field);
    const raw = values[item];
    if (!found || raw === undefined || raw === null || raw === '') continue;
    const value = shaped(found.def, raw);
    if (value === undefined) continue;
    const errors = form.validatePage(found.pageId, { [field]: value }, ctx).filter((e) => e.pointer === `/${field}` || e.pointer.startsWith(`/${field}/`));
    if (errors.length > 0) continue;
    answers[field] = value;
    fields.push({ field, item, digest: digestOf(value) });
  }
  return { answers, fields };
}

/** The registry items the service reads that its data agreement does not list: none may be read (ADR 0019). */
export function itemsNotCovered(spec: PrefillSpec, agreement: PrefillAgreement): string[] {
  const allowed = new Set(agreement.items);
  return spec.fields.map((f) => f.item).filter((item) => !allowed.has(item));
}

/** A later decision never replaces one that filled answers in: it alone says which came from the registry. */
const keepsEarlier = (earlier: PrefillRow | undefined): boolean => earlier?.outcome === 'filled';

export function marksOf(row: PrefillRow | undefined, answers: Answers, registryName: LocalizedText): PrefillMarks | undefined {
  if (!row || row.outcome !== 'filled' || row.fields.length === 0) return undefined;
  return { registryName, fields: new Map(row.fields.map((f) => [f.field, { item: f.item, changed: digestOf(answers[f.field]) !== f.digest }])) };
}

/**
 * The form with each prefilled field's hint saying where its answer came from (or that the person
 * changed it), so the mark is read out with the field by screen readers and needs no script.
 */
export function markedForm(form: CompiledForm, marks: PrefillMarks | undefined): CompiledForm {
  if (!marks) return form;
  const hint = (def: FieldDefinition): Text => {
    const mark = marks.fields.get(def.id);
    if (!mark) return def.hint ?? { 'zh-CN': '', en: '' };
    const key = mark.changed ? 'applications.prefill.markChanged' : 'applications.prefill.mark';
    const text = (locale: Locale) => [translate(locale, key, { registry: inSentence(marks.registryName, locale) }), def.hint?.[locale]].filter(Boolean).join(' ');
    return { 'zh-CN': text('zh-CN'), en: text('en') };
  };
  const pages = form.definition.pages.map((page) => ({
    ...page, fields: page.fields.map((def) => (marks.fields.has(def.id) ? { ...def, hint: hint(def) } : def)),
  }));
  return compileForm({ ...form.definition, pages });
}

/** The HTML id a check-your-answers row links to, per prefilled field, to mark the row. */
export function markedRowTargets(form: CompiledForm, marks: PrefillMarks | undefined): Map<string, { field: string; changed: boolean }> {
  const targets = new Map<string, { field: string; changed: boolean }>();
  if (!marks) return targets;
  for (const [id, { def, pageId }] of fieldsOf(form)) {
    const mark = marks.fields.get(id);
    if (mark) targets.set(`${pageId}#${fieldModule(def.type).firstInputId(def, id)}`, { field: id, changed: mark.changed });
  }
  return targets;
}

export function createPrefill(deps: PrefillDeps) {
  const { kernel, port } = deps;
  const store = createPrefillStore();
  const applications = createApplicationsStore();

  async function agencyName(code: string): Promise<LocalizedText> {
    const agency = (await deps.catalog.listAgencies()).find((a) => a.code === code);
    return agency?.name ?? { 'zh-CN': code, en: code };
  }

  function standingOf(check: PrefillConsentCheck, agreement: PrefillAgreement | undefined): PrefillStanding {
    if (check.ok) return { kind: check.basis === 'consent' ? 'consented' : 'legal-basis' };
    if (check.reason === 'unknown_agreement' || !agreement) return { kind: 'unavailable', reason: 'unknown_agreement' };
    if (check.reason === 'withdrawn') return { kind: 'withdrawn' };
    return { kind: 'ask-consent' };
  }

  /** What the prefill page shows for this draft; undefined when the service has no prefill (or no registries are wired). */
  async function plan(version: ServiceVersion, form: CompiledForm, idNumber: string | null): Promise<PrefillPlan | undefined> {
    const spec = version.definition.prefill;
    if (!spec || !port) return undefined;
    const [registry, agreement] = await Promise.all([port.describe(spec.registry), port.agreement(spec.agreement)]);
    const defs = fieldsOf(form);
    const items = spec.fields.flatMap(({ field, item }): PrefillItem[] => {
      const found = defs.get(field);
      if (!found) return [];
      return [{ field, item, pageId: found.pageId, fieldLabel: found.def.label, itemTitle: registry?.items.find((i) => i.id === item)?.title ?? { 'zh-CN': item, en: item } }];
    });
    let standing: PrefillStanding;
    if (!registry) standing = { kind: 'unavailable', reason: 'unknown_registry' };
    else if (!idNumber) standing = { kind: 'unavailable', reason: 'no_id_number' };
    else if (agreement && itemsNotCovered(spec, agreement).length > 0) standing = { kind: 'unavailable', reason: 'items_not_covered' };
    else standing = standingOf(await port.check({ agreementId: spec.agreement, idNumber, at: kernel.now() }), agreement);
    return {
      spec, items, agreement, standing, consentPage: port.consentPage,
      registryName: registry?.name ?? { 'zh-CN': spec.registry, en: spec.registry },
      ownerName: registry ? await agencyName(registry.owner) : both('applications.prefill.unknownOwner'),
      controllerName: agreement ? await agencyName(agreement.controller) : undefined,
    };
  }

  const save = (executor: Executor, row: ApplicationRow, by: string, outcome: PrefillOutcome, extra: Partial<PrefillRow> = {}) =>
    store.save(executor, {
      application_id: row.id, outcome, registry: '', agreement_id: '', agreement_version: null, basis: null, reason: null, fields: [],
      channel: row.channel, decided_by: by, decided_at: kernel.now(), ...extra,
    });

  return {
    plan,

    async decisionFor(applicationId: string): Promise<PrefillRow | undefined> {
      return store.get(kernel.db, applicationId);
    },

    /** The prefill page is due: the service prefills, registries are wired, and nothing was decided yet. */
    async pending(row: Pick<ApplicationRow, 'id' | 'channel'>, version: ServiceVersion): Promise<boolean> {
      if (!version.definition.prefill || !port || row.channel === 'api') return false;
      return !(await store.get(kernel.db, row.id));
    },

    /** Marks for a draft's form pages and check page. */
    async marks(row: ApplicationRow, version: ServiceVersion, answers: Answers): Promise<PrefillMarks | undefined> {
      const spec = version.definition.prefill;
      if (!spec || !port) return undefined;
      const decided = await store.get(kernel.db, row.id);
      if (decided?.outcome !== 'filled') return undefined;
      const registry = await port.describe(spec.registry);
      return marksOf(decided, answers, registry?.name ?? { 'zh-CN': spec.registry, en: spec.registry });
    },

    /**
     * The person's choice: fill in by hand, or prefill (giving consent first where it is asked
     * for). Consent is checked again right before the read: one withdrawn in another tab refuses it.
     * Never throws for a refusal or a registry that does not answer: the outcome says why.
     * Once answers were filled in, a second choice (another tab, the back button) changes nothing
     * and reads nothing: the first decision's record of which answers came from the registry stays.
     */
    async decide(input: {
      row: ApplicationRow; version: ServiceVersion; form: CompiledForm; editor: Principal; choice: 'prefill' | 'self';
      /** Who gives consent (the person online, the clerk at a counter) and who reads (the service's agency). */
      consentActor: Actor; reader: Actor;
      locale: Locale; ctx: FormContext; requestId?: string;
    }): Promise<PrefillResult> {
      const { row, version, editor } = input;
      const spec = version.definition.prefill;
      if (!spec || !port) return { outcome: 'unavailable', reason: 'no_prefill' };
      const idNumber = row.applicant_id_number;
      const about = { registry: spec.registry, agreement_id: spec.agreement };
      if (keepsEarlier(await store.get(kernel.db, row.id))) return { outcome: 'filled', filled: [] };
      if (input.choice === 'self' || !idNumber) {
        const current = idNumber ? await plan(version, input.form, idNumber) : undefined;
        const outcome: PrefillOutcome = current?.standing.kind === 'withdrawn' ? 'refused' : 'declined';
        await save(kernel.db, row, editor.accountId, outcome, { ...about, reason: outcome === 'refused' ? 'withdrawn' : 'by_hand' });
        return { outcome, reason: outcome === 'refused' ? 'withdrawn' : 'by_hand' };
      }
      const request = input.requestId ? { requestId: input.requestId } : {};
      const agreement = await port.agreement(spec.agreement);
      const uncovered = agreement ? itemsNotCovered(spec, agreement) : [];
      if (agreement && uncovered.length > 0) {
        // The agreement changed since publishing (an item dropped): read nothing, ask no consent.
        kernel.log.warn({ agreement: spec.agreement, items: uncovered, applicationId: row.id }, 'prefill items not in the data agreement');
        await save(kernel.db, row, editor.accountId, 'refused', { ...about, agreement_version: agreement.version, reason: 'items_not_covered' });
        return { outcome: 'refused', reason: 'items_not_covered' };
      }
      let check = await port.check({ agreementId: spec.agreement, idNumber, at: kernel.now() });
      if (!check.ok && (check.reason === 'missing' || check.reason === 'expired') && agreement?.needsConsent) {
        await port.give({ agreementId: spec.agreement, idNumber, ...(row.applicant_account_id ? { accountId: row.applicant_account_id } : {}), channel: row.channel === 'counter' ? 'counter' : 'online', actor: input.consentActor, ...request });
        check = await port.check({ agreementId: spec.agreement, idNumber, at: kernel.now() });
      }
      if (!check.ok) {
        await save(kernel.db, row, editor.accountId, 'refused', { ...about, agreement_version: agreement?.version ?? null, reason: check.reason });
        return { outcome: 'refused', reason: check.reason };
      }
      let read: Awaited<ReturnType<PrefillPort['readForPerson']>>;
      try {
        read = await port.readForPerson({
          registry: spec.registry, idNumber, items: spec.fields.map((f) => f.item), actor: input.reader, purpose: spec.purpose[input.locale],
          ...(row.applicant_account_id ? { subject: row.applicant_account_id } : {}), ...request,
        });
      } catch (error) {
        // A registry that fails must not stop the application: the person fills in by hand.
        kernel.log.warn({ err: error, registry: spec.registry, applicationId: row.id }, 'prefill read failed');
        read = null;
      }
      const basis = { ...about, agreement_version: agreement?.version ?? null, basis: check.basis };
      if (!read) {
        await save(kernel.db, row, editor.accountId, 'unavailable', { ...basis, reason: 'no_record' });
        return { outcome: 'unavailable', reason: 'no_record' };
      }
      const { answers, fields } = answersFromRegistry(input.form, spec, read.values, input.ctx);
      const facts = row.channel === 'online' && row.applicant_account_id && deps.accountFacts ? await deps.accountFacts(row.applicant_account_id) : undefined;
      const filled = await kernel.db.transaction().execute(async (tx) => {
        const current = await applications.get(tx, row.id);
        if (!current || current.status !== 'draft') return [];
        // Another tab filled this draft in while the registry was read: its record stands.
        if (keepsEarlier(await store.get(tx, row.id))) return [];
        // What the person already typed wins over the registry; the registry wins over what their
        // account gave and they left as it was (docs/adr/0070).
        const fromAccount = answersStillFromAccount(input.form, facts, current.answers);
        const kept = fields.filter((f) => current.answers[f.field] === undefined || fromAccount.has(f.field));
        const merged = { ...current.answers, ...Object.fromEntries(kept.map((f) => [f.field, answers[f.field]])) };
        await applications.saveDraft(tx, row.id, { answers: merged, documents: current.documents, at: kernel.now() });
        await save(tx, row, editor.accountId, 'filled', { ...basis, fields: kept });
        return kept.map((f) => f.field);
      });
      return { outcome: 'filled', filled };
    },

    /**
     * For the back office: which answers came from the register and which the applicant changed
     * (ADR 0019: a changed answer is shown to staff, who check it against the evidence; it is not
     * an error, registers are sometimes wrong).
     */
    staffPanel: async (input: PanelInput): Promise<CasePanel | null> => {
      const spec = input.definition.prefill;
      if (!spec || !port) return null;
      const [decided, row] = await Promise.all([store.get(kernel.db, input.application.id), applications.get(kernel.db, input.application.id)]);
      if (!row || decided?.outcome !== 'filled') return null;
      const registry = await port.describe(spec.registry);
      const marks = marksOf(decided, row.answers, registry?.name ?? { 'zh-CN': spec.registry, en: spec.registry });
      if (!marks) return null;
      const labels = new Map(input.definition.form.pages.flatMap((p) => p.fields.map((f) => [f.id, f.label[input.locale]] as const)));
      const t = (key: string, params: Record<string, string>) => translate(input.locale, key, params);
      const changed = [...marks.fields.values()].some((m) => m.changed);
      return {
        id: 'prefill', tone: changed ? 'warning' : 'info',
        heading: t('applications.prefill.staffHeading', { registry: inSentence(marks.registryName, input.locale) }),
        lines: [...marks.fields].map(([field, m]) => t(m.changed ? 'applications.prefill.staffChanged' : 'applications.prefill.staffUnchanged', { field: labels.get(field) ?? field })),
        links: [],
      };
    },

    /** "Report wrong data": a correction task for the registry's owner. */
    async reportWrongData(input: { row: ApplicationRow; version: ServiceVersion; items: readonly string[]; description: string; reporter: string; actor: Actor; requestId?: string }): Promise<{ taskId: string }> {
      const spec = input.version.definition.prefill;
      if (!spec || !port || !input.row.applicant_id_number) throw new Error('no prefill to report on');
      return port.reportWrongData({
        registry: spec.registry, idNumber: input.row.applicant_id_number, items: input.items, description: input.description,
        reporter: { accountId: input.reporter }, actor: input.actor, ...(input.requestId ? { requestId: input.requestId } : {}),
      });
    },
  };
}

export type Prefill = ReturnType<typeof createPrefill>;
