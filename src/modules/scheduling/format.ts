import type { Locale } from '../../kernel/i18n/index.js';

// Appointments are in China: every date and time is shown in Asia/Shanghai, written the reader's way.
const DAY: Record<Locale, Intl.DateTimeFormat> = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { dateStyle: 'full', timeZone: 'Asia/Shanghai' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'full', timeZone: 'Asia/Shanghai' }),
};
const TIME: Record<Locale, Intl.DateTimeFormat> = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Asia/Shanghai' }),
  en: new Intl.DateTimeFormat('en-GB', { hour: 'numeric', minute: '2-digit', hour12: true, timeZone: 'Asia/Shanghai' }),
};

/** "2026年12月7日星期一" / "Monday, 7 December 2026". */
export const formatDay = (at: Date, locale: Locale): string => DAY[locale].format(at);
/** "09:30" / "9:30 am". */
export const formatTime = (at: Date, locale: Locale): string => TIME[locale].format(at);
/** A day and a time together, e.g. for the confirmation and the panels. */
export const formatWhen = (at: Date, locale: Locale): string => (locale === 'en' ? `${formatDay(at, locale)} at ${formatTime(at, locale)}` : `${formatDay(at, locale)} ${formatTime(at, locale)}`);
/** The noon of a `YYYY-MM-DD` day in Shanghai, for formatting a day without a time. */
export const dayInstant = (day: string): Date => new Date(`${day}T12:00:00+08:00`);
