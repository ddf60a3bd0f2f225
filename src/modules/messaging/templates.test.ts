import { describe, expect, it } from 'vitest';
import { allMessageKeys, LOCALES } from '../../kernel/i18n/index.js';
import { renderTemplate, TEMPLATE_IDS, TEMPLATES } from './templates.js';

const sample: Record<string, string> = {
  reference: 'TB-2026-7K3M9Q',
  service: '个体工商户设立登记',
  reason: 'The photo is not clear',
  dueDay: '2030-03-08',
  since: '2030-03-08T09:30:00.000Z',
  count: '3',
  organisation: '北京市公安局',
  hall: '东城区政务服务中心',
  address: '北京市东城区东四北大街1号',
  startsAt: '2030-03-08T09:30:00.000Z',
  deleteOn: '2030-03-08',
};

describe('notification templates', () => {
  it.each(TEMPLATE_IDS.flatMap((id) => LOCALES.map((locale) => [id, locale] as const)))('%s renders completely in %s', (id, locale) => {
    const params = Object.fromEntries(Object.keys(TEMPLATES[id]).map((name) => [name, sample[name] ?? '']));
    const { subject, body } = renderTemplate(id, params, locale, 'https://tongban.example');
    for (const text of [subject, body]) expect(text).not.toMatch(/[{}]|messaging\./);
    expect(subject).not.toMatch(/\n/);
    // Every parameter given shows up somewhere (dates written out for the reader, checked below).
    for (const [name, value] of Object.entries(params)) if (TEMPLATES[id][name as keyof (typeof TEMPLATES)[typeof id]] === 'text') expect(`${subject}\n${body}`).toContain(value);
    expect(body).toContain('https://tongban.example');
    if ('reason' in params) expect(body).toContain('The photo is not clear');
    for (const name of ['since', 'startsAt']) if (name in params) expect(body).toContain(locale === 'en' ? '8 March 2030 at 17:30' : '2030年3月8日 17:30');
    // A day is written out without a time: the deadline's last day, not the midnight after it.
    if ('dueDay' in params) expect(body).toContain(locale === 'en' ? 'by 8 March 2030 and' : '截至 2030年3月8日，');
    if ('deleteOn' in params) expect(body).toContain(locale === 'en' ? 'you uploaded on 8 March 2030.' : '将于2030年3月8日删除');
  });

  it('has wording for each template and no wording without a template', () => {
    const keys = allMessageKeys().map((k) => k.key).filter((k) => k.startsWith('messaging.template.'));
    const expected = TEMPLATE_IDS.flatMap((id) => [`messaging.template.${id}.subject`, `messaging.template.${id}.body`]);
    expect(keys.sort()).toEqual(expected.sort());
    const names = allMessageKeys().map((k) => k.key).filter((k) => k.startsWith('messaging.templateName.'));
    // `govstack`: the outbox's name for text an agency's system wrote (ADR 63), not a template.
    expect(names.sort()).toEqual([...TEMPLATE_IDS, 'govstack'].map((id) => `messaging.templateName.${id}`).sort());
  });

  it('keeps a subject on one line whatever the parameters hold', () => {
    const { subject } = renderTemplate('applicationSubmitted', { reference: 'TB-1', service: 'A\r\nBcc: spy@example.org' }, 'en', 'https://t');
    expect(subject).toBe('Application received: A Bcc: spy@example.org (TB-1)');
  });

  it('refuses a date that is not an ISO 8601 instant', () => {
    expect(() => renderTemplate('dataUsed', { count: '1', since: 'next Tuesday' }, 'en', 'https://t')).toThrow(/ISO 8601/);
    expect(() => renderTemplate('dataUsed', { count: '1', since: '2030-13-45T00:00:00Z' }, 'en', 'https://t')).toThrow(/ISO 8601/);
  });

  it('refuses a day that is not a calendar day', () => {
    for (const dueDay of ['2030-02-30', '2030-03-08T00:00:00Z', 'next Tuesday']) {
      expect(() => renderTemplate('deadlineEscalation', { reference: 'r', service: 's', dueDay }, 'en', 'https://t')).toThrow(/not a day/);
    }
  });
});
