import { isLocale, translate, type Locale } from '../../kernel/i18n/index.js';
import { TongbanError } from '../../kernel/http/errors.js';
import { MessagingErrors } from './errors.js';
import './messages.js';

type ParamKind = 'text' | 'date' | 'day';

/**
 * The notifications the platform sends, and the parameters each needs. `text` is inserted as it
 * is; `date` is an ISO 8601 instant, written out for the reader's language in China's time zone;
 * `day` is a calendar day (`2030-03-08`), written out without a time (a deadline's last day).
 * The wording lives in messages.ts under `messaging.template.<id>.subject|body`.
 */
export const TEMPLATES = {
  applicationSubmitted: { reference: 'text', service: 'text' },
  infoRequested: { reference: 'text', service: 'text' },
  applicationApproved: { reference: 'text', service: 'text' },
  applicationRejected: { reference: 'text', service: 'text', reason: 'text' },
  applicationWithdrawn: { reference: 'text', service: 'text' },
  deadlineEscalation: { reference: 'text', service: 'text', dueDay: 'day' },
  dataUsed: { count: 'text', since: 'date' },
  privacyQuestionAnswered: { organisation: 'text' },
  appointmentReminder: { reference: 'text', service: 'text', hall: 'text', address: 'text', startsAt: 'date' },
  draftDeletionReminder: { service: 'text', deleteOn: 'day' },
} as const satisfies Record<string, Record<string, ParamKind>>;

export type TemplateId = keyof typeof TEMPLATES;
export type TemplateParams<T extends TemplateId> = { readonly [P in keyof (typeof TEMPLATES)[T]]: string };

export const TEMPLATE_IDS = Object.keys(TEMPLATES) as TemplateId[];

export function isTemplateId(value: string): value is TemplateId {
  return Object.hasOwn(TEMPLATES, value);
}

export interface Rendered {
  readonly subject: string;
  readonly body: string;
}

const MAX_PARAM_CHARS = 4_000;

const DATE_FORMATS: Record<Locale, Intl.DateTimeFormat> = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Asia/Shanghai' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Asia/Shanghai' }),
};

const DAY_FORMATS: Record<Locale, Intl.DateTimeFormat> = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { dateStyle: 'long', timeZone: 'UTC' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }),
};

/** `2030-03-08` written out, or undefined when it is not a real day. */
function dayText(value: string, locale: Locale): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const at = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(at.getTime()) || at.toISOString().slice(0, 10) !== value ? undefined : DAY_FORMATS[locale].format(at);
}

function invalid(detail: string): TongbanError {
  return new TongbanError(MessagingErrors.TB_MESSAGING_INVALID_NOTIFICATION, { detail });
}

/**
 * The subject and body of a notification. Throws TB_MESSAGING_INVALID_NOTIFICATION for an
 * unknown template or language, and for a missing, empty, unexpected or malformed parameter, so
 * a caller's mistake fails in its own transaction rather than reaching a person as `{reason}`.
 */
export function renderTemplate(template: string, params: Readonly<Record<string, unknown>>, locale: string, siteUrl: string): Rendered {
  if (!isTemplateId(template)) throw invalid(`unknown template ${template}`);
  if (!isLocale(locale)) throw invalid(`unknown locale ${locale}`);
  const declared: Readonly<Record<string, ParamKind>> = TEMPLATES[template];
  const extra = Object.keys(params).filter((name) => !Object.hasOwn(declared, name));
  if (extra.length > 0) throw invalid(`template ${template} has no parameter ${extra.join(', ')}`);
  const values: Record<string, string> = { siteUrl };
  for (const [name, kind] of Object.entries(declared)) {
    const value = params[name];
    if (typeof value !== 'string' || value.trim() === '') throw invalid(`template ${template} needs the parameter ${name}`);
    if (value.length > MAX_PARAM_CHARS) throw invalid(`parameter ${name} of template ${template} is too long`);
    if (kind === 'date') {
      const at = new Date(value);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(at.getTime())) throw invalid(`parameter ${name} of template ${template} is not an ISO 8601 instant`);
      values[name] = DATE_FORMATS[locale].format(at);
    } else if (kind === 'day') {
      const day = dayText(value, locale);
      if (day === undefined) throw invalid(`parameter ${name} of template ${template} is not a day (YYYY-MM-DD)`);
      values[name] = day;
    } else {
      values[name] = value.trim();
    }
  }
  // A subject is one line whatever the parameters hold.
  const subject = translate(locale, `messaging.template.${template}.subject`, values).replace(/\s+/g, ' ').trim();
  const body = translate(locale, `messaging.template.${template}.body`, values);
  return { subject, body };
}
