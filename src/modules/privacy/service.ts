import { agencyOfOrganisation } from '../../kernel/auth/machine/index.js';
import { newId, UUID } from '../../kernel/ids.js';
import { hasRole, type Principal } from '../../kernel/auth/index.js';
import { purposeText, type AuditRecord, type SubjectQuery } from '../../kernel/audit/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import { translate, type Locale } from '../../kernel/i18n/index.js';
import type { CatalogService, LocalizedText } from '../catalog/service.js';
import type { IdentityService } from '../identity/service.js';
import type { MessagingService } from '../messaging/service.js';
import { collectCopy, type CopySources, type PersonalDataCopy } from './copy.js';
import { PrivacyErrors } from './errors.js';
import { parseFilters, type AccessFilters, type ParsedFilters } from './filters.js';
import { createPrivacyStore, type QuestionRow } from './store.js';
import './messages.js';

export { COPY_PURPOSE, COPY_SECTIONS, type CopyCollector, type CopyReading, type CopySectionId, type CopySources, type PersonalDataCopy } from './copy.js';
export { PrivacyErrors } from './errors.js';
export { ACTOR_KIND_FILTERS, type AccessFilters, type ActorKindFilter } from './filters.js';

/** The organisation asked when no agency acted (a platform job, the platform's own staff). */
export const PLATFORM_ORGANISATION = 'platform';
/** Why staff read a question: shown to the person on their own "who used my data" page. */
export const ANSWERING_PURPOSE = purposeText('privacy.purpose.answering');
export const NOTICE_QUEUE = 'privacy.notice';
const NOTICE_EVERY_MS = 15 * 60_000;
const PAGE = 50;
const EXPORT_MAX = 5000;
const TEXT_MAX = 2000;

/** One use of a person's data, as the person reads it. */
export interface Access {
  readonly id: string;
  readonly at: Date;
  readonly actor: { readonly kind: AuditRecord['actor']['kind']; readonly id: string; readonly name: string | undefined };
  readonly organisation: { readonly code: string; readonly name: LocalizedText | undefined } | undefined;
  readonly action: string;
  readonly purpose: string | undefined;
  readonly resource: { readonly type: string; readonly id: string } | undefined;
  /** Which data items were read, where the record says. */
  readonly items: readonly string[];
  /** Whether the actor acted for the person (a representative, a clerk at the counter): the record names whom for. */
  readonly onBehalf: boolean;
}

export interface AccessPage {
  readonly items: readonly Access[];
  /** Pass back as `older` for the next (older) page; undefined on the last page. */
  readonly older: string | undefined;
}

export interface Question {
  readonly id: string;
  readonly accessId: string;
  readonly organisation: string;
  readonly question: string;
  readonly askedAt: Date;
  readonly answer: { readonly text: string; readonly at: Date } | undefined;
}

export interface Deps {
  readonly identity: Pick<IdentityService, 'account'>;
  readonly catalog: Pick<CatalogService, 'getAgency' | 'listAgencies'>;
  readonly messaging: Pick<MessagingService, 'notify'>;
  /** What every other module holds about a person, for their copy of their data (copy.ts). */
  readonly copy: CopySources;
}

const toQuestion = (row: QuestionRow): Question => ({
  id: row.id, accessId: row.audit_record_id, organisation: row.organisation, question: row.question, askedAt: row.created_at,
  answer: row.answer !== null && row.answered_at !== null ? { text: row.answer, at: row.answered_at } : undefined,
});


/** `older` cursors are `<ISO time>_<record id>`: opaque to the person, checked here. */
function parseCursor(text: string | undefined): { at: Date; id: string } | undefined {
  if (!text) return undefined;
  const [iso, id] = text.split('_');
  const at = iso ? new Date(iso) : undefined;
  if (!at || Number.isNaN(at.getTime()) || !id || !UUID.test(id)) throw new TongbanError(PrivacyErrors.TB_PRIVACY_FILTER_INVALID, { detail: 'The page link is not valid' });
  return { at, id };
}

function itemsOf(record: AuditRecord): string[] {
  const details = record.details ?? {};
  for (const name of ['items', 'fields']) {
    const value = details[name];
    if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  }
  return [];
}

/**
 * "Who used my data": every record of the audit trail about a person that someone else made,
 * explained; questions about one use, answered by the organisation that made it; and an email
 * when the person's data is used, if they ask for one. See docs/adr/0024-who-used-my-data.md.
 */
export function createPrivacyService(kernel: Pick<Kernel, 'db' | 'audit' | 'jobs' | 'now' | 'log'>, deps: Deps) {
  const store = createPrivacyStore();
  const db = kernel.db;

  const query = (person: Principal, filters: ParsedFilters): SubjectQuery => ({
    notBy: person.accountId,
    ...(filters.from ? { from: filters.from } : {}),
    ...(filters.to ? { to: filters.to } : {}),
    ...(filters.organisation !== undefined ? { organisation: filters.organisation } : {}),
    ...(filters.kind !== undefined ? { actorKinds: [filters.kind] } : {}),
  });

  const checked = (raw: AccessFilters): ParsedFilters => {
    const { filters, errors } = parseFilters(raw);
    if (errors.length > 0) throw new TongbanError(PrivacyErrors.TB_PRIVACY_FILTER_INVALID, { fields: errors, detail: errors.map((e) => e.detail).join('; ') });
    return filters;
  };

  /** Names of the organisations and staff in these records, looked up once each. */
  async function explain(records: readonly AuditRecord[]): Promise<Access[]> {
    const agencies = new Map<string, Promise<LocalizedText | undefined>>();
    const people = new Map<string, Promise<string | undefined>>();
    const agencyName = (code: string) => {
      if (!agencies.has(code)) agencies.set(code, deps.catalog.getAgency(code).then((a) => a?.name));
      return agencies.get(code)!;
    };
    const staffName = (id: string) => {
      if (!people.has(id)) people.set(id, deps.identity.account(id).then((a) => a?.name));
      return people.get(id)!;
    };
    return Promise.all(records.map(async (record): Promise<Access> => {
      // A system's records written before ADR 56 name its subsystem (CN/GOV/110000-PSB/…): its agency is the member.
      const code = record.actor.organisation === undefined ? undefined : agencyOfOrganisation(record.actor.organisation);
      return {
        id: record.id, at: record.at, action: record.action, purpose: record.purpose, resource: record.resource, items: itemsOf(record), onBehalf: record.onBehalfOf !== undefined,
        actor: { kind: record.actor.kind, id: record.actor.id, name: record.actor.kind === 'staff' ? await staffName(record.actor.id) : undefined },
        organisation: code === undefined ? undefined : { code, name: await agencyName(code) },
      };
    }));
  }

  async function notifyUses(): Promise<void> {
    const until = kernel.now();
    for (const pref of await store.dueForNotice(db, until, 200)) {
      const used = await kernel.audit.listBySubject(pref.account_id, { from: pref.told_up_to, to: until, notBy: pref.account_id, limit: 500 });
      await db.transaction().execute(async (tx) => {
        // Another instance told them already: say nothing twice.
        if (!(await store.markTold(tx, pref.account_id, pref.told_up_to, until))) return;
        if (used.length === 0) return;
        await deps.messaging.notify(tx, {
          accountId: pref.account_id, template: 'dataUsed', locale: pref.locale as Locale,
          params: { count: used.length === 500 ? '500+' : String(used.length), since: pref.told_up_to.toISOString() },
        });
      });
    }
  }
  kernel.jobs.register(NOTICE_QUEUE, notifyUses);
  kernel.jobs.every(NOTICE_QUEUE, NOTICE_EVERY_MS, {});

  /** One use of the person's data by someone else; TB_PRIVACY_ACCESS_NOT_FOUND otherwise. */
  async function access(person: Principal, id: string): Promise<Access> {
    const record = await kernel.audit.recordFor(person.accountId, id);
    if (!record) {
      // Another person's record is "not found" too, but logged as a security event (issue 9).
      throw new TongbanError(PrivacyErrors.TB_PRIVACY_ACCESS_NOT_FOUND, (await kernel.audit.exists(id)) ? { denied: 'not-owner' } : {});
    }
    if (record.actor.id === person.accountId) throw new TongbanError(PrivacyErrors.TB_PRIVACY_ACCESS_NOT_FOUND);
    const [explained] = await explain([record]);
    return explained!;
  }

  /** The organisations whose questions this member of staff answers; `all` for platform administrators. */
  const answersFor = (staff: Principal): readonly string[] | 'all' =>
    (hasRole(staff, 'platform_admin') ? 'all' : staff.roles.filter((r) => r.role === 'agency_admin').map((r) => r.agency));

  return {
    parseFilters,

    /** The organisations a person may filter by, with their names. */
    organisations: async (): Promise<{ code: string; name: LocalizedText }[]> =>
      (await deps.catalog.listAgencies()).map((a) => ({ code: a.code, name: a.name })),

    /** A page of uses of the person's data by others, newest first. Throws TB_PRIVACY_FILTER_INVALID. */
    async accesses(person: Principal, raw: AccessFilters, options: { older?: string | undefined } = {}): Promise<AccessPage> {
      const filters = checked(raw);
      const olderThan = parseCursor(options.older);
      const records = await kernel.audit.listBySubject(person.accountId, { ...query(person, filters), ...(olderThan ? { olderThan } : {}), limit: PAGE + 1 });
      const shown = records.slice(0, PAGE);
      const last = shown.at(-1);
      return { items: await explain(shown), older: records.length > PAGE && last ? `${last.at.toISOString()}_${last.id}` : undefined };
    },

    /** Every use matching the filters (up to 5,000, newest first), for a download. */
    async exportAccesses(person: Principal, raw: AccessFilters): Promise<Access[]> {
      const base = query(person, checked(raw));
      const all: AuditRecord[] = [];
      let olderThan: { at: Date; id: string } | undefined;
      while (all.length < EXPORT_MAX) {
        const batch = await kernel.audit.listBySubject(person.accountId, { ...base, ...(olderThan ? { olderThan } : {}), limit: 500 });
        all.push(...batch);
        const last = batch.at(-1);
        if (batch.length < 500 || !last) break;
        olderThan = { at: last.at, id: last.id };
      }
      return explain(all.slice(0, EXPORT_MAX));
    },

    access,

    /** Asks the organisation that used the data about one use. */
    async ask(person: Principal, accessId: string, text: string, options: { locale: Locale; requestId?: string }): Promise<Question> {
      const used = await access(person, accessId);
      const question = text.trim();
      // PostgreSQL refuses a NUL byte in text: it gave a 500 (found by the form fuzzing, issue 9).
      if (question === '' || question.length > TEXT_MAX || question.includes('\u0000')) {
        throw new TongbanError(PrivacyErrors.TB_PRIVACY_QUESTION_REQUIRED, { fields: [{ pointer: '/question', message: 'privacy.ask.required', detail: `Write a question of at most ${TEXT_MAX} characters` }] });
      }
      const row = {
        id: newId(), account_id: person.accountId, audit_record_id: used.id, organisation: used.organisation?.code ?? PLATFORM_ORGANISATION,
        question, locale: options.locale, created_at: kernel.now(),
      };
      await db.transaction().execute(async (tx) => {
        await store.insertQuestion(tx, row);
        await kernel.audit.append(tx, {
          actor: { kind: 'person', id: person.accountId }, action: 'privacy.question.ask', subject: person.accountId,
          resource: { type: 'privacy-question', id: row.id }, details: { access: used.id, organisation: row.organisation },
          ...(options.requestId ? { requestId: options.requestId } : {}),
        });
      });
      return toQuestion({ ...row, answer: null, answered_by: null, answered_at: null });
    },

    async questions(person: Principal): Promise<Question[]> {
      return (await store.questionsOf(db, person.accountId)).map(toQuestion);
    },

    /**
     * Open questions this member of staff answers (agency administrators are their agency's
     * data-protection contact), each with the use asked about. Reading them is audited.
     */
    async openQuestions(staff: Principal, options: { requestId?: string } = {}): Promise<{ question: Question; access: Access | undefined }[]> {
      const rows = await store.openQuestionsFor(db, answersFor(staff));
      return Promise.all(rows.map(async (row) => {
        const record = await kernel.audit.recordFor(row.account_id, row.audit_record_id);
        await kernel.audit.append(db, {
          actor: { kind: 'staff', id: staff.accountId, organisation: row.organisation }, action: 'privacy.question.view', subject: row.account_id,
          resource: { type: 'privacy-question', id: row.id }, purpose: ANSWERING_PURPOSE, ...(options.requestId ? { requestId: options.requestId } : {}),
        });
        const [access] = record ? await explain([record]) : [];
        return { question: toQuestion(row), access };
      }));
    },

    /** Answers a question of the staff member's organisation once, and tells the person. */
    async answer(staff: Principal, questionId: string, text: string, options: { requestId?: string } = {}): Promise<void> {
      const row = UUID.test(questionId) ? await store.question(db, questionId.toLowerCase()) : undefined;
      const mine = answersFor(staff);
      if (!row) throw new TongbanError(PrivacyErrors.TB_PRIVACY_QUESTION_NOT_FOUND);
      if (mine !== 'all' && !mine.includes(row.organisation)) throw new TongbanError(PrivacyErrors.TB_PRIVACY_QUESTION_NOT_FOUND, { denied: 'other-agency' });
      const answer = text.trim();
      if (answer === '' || answer.length > TEXT_MAX || answer.includes('\u0000')) {
        throw new TongbanError(PrivacyErrors.TB_PRIVACY_ANSWER_REQUIRED, { fields: [{ pointer: '/answer', message: 'privacy.answer.required', detail: `Write an answer of at most ${TEXT_MAX} characters` }] });
      }
      const name = row.organisation === PLATFORM_ORGANISATION ? undefined : (await deps.catalog.getAgency(row.organisation))?.name;
      const locale = row.locale as Locale;
      await db.transaction().execute(async (tx) => {
        if (!(await store.answer(tx, row.id, { text: answer, by: staff.accountId, at: kernel.now() }))) throw new TongbanError(PrivacyErrors.TB_PRIVACY_ALREADY_ANSWERED);
        await kernel.audit.append(tx, {
          actor: { kind: 'staff', id: staff.accountId, organisation: row.organisation }, action: 'privacy.question.answer', subject: row.account_id,
          resource: { type: 'privacy-question', id: row.id }, purpose: ANSWERING_PURPOSE, ...(options.requestId ? { requestId: options.requestId } : {}),
        });
        await deps.messaging.notify(tx, { accountId: row.account_id, template: 'privacyQuestionAnswered', locale, params: { organisation: name?.[locale] ?? translate(locale, 'privacy.who.platform') } });
      });
    },

    async emailOnUse(person: Principal): Promise<boolean> {
      return (await store.preference(db, person.accountId))?.email_on_use ?? false;
    },

    /** Turns the email on or off; uses before now are never emailed about. */
    async setEmailOnUse(person: Principal, on: boolean, locale: Locale): Promise<void> {
      const at = kernel.now();
      await store.savePreference(db, { account_id: person.accountId, email_on_use: on, told_up_to: at, locale, updated_at: at });
    },

    /** Everything the platform holds about the person, for them to take away (PIPL art. 45); audited. */
    async copy(person: Principal, options: { locale: Locale; requestId?: string | undefined }): Promise<PersonalDataCopy> {
      return collectCopy(kernel, deps.copy, async (p) => (await store.questionsOf(db, p.accountId)).map(toQuestion), person, options);
    },

    /** Runs the notice job's work now (tests; the job runs it every 15 minutes). */
    notifyUses,
  };
}

export type PrivacyService = ReturnType<typeof createPrivacyService>;
