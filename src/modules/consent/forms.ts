import { isAgreementId, isDataItem, LAWFUL_BASES, type AgreementInput, type DataAgreement, type LawfulBasis } from './model.js';

/**
 * The agreement form: what was posted (kept as typed, for showing again) and the first problem
 * per field as a message key. Pure; the service checks the same rules again when saving.
 */
export type Posted = Readonly<Record<string, string | string[] | undefined>>;
export interface FieldError { readonly field: string; readonly key: string }
export type Parsed = { readonly ok: true; readonly input: AgreementInput } | { readonly ok: false; readonly errors: readonly FieldError[] };

export const text = (posted: Posted, name: string): string => {
  const value = posted[name];
  return ((Array.isArray(value) ? value[0] : value) ?? '').trim();
};

/** The form's fields, in page order: the error summary lists problems in this order. */
export const FIELDS = ['id', 'controller', 'purposeZh', 'purposeEn', 'lawfulBasis', 'legalBasisZh', 'legalBasisEn', 'items', 'retentionZh', 'retentionEn', 'consentDays'] as const;

/** Items are typed one per line (or separated by commas). */
export const itemsOf = (value: string): string[] => [...new Set(value.split(/[\n,，]+/).map((i) => i.trim()).filter(Boolean))];

/** The longest purpose, legal basis or retention text, in either language. */
const LONG_MAX = 2000;

export function parseAgreement(posted: Posted, fixedId?: string): Parsed {
  const errors: FieldError[] = [];
  const need = (field: string, key: string, ok: boolean) => { if (!ok) errors.push({ field, key }); };
  const id = fixedId ?? text(posted, 'id');
  if (fixedId === undefined) need('id', 'consent.admin.error.id', isAgreementId(id));
  const controller = text(posted, 'controller');
  need('controller', 'consent.admin.error.controller', controller !== '');
  const long = (field: string) => {
    const value = text(posted, field);
    need(field, `consent.admin.error.${field}${value === '' ? '' : 'TooLong'}`, value !== '' && value.length <= LONG_MAX);
    return value;
  };
  const purpose = { 'zh-CN': long('purposeZh'), en: long('purposeEn') };
  const lawfulBasis = text(posted, 'lawfulBasis');
  need('lawfulBasis', 'consent.admin.error.lawfulBasis', (LAWFUL_BASES as readonly string[]).includes(lawfulBasis));
  const legalBasis = { 'zh-CN': long('legalBasisZh'), en: long('legalBasisEn') };
  const items = itemsOf(text(posted, 'items'));
  need('items', 'consent.admin.error.items', items.length > 0 && items.length <= 100 && items.every(isDataItem));
  const retention = { 'zh-CN': long('retentionZh'), en: long('retentionEn') };
  const daysText = text(posted, 'consentDays');
  const consentDays = daysText === '' ? undefined : Number(daysText);
  need('consentDays', 'consent.admin.error.consentDays', consentDays === undefined || (/^\d{1,5}$/.test(daysText) && consentDays >= 1 && consentDays <= 36_500));
  if (errors.length > 0) return { ok: false, errors: FIELDS.flatMap((f) => errors.filter((e) => e.field === f)) };
  return { ok: true, input: { id, controller, purpose, lawfulBasis: lawfulBasis as LawfulBasis, legalBasis, items, retention, consentDays } };
}

/** An agreement as the form shows it for editing. */
export function valuesOf(a: DataAgreement): Posted {
  return {
    id: a.id, controller: a.controller, purposeZh: a.purpose['zh-CN'], purposeEn: a.purpose.en, lawfulBasis: a.lawfulBasis,
    legalBasisZh: a.legalBasis['zh-CN'], legalBasisEn: a.legalBasis.en, items: a.items.join('\n'),
    retentionZh: a.retention['zh-CN'], retentionEn: a.retention.en, consentDays: a.consentDays === undefined ? '' : String(a.consentDays),
  };
}
