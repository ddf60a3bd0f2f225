import { compileForm, type JsonSchema } from '../../forms/index.js';
import type { Locale } from '../../kernel/i18n/index.js';
import type { ServiceSummary, ServiceVersion } from '../catalog/service.js';

/**
 * Pure translations between Tongban's records and the shapes of the GovStack Registration BB API
 * (GovStack_Registration_BB_API.json 0.1.1). Why each choice: docs/adr/0014-govstack-registration.md.
 */

export interface Property { readonly code: string; readonly value: string }

export interface GovService {
  id: string;
  name: string;
  version: string;
  type: 'Public';
  isExecutable: boolean;
  isClosed: boolean;
  description: string;
  serviceBody: Property[];
}

export interface EFormListItem { eFormId: string; name: string; description: string; version: string; latest: boolean }
export interface EForm extends EFormListItem { schema: Record<string, unknown> }

/** `<service uuid>.v<version>`: stable, readable, and parsed back without a lookup table. */
export function eFormIdOf(serviceId: string, version: number): string {
  return `${serviceId}.v${version}`;
}

const EFORM_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.v([1-9]\d{0,8})$/i;

export function parseEFormId(eFormId: string): { serviceId: string; version: number } | undefined {
  const match = EFORM_ID.exec(eFormId);
  return match?.[1] && match[2] ? { serviceId: match[1].toLowerCase(), version: Number(match[2]) } : undefined;
}

const money = (fen: number) => `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

/** What the spec's short `service` record leaves out, as its code/value list. */
function serviceBody(summary: ServiceSummary | ServiceVersion, locale: Locale, startUrl: string): Property[] {
  const props: Property[] = [
    { code: 'slug', value: summary.slug },
    { code: 'agency', value: summary.agencyCode },
    { code: 'startPage', value: startUrl },
  ];
  if ('definition' in summary) {
    const d = summary.definition;
    props.push(
      { code: 'name.zh-CN', value: d.name['zh-CN'] },
      { code: 'name.en', value: d.name.en },
      { code: 'category', value: d.category },
      { code: 'lifeEvents', value: d.lifeEvents.join(',') },
      { code: 'fee', value: d.fee.type === 'none' ? 'none' : d.fee.type === 'fixed' ? `${d.fee.currency} ${money(d.fee.amount)}` : `${d.fee.currency} ${[...d.fee.cases.map((c) => c.amount), d.fee.otherwise].map(money).join('|')}` },
      { code: 'slaWorkingDays', value: String(d.workflow.sla.workingDays) },
      { code: 'inPersonRequired', value: String(d.inPerson.required) },
      { code: 'documents', value: d.documents.map((doc) => `${doc.id}${doc.required ? '' : '?'}`).join(',') },
      { code: 'howLongItTakes', value: d.guidance.howLongItTakes[locale] },
      { code: 'eFormId', value: eFormIdOf(summary.id, summary.version) },
    );
  } else {
    props.push({ code: 'name.zh-CN', value: summary.name['zh-CN'] }, { code: 'name.en', value: summary.name.en }, { code: 'category', value: summary.category });
  }
  return props;
}

/** A catalog service as the spec's `service`: names in the caller's language, the rest in `serviceBody`. */
export function toGovService(service: ServiceSummary | ServiceVersion, locale: Locale, publicUrl: string): GovService {
  const name = 'definition' in service ? service.definition.name : service.name;
  const summary = 'definition' in service ? service.definition.summary : service.summary;
  return {
    id: service.id,
    name: name[locale],
    version: String(service.version),
    type: 'Public',
    // Only a listed (published) service takes applications.
    isExecutable: service.listed,
    // Every step a case can take is declared in the service's workflow.
    isClosed: true,
    description: summary[locale],
    serviceBody: serviceBody(service, locale, `${publicUrl.replace(/\/$/, '')}/services/${service.slug}`),
  };
}

export function toEFormListItem(version: ServiceVersion, locale: Locale): EFormListItem {
  return {
    eFormId: eFormIdOf(version.id, version.version),
    name: version.definition.name[locale],
    description: version.definition.summary[locale],
    version: String(version.version),
    latest: version.version === version.currentVersion,
  };
}

/**
 * The e-form with its JSON Schema: the answers by field id (what the form engine checks answers
 * sent as JSON against), grouped by page as `formData.data` carries them, plus the page layout in
 * the src/forms definition format and the documents to upload, as `x-tongban-*` keywords.
 */
export function toEForm(version: ServiceVersion, locale: Locale, publicUrl: string): EForm {
  const form = compileForm(version.definition.form);
  const schema = form.answersSchema;
  const field = (typeof schema === 'object' ? schema.properties : undefined) as Record<string, JsonSchema> | undefined;
  const pages = Object.fromEntries(form.pages.map((page) => [page.id, {
    type: 'object',
    title: page.title[locale],
    properties: Object.fromEntries(page.fields.map((f) => [f.id, field?.[f.id] ?? {}])),
    additionalProperties: false,
  }]));
  const item = toEFormListItem(version, locale);
  return {
    ...item,
    schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: `${publicUrl.replace(/\/$/, '')}/govstack/registration/eForms/${item.eFormId}`,
      title: item.name,
      description: 'formData.data: the answers of each page, by page id then field id. Which fields are required depends on earlier answers (x-tongban-form).',
      type: 'object',
      properties: pages,
      additionalProperties: false,
      'x-tongban-form': version.definition.form,
      'x-tongban-documents': version.definition.documents,
    },
  };
}

export type StatusCode = 'PENDING' | 'APPROVED' | 'SENDBACK' | 'REJECTED';

/**
 * The spec's four status codes over a workflow's own states: approved, waiting for the applicant
 * (sent back), any other end (rejected, withdrawn: the file ended without a grant), or pending.
 * `title` names the actual state, so nothing is lost.
 */
export function statusOf(kase: { readonly status: string; readonly final: boolean; readonly statusName: { readonly 'zh-CN': string; readonly en: string } }, locale: Locale): { code: StatusCode; title: string } {
  const code: StatusCode = kase.status === 'approved' ? 'APPROVED'
    : kase.final ? 'REJECTED'
      : kase.status === 'info_requested' ? 'SENDBACK' : 'PENDING';
  return { code, title: kase.statusName[locale] };
}

/**
 * One statistics bucket in the spec's counts, with the same mapping as `statusOf`: `processed`
 * is the cases an operator acted on; the others count the operators' actions into `approved`,
 * into `info_requested` (sent back) and into any other final state (rejected).
 */
export function statisticsOf(bucket: { readonly cases: number; readonly byStatus: readonly { status: string; final: boolean; actions: number }[] }): { processed: number; approved: number; sentBack: number; rejected: number } {
  const sum = (match: (s: { status: string; final: boolean }) => boolean) => bucket.byStatus.filter(match).reduce((n, s) => n + s.actions, 0);
  return {
    processed: bucket.cases,
    approved: sum((s) => s.status === 'approved'),
    sentBack: sum((s) => s.status === 'info_requested'),
    rejected: sum((s) => s.final && s.status !== 'approved'),
  };
}
