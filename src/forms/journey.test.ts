import { describe, expect, it } from 'vitest';
import { compileForm } from './index.js';
import { everyTypeForm, journeyForm } from './testing/definitions.js';

const form = compileForm(journeyForm);
const ctx = { now: '2025-06-01' };
const ids = (pages: readonly { id: string }[]) => pages.map((p) => p.id);

describe('the journey', () => {
  it('shows the partner page only to married people', () => {
    expect(ids(form.visiblePages({}, ctx))).toEqual(['about-you', 'work', 'contact', 'dates']);
    expect(ids(form.visiblePages({ marital: 'married' }, ctx))).toEqual(['about-you', 'partner', 'work', 'contact', 'dates']);
  });

  it('gives the next page and the back link from the answers so far', () => {
    expect(form.nextPage('about-you', { marital: 'single' }, ctx)).toBe('work');
    expect(form.nextPage('about-you', { marital: 'married' }, ctx)).toBe('partner');
    expect(form.previousPage('work', { marital: 'married' }, ctx)).toBe('partner');
    expect(form.previousPage('work', { marital: 'single' }, ctx)).toBe('about-you');
    expect(form.previousPage('about-you', {}, ctx)).toBeUndefined();
    expect(form.nextPage('dates', {}, ctx)).toBeUndefined();
    // From a page that has just been hidden, the journey still moves on in order.
    expect(form.nextPage('partner', { marital: 'single' }, ctx)).toBe('work');
  });

  it('drops the answers of a page that a changed answer hides', () => {
    const married = form.readPage('about-you', { name: 'Li Lei', marital: 'married' }, {}, ctx).answers;
    const withPartner = form.readPage('partner', { partnerName: 'Han Meimei' }, married, ctx).answers;
    expect(withPartner).toMatchObject({ partnerName: 'Han Meimei' });
    const single = form.readPage('about-you', { name: 'Li Lei', marital: 'single' }, withPartner, ctx);
    expect(single.errors).toEqual([]);
    expect(single.answers).toEqual({ name: 'Li Lei', marital: 'single' });
  });

  it('knows when everything is answered, and where the first gap is', () => {
    const answers = { name: 'Li Lei', marital: 'married', employed: false, wantsText: false, movedIn: '2020-01-01' };
    expect(form.isComplete(answers, ctx)).toBe(false);
    expect(form.firstIncompletePage(answers, ctx)).toBe('partner');
    const complete = { ...answers, partnerName: 'Han Meimei' };
    expect(form.isComplete(complete, ctx)).toBe(true);
    expect(form.validateAll(complete, ctx)).toEqual([]);
    expect(form.firstIncompletePage({}, ctx)).toBe('about-you');
  });

  it('lists check-your-answers rows for shown fields with change links', () => {
    const rows = form.summary({ name: 'Li Lei', marital: 'single', employed: true, employer: 'ACME', wantsText: false, movedIn: '2020-01-01' }, 'en', ctx);
    expect(rows.map((r) => r.fieldId)).toEqual(['name', 'marital', 'employed', 'employer', 'wantsText', 'mobile', 'movedIn', 'movedOut']);
    expect(rows.find((r) => r.fieldId === 'movedIn')).toEqual({ pageId: 'dates', fieldId: 'movedIn', label: 'Move-in date', value: '1 January 2020', changeHref: 'dates#movedIn-day' });
    expect(rows.find((r) => r.fieldId === 'mobile')?.value).toBe('Not provided');
  });
});

describe('a post with errors', () => {
  const stored = { movedIn: '2020-01-01', movedOut: '2021-05-01' };

  it('never replaces a stored answer with a wrong one, and names the answers it did not keep', () => {
    const read = form.readPage('dates', { 'movedIn-day': '31', 'movedIn-month': '2', 'movedIn-year': '2020', 'movedOut-day': '2', 'movedOut-month': '6', 'movedOut-year': '2021' }, stored, ctx);
    expect(read.errors.map((e) => e.pointer)).toEqual(['/movedIn']);
    expect(read.answers).toEqual({ movedIn: '2020-01-01', movedOut: '2021-06-02' });
    expect(read.raw.movedIn).toEqual({ day: '31', month: '2', year: '2020' });
    expect(read.notSaved.map((e) => e.pointer)).toEqual(['/movedIn']);
  });

  it('keeps a stored answer that was cleared with an error, and does not count a blank never answered as not saved', () => {
    const cleared = form.readPage('dates', { 'movedIn-day': '', 'movedIn-month': '', 'movedIn-year': '' }, stored, ctx);
    expect(cleared.errors.map((e) => e.pointer)).toEqual(['/movedIn']);
    expect(cleared.answers).toMatchObject({ movedIn: '2020-01-01' });
    expect(cleared.notSaved.map((e) => e.pointer)).toEqual(['/movedIn']);
    const blank = form.readPage('dates', {}, {}, ctx);
    expect(blank.errors.map((e) => e.pointer)).toEqual(['/movedIn']);
    expect(blank.answers).toEqual({});
    expect(blank.notSaved).toEqual([]);
  });
});

describe('field conditions and required-if', () => {
  it('shows the employer field only to people in work, and drops it otherwise', () => {
    expect(form.readPage('work', { employed: 'yes', employer: '' }, {}, ctx).errors.map((e) => e.pointer)).toEqual(['/employer']);
    const notWorking = form.readPage('work', { employed: 'no', employer: 'ACME' }, {}, ctx);
    expect(notWorking.errors).toEqual([]);
    expect(notWorking.answers).toEqual({ employed: false });
  });

  it('requires a revealed field only with the choice that reveals it, posted together on one page', () => {
    const working = form.readPage('work', { employed: 'yes', employer: 'ACME' }, {}, ctx);
    expect(working.errors).toEqual([]);
    expect(working.answers).toEqual({ employed: true, employer: 'ACME' });
    expect(form.nextPage('work', working.answers, ctx)).toBe('contact');
    expect(form.readPage('work', { employed: 'no', employer: '' }, {}, ctx).errors).toEqual([]);
  });

  it('requires the mobile number only from people who want texts', () => {
    expect(form.readPage('contact', { wantsText: 'no', mobile: '' }, {}, ctx).errors).toEqual([]);
    const errors = form.readPage('contact', { wantsText: 'yes', mobile: '' }, {}, ctx).errors;
    expect(errors).toMatchObject([{ fieldId: 'mobile', pointer: '/mobile', messageKey: 'forms.error.enter' }]);
    expect(form.errorText(errors[0]!, 'en')).toBe('Enter mobile number');
    expect(form.errorText(errors[0]!, 'zh-CN')).toBe('请输入手机号码');
  });
});

describe('cross-field rules', () => {
  const dates = (moveIn: string, moveOut: string) => {
    const [y1, m1, d1] = moveIn.split('-');
    const [y2, m2, d2] = moveOut.split('-');
    return form.readPage('dates', { 'movedIn-day': d1, 'movedIn-month': m1, 'movedIn-year': y1, 'movedOut-day': d2, 'movedOut-month': m2, 'movedOut-year': y2 }, {}, ctx);
  };

  it('points the rule’s message at its field, in the form’s own words', () => {
    const result = dates('2024-02-01', '2024-01-31');
    expect(result.errors).toMatchObject([{ fieldId: 'movedOut-day', pointer: '/movedOut', messageKey: 'form.movedOutAfterIn' }]);
    expect(form.errorText(result.errors[0]!, 'en')).toBe('Move-out date must be after the move-in date');
    expect(form.errorText(result.errors[0]!, 'zh-CN')).toBe('搬离日期必须晚于入住日期');
    expect(result.answers).toEqual({ movedIn: '2024-02-01' });
  });

  it('passes when the dates are in order, or when the rule does not apply', () => {
    expect(dates('2024-01-01', '2024-02-01').errors).toEqual([]);
    expect(form.readPage('dates', { 'movedIn-day': '1', 'movedIn-month': '1', 'movedIn-year': '2024' }, {}, ctx).errors).toEqual([]);
    expect(form.validatePage('dates', { movedIn: '2024-03-01', movedOut: '2024-02-01' }, ctx).map((e) => e.messageKey)).toEqual(['form.movedOutAfterIn']);
  });
});

describe('repeating groups', () => {
  const every = compileForm(everyTypeForm);
  const kid = (i: number, name: string, [d, m, y]: [string, string, string]) => ({ [`kids-${i}-name`]: name, [`kids-${i}-born-day`]: d, [`kids-${i}-born-month`]: m, [`kids-${i}-born-year`]: y });

  it('parses entries, drops blank ones and numbers them again', () => {
    const result = every.readPage('kids', { ...kid(0, 'Xiaoming', ['1', '2', '2015']), ...kid(3, '', ['', '', '']), ...kid(7, 'Xiaohong', ['3', '4', '2018']) }, {}, ctx);
    expect(result.errors).toEqual([]);
    expect(result.answers.kids).toEqual([{ name: 'Xiaoming', born: '2015-02-01' }, { name: 'Xiaohong', born: '2018-04-03' }]);
    expect(every.summary(result.answers, 'en', ctx).find((r) => r.fieldId === 'kids')?.value).toBe('Child 1: Xiaoming; 1 February 2015\nChild 2: Xiaohong; 3 April 2018');
  });

  it('reports errors inside an entry at the entry’s own inputs', () => {
    const result = every.readPage('kids', { ...kid(0, 'Xiaoming', ['31', '2', '2015']), ...kid(1, '', ['1', '1', '2016']) }, {}, ctx);
    expect(result.errors.map((e) => [e.fieldId, e.pointer, e.messageKey])).toEqual([
      ['kids-0-born-day', '/kids/0/born', 'forms.date.real'],
      ['kids-1-name', '/kids/1/name', 'forms.error.enter'],
    ]);
    expect(result.answers.kids).toBeUndefined();
  });

  it('enforces the minimum and maximum number of entries', () => {
    expect(every.readPage('kids', {}, {}, ctx).errors).toMatchObject([{ messageKey: 'forms.error.add', fieldId: 'kids-0-name' }]);
    const four = { ...kid(0, 'A', ['1', '1', '2010']), ...kid(1, 'B', ['1', '1', '2011']), ...kid(2, 'C', ['1', '1', '2012']), ...kid(3, 'D', ['1', '1', '2013']) };
    expect(every.readPage('kids', four, {}, ctx).errors).toMatchObject([{ messageKey: 'forms.group.tooMany', params: { max: 3 }, pointer: '/kids' }]);
    const min = compileForm({ pages: [{ id: 'p', title: { en: 'P', 'zh-CN': 'P' }, fields: [{ ...everyTypeForm.pages.at(-1)!.fields[0]!, minItems: 2 } as never] }] });
    expect(min.readPage('p', kid(0, 'A', ['1', '1', '2010']), {}, ctx).errors).toMatchObject([{ messageKey: 'forms.group.tooFew', params: { min: 2, count: 1 } }]);
  });

  it('adds and removes entries without showing errors', () => {
    const added = every.readPage('kids', { ...kid(0, 'A', ['1', '1', '2010']), _action: 'add:kids' }, {}, ctx);
    expect(added).toMatchObject({ errors: [], action: { kind: 'add', field: 'kids' } });
    expect(added.raw.kids).toHaveLength(2);
    const removed = every.readPage('kids', { ...kid(0, 'A', ['1', '1', '2010']), ...kid(1, 'B', ['1', '1', '2011']), _action: 'remove:kids:0' }, {}, ctx);
    expect(removed.answers.kids).toEqual([{ name: 'B', born: '2011-01-01' }]);
    expect(every.readPage('kids', { _action: 'add:nothing' }, {}, ctx).action).toBeUndefined();
  });
});

describe('compiling', () => {
  it('compiles a definition once and reuses it, also for an equal copy', () => {
    const copy = JSON.parse(JSON.stringify(journeyForm)) as typeof journeyForm;
    expect(compileForm(journeyForm)).toBe(form);
    expect(compileForm(copy)).toBe(form);
  });

  it('refuses an unknown page', () => {
    expect(() => form.nextPage('nowhere', {}, ctx)).toThrow(expect.objectContaining({ code: 'TB_FORMS_UNKNOWN_PAGE' }));
  });

  it('checks the shape of answers that arrive as JSON', () => {
    expect(form.validatePage('about-you', { name: 42, marital: 'married' }, ctx)).toMatchObject([{ pointer: '/name', messageKey: 'forms.error.check' }]);
  });
});
