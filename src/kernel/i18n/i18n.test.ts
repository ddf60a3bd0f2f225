import { describe, expect, it } from 'vitest';
import { defineMessages, fromAcceptLanguage, negotiateLocale, translate } from './index.js';

defineMessages('test', {
  en: { 'test.days': 'You have {count, plural, one {# day} other {# days}} left, {name}' },
  'zh-CN': { 'test.days': '{name}，您还有 {count, plural, other {# 天}}' },
});

describe('i18n', () => {
  it('formats parameters and plurals per locale', () => {
    expect(translate('en', 'test.days', { count: 1, name: 'Li' })).toBe('You have 1 day left, Li');
    expect(translate('en', 'test.days', { count: 1200, name: 'Li' })).toBe('You have 1,200 days left, Li');
    expect(translate('zh-CN', 'test.days', { count: 3, name: '李' })).toBe('李，您还有 3 天');
  });

  it('shows an unknown key as itself so the gap is visible', () => {
    expect(translate('en', 'test.missing')).toBe('test.missing');
  });

  it('picks the language from the URL, then the switch, then the browser, then Chinese', () => {
    expect(negotiateLocale({ query: 'en', cookie: 'zh-CN', acceptLanguage: 'zh' })).toBe('en');
    expect(negotiateLocale({ query: 'fr', cookie: 'en' })).toBe('en');
    expect(negotiateLocale({ acceptLanguage: 'fr-FR, en-GB;q=0.8, zh;q=0.5' })).toBe('en');
    expect(negotiateLocale({ acceptLanguage: 'en;q=0.2, zh-TW;q=0.9' })).toBe('zh-CN');
    expect(negotiateLocale({})).toBe('zh-CN');
    expect(fromAcceptLanguage('en;q=0')).toBeUndefined();
  });

  it('refuses the same key from two areas', () => {
    expect(() => defineMessages('other', { en: { 'test.days': 'x' }, 'zh-CN': { 'test.days': 'x' } })).toThrow(/defined by test and other/);
  });
});
