import { renderToString } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import { compileForm } from './index.js';
import { everyTypeForm, journeyForm } from './testing/definitions.js';

const every = compileForm(everyTypeForm);
const journey = compileForm(journeyForm);
const ctx = { now: '2025-06-01' };
const html = (form: typeof every, pageId: string, options: Parameters<typeof every.renderPage>[1]) => renderToString(form.renderPage(pageId, options));

/** Every `for=` names an element id, and every id in `aria-describedby` exists. */
function expectLinked(markup: string) {
  const ids = new Set([...markup.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
  for (const [, target] of markup.matchAll(/\sfor="([^"]+)"/g)) expect(ids, `label for=${target}`).toContain(target);
  for (const [, list] of markup.matchAll(/aria-describedby="([^"]+)"/g)) for (const id of list!.split(' ')) expect(ids, `described by ${id}`).toContain(id);
  expect(ids.size).toBe([...markup.matchAll(/\sid="([^"]+)"/g)].length);
}

describe('rendering fields', () => {
  it('has a link checker that catches a broken label, description or duplicate id', () => {
    expect(() => expectLinked('<label for="a"></label>')).toThrow();
    expect(() => expectLinked('<input id="a" aria-describedby="a-hint">')).toThrow();
    expect(() => expectLinked('<input id="a"><input id="a">')).toThrow();
  });

  it('escapes what the person typed', () => {
    const posted = every.readPage('fullname', { fullName: '<script>alert(1)</script>"' }, {}, ctx);
    const markup = html(every, 'fullname', { values: posted.answers, raw: posted.raw, errors: posted.errors, locale: 'en' });
    expect(markup).not.toContain('<script>');
    expect(markup).toContain('value="&lt;script>alert(1)&lt;/script>&quot;"');
  });

  it('links the error and the hint to the input and prefixes the error for screen readers', () => {
    const posted = every.readPage('income', { income: '12.345' }, {}, ctx);
    const markup = html(every, 'income', { values: posted.answers, raw: posted.raw, errors: posted.errors, locale: 'en' });
    expect(markup).toContain('<div class="tb-form-group tb-form-group--error">');
    expect(markup).toContain('<p id="income-error" class="tb-error-message"><span class="tb-visually-hidden">Error:</span> Monthly income can have no more than 2 decimal places</p>');
    expect(markup).toMatch(/<input class="tb-input tb-input--width-10 tb-input--error" id="income" name="income"[^>]*value="12.345" aria-describedby="income-error"/);
    expectLinked(markup);
  });

  it('groups date parts in a fieldset with a legend and marks only the wrong part', () => {
    const posted = every.readPage('dob', { 'dob-day': '12', 'dob-month': '', 'dob-year': '1990' }, {}, ctx);
    const markup = html(every, 'dob', { values: {}, raw: posted.raw, errors: posted.errors, locale: 'zh-CN' });
    expect(markup).toContain('<fieldset class="tb-fieldset" role="group" aria-describedby="dob-error"><legend class="tb-fieldset__legend">出生日期</legend>');
    expect(markup).toContain('<span class="tb-visually-hidden">错误：</span> 出生日期必须包含月');
    expect(markup).toMatch(/class="tb-input tb-date-input__input tb-input--width-2 tb-input--error" id="dob-month"/);
    expect(markup).toMatch(/class="tb-input tb-date-input__input tb-input--width-2" id="dob-day"[^>]*value="12"/);
    expectLinked(markup);
  });

  it('shows stored answers in the inputs, with the first radio carrying the field id', () => {
    const markup = html(journey, 'about-you', { values: { name: 'Li Lei', marital: 'married' }, locale: 'en', ctx });
    expect(markup).toContain('value="Li Lei"');
    expect(markup).toMatch(/<input class="tb-radios__input" id="marital" name="marital" type="radio" value="single"\/>/);
    expect(markup).toMatch(/id="marital-2" name="marital" type="radio" value="married" checked/);
    expectLinked(markup);
  });

  it('marks optional fields, hides fields whose condition fails and renders every type with linked labels', () => {
    expect(html(journey, 'dates', { values: {}, locale: 'en', ctx })).toContain('Move-out date (optional)');
    const hidden = compileForm({ pages: [journeyForm.pages[0]!, { id: 'later', title: { en: 'Later', 'zh-CN': '之后' }, fields: [journeyForm.pages[1]!.fields[0]!, { ...journeyForm.pages[1]!.fields[0]!, id: 'partnerAge', condition: journeyForm.pages[1]!.condition }] }] });
    expect(html(hidden, 'later', { values: { marital: 'single' }, locale: 'en', ctx })).not.toContain('partnerAge');
    expect(html(hidden, 'later', { values: { marital: 'married' }, locale: 'en', ctx })).toContain('for="partnerAge"');
    for (const page of every.pages) {
      for (const locale of ['en', 'zh-CN'] as const) expectLinked(html(every, page.id, { values: {}, locale, ctx }));
    }
  });

  it('puts a field that hangs on a choice on the same page beneath that choice, before anything is chosen (GOV.UK conditional reveal)', () => {
    for (const values of [{}, { employed: false }, { employed: true, employer: 'ACME' }]) {
      const markup = html(journey, 'work', { values, locale: 'en', ctx });
      // After the "Yes" radio, before the "No" one, with a hint naming the choice it belongs to.
      expect(markup).toMatch(/value="yes"[^>]*\/><label[^>]*>Yes<\/label><\/div><div class="tb-radios__conditional" id="conditional-employed"><p class="tb-hint">Only if you chose “Yes”<\/p>.*for="employer".*<\/div><div class="tb-radios__item"><input[^>]*value="no"/);
      expect(markup).not.toContain('tb-radios--inline');
      expectLinked(markup);
    }
    expect(html(journey, 'work', { values: { employed: true, employer: 'ACME' }, locale: 'en', ctx })).toContain('value="ACME"');
    expect(html(journey, 'work', { values: {}, locale: 'zh-CN', ctx })).toContain('仅在选择“是”时填写');
    expect(html(journey, 'contact', { values: {}, locale: 'en', ctx })).not.toContain('tb-radios__conditional');
  });

  it('renders money, other documents and groups back from typed answers', () => {
    const values = { income: { amount: 1230, currency: 'CNY' }, passport: { kind: 'hk-macau-permit', number: 'C12345678' }, kids: [{ name: 'A', born: '2015-02-01' }] };
    expect(html(every, 'income', { values, locale: 'en' })).toContain('value="12.30"');
    expect(html(every, 'passport', { values, locale: 'en' })).toMatch(/<option value="hk-macau-permit" selected>/);
    const group = html(every, 'kids', { values, locale: 'en' });
    expect(group).toContain('id="kids-0-born-month" name="kids-0-born-month" type="text" inputmode="numeric" value="2"');
    expect(group).toContain('<button type="submit" class="tb-button tb-button--secondary tb-add-another__add" name="_action" value="add:kids">Add another child</button>');
  });
});
