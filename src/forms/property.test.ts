import fc from 'fast-check';
import { renderToString } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import { hasMessage } from '../kernel/i18n/index.js';
import { compileForm } from './index.js';
import { everyTypeForm } from './testing/definitions.js';
import type { FieldError } from './types.js';

const form = compileForm(everyTypeForm);
const ctx = { now: '2025-06-01' };
const known = (errors: readonly FieldError[]) => errors.every((e) => hasMessage(e.messageKey) && e.pointer.startsWith('/') && e.fieldId !== '');

/** The input names a page really has, read from its markup, plus a second group entry. */
function inputNames(pageId: string): string[] {
  const markup = renderToString(form.renderPage(pageId, { values: {}, locale: 'en', ctx }));
  const names = [...new Set([...markup.matchAll(/\sname="([^"]+)"/g)].map((m) => m[1]!))];
  return [...names, ...names.filter((n) => n.includes('-0-')).map((n) => n.replace('-0-', '-1-')), `${pageId}-name`, `${pageId}-size`];
}

const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.stringMatching(/^[\d.,+\-xX ]{0,24}$/), fc.constantFrom('', ' ', 'yes', 'no', '0', '29', '2', '2024', '12.30'));
const value = fc.oneof(text, fc.array(text, { maxLength: 3 }));

describe('any text posted to any field', () => {
  for (const page of form.pages) {
    it(`never breaks the ${page.id} page: it is accepted or gets known messages, and shows back`, () => {
      const names = inputNames(page.id);
      fc.assert(fc.property(fc.dictionary(fc.constantFrom(...names, '_action', '__proto__', 'constructor'), value, { maxKeys: names.length + 2 }), (body) => {
        const result = form.readPage(page.id, body, {}, ctx);
        expect(known(result.errors)).toBe(true);
        expect(form.validateAll(result.answers, ctx).every((e) => hasMessage(e.messageKey))).toBe(true);
        const markup = renderToString(form.renderPage(page.id, { values: result.answers, raw: result.raw, errors: result.errors, locale: 'zh-CN', ctx }));
        expect(markup).not.toMatch(/<script/i);
        form.summary(result.answers, 'en', ctx);
      }), { numRuns: 150 });
    });
  }

  it('never breaks on answers sent as arbitrary JSON', () => {
    const ids = form.pages.flatMap((p) => p.fields.map((f) => f.id));
    fc.assert(fc.property(fc.dictionary(fc.constantFrom(...ids), fc.jsonValue({ maxDepth: 3 })), (answers) => {
      expect(known(form.validateAll(answers, ctx))).toBe(true);
      form.summary(answers, 'zh-CN', ctx);
      for (const page of form.pages) renderToString(form.renderPage(page.id, { values: answers, locale: 'en', ctx }));
    }), { numRuns: 300 });
  });

  it('reads back every valid answer it shows: parse(toRaw(value)) gives the value again', () => {
    const answers = {
      fullName: 'Li Lei', reason: 'a\nb', children: 2, income: { amount: 5, currency: 'CNY' }, dob: '2000-02-29', marital: 'single', district: 'xicheng',
      benefits: ['housing'], resident: false, email: 'a@b.cn', mobile: '+442079460958', idNumber: '11010519491231002X',
      passport: { kind: 'cn-passport', number: 'E12345678' }, home: { province: '北京市', city: '北京市', district: '东城区', line1: '1号' },
      proof: { name: 'a.pdf', type: 'application/pdf', size: 1 }, kids: [{ name: 'A', born: '2015-02-01' }],
    };
    expect(form.validateAll(answers, ctx)).toEqual([]);
    for (const page of form.pages) {
      const field = page.fields[0]!;
      const markup = renderToString(form.renderPage(page.id, { values: answers, locale: 'en', ctx }));
      const body: Record<string, string[]> = {};
      for (const m of markup.matchAll(/<(?:input|textarea|select)[^>]*\sname="([^"]+)"[^>]*>/g)) {
        const tag = m[0];
        const name = m[1]!;
        if (/type="(radio|checkbox)"/.test(tag) && !/\schecked/.test(tag)) continue;
        const typed = /value="([^"]*)"/.exec(tag)?.[1] ?? (tag.startsWith('<select') ? markup.slice(markup.indexOf(tag)).match(/<option value="([^"]*)" selected/)?.[1] : undefined);
        if (typed !== undefined && name !== '_action') (body[name] ??= []).push(typed.replaceAll('&amp;', '&'));
      }
      if (field.type === 'long-text') body.reason = ['a\nb'];
      if (field.type === 'file') Object.assign(body, { 'proof-name': 'a.pdf', 'proof-type': 'application/pdf', 'proof-size': '1' });
      const result = form.readPage(page.id, body, {}, ctx);
      expect(result.errors, page.id).toEqual([]);
      expect(result.answers[field.id], page.id).toEqual(answers[field.id as keyof typeof answers]);
    }
  });
});
