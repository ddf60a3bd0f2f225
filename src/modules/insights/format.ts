import type { Locale } from '../../kernel/i18n/index.js';
import { dueDay } from '../workflow/service.js';

/** Numbers, shares and dates in the reader's language (the figures are the same in both). */
const TAG: Record<Locale, string> = { 'zh-CN': 'zh-CN', en: 'en-GB' };
const date = { 'zh-CN': new Intl.DateTimeFormat('zh-CN', { dateStyle: 'long', timeZone: 'Asia/Shanghai' }), en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Asia/Shanghai' }) };

export const formatDate = (locale: Locale, at: Date): string => date[locale].format(at);

const day = { 'zh-CN': new Intl.DateTimeFormat('zh-CN', { dateStyle: 'long', timeZone: 'UTC' }), en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }) };

/**
 * The last day of a deadline. `dueAt` is an exclusive end (midnight starting the day after the
 * last day, as workflow's `slaDueAt` gives), so the day to show is workflow's `dueDay`, not its date.
 */
export const formatLastDay = (locale: Locale, dueAt: Date): string => day[locale].format(new Date(`${dueDay(dueAt)}T00:00:00Z`));

export const formatNumber = (locale: Locale, value: number, digits = 0): string =>
  new Intl.NumberFormat(TAG[locale], { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);

export const formatShare = (locale: Locale, value: number): string =>
  new Intl.NumberFormat(TAG[locale], { style: 'percent', maximumFractionDigits: 1 }).format(value);

/** `2026-03` as "March 2026" / "2026年3月". */
export function formatMonth(locale: Locale, month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return new Intl.DateTimeFormat(TAG[locale], { year: 'numeric', month: locale === 'en' ? 'short' : 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(year, m - 1, 1)));
}
