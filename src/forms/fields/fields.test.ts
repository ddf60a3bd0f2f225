import { describe, expect, it } from 'vitest';
import { compileForm, residentIdCheckCharacter } from '../index.js';
import { everyTypeForm } from '../testing/definitions.js';
import type { Posted } from '../types.js';

const form = compileForm(everyTypeForm);
const ctx = { now: '2025-06-01' };

/** Posts one page of the every-type form and returns the answer, the error keys and the summary. */
function post(fieldId: string, body: Posted) {
  const result = form.readPage(fieldId.toLowerCase(), body, {}, ctx);
  const value = result.answers[fieldId];
  const rows = form.summary(result.answers, 'en', ctx).filter((r) => r.fieldId === fieldId);
  return { value, keys: result.errors.map((e) => e.messageKey), errors: result.errors, raw: result.raw[fieldId], summary: rows[0]?.value };
}

describe('short and long text', () => {
  it('trims, keeps what fits and refuses what is too long', () => {
    expect(post('fullName', { fullName: '  李 雷  ' })).toMatchObject({ value: '李 雷', keys: [], summary: '李 雷' });
    expect(post('fullName', { fullName: '' }).keys).toEqual(['forms.error.enter']);
    const long = post('fullName', { fullName: 'x'.repeat(21) });
    expect(long).toMatchObject({ value: undefined, keys: ['forms.text.tooLong'], raw: 'x'.repeat(21) });
    expect(long.errors[0]?.params).toEqual({ max: 20 });
    // Characters, not UTF-16 units: 20 emoji fit in 20.
    expect(post('fullName', { fullName: '😀'.repeat(20) }).keys).toEqual([]);
  });

  it('composes text (NFC) and takes invisible characters at either end as nothing; a name\'s dot is the ID card\'s', () => {
    expect(post('fullName', { fullName: '\u200B' }).keys).toEqual(['forms.error.enter']);
    expect(post('fullName', { fullName: '\uFEFF 李雷\u200B ' }).value).toBe('李雷');
    // e + U+0301 is é: one character, stored composed.
    expect(post('fullName', { fullName: 'Jose\u0301' }).value).toBe('Jos\u00E9');
    // Ext-B characters and compatibility ideographs stay as written (NFC, not NFKC).
    expect(post('fullName', { fullName: '王𪚥' }).value).toBe('王𪚥');
    expect(post('fullName', { fullName: '\uF92C' }).value).toBe('\u90CE');
    for (const dot of ['•', '・', '．', '‧', '∙', '⋅', ' · ']) expect(post('fullName', { fullName: `阿依${dot}买买提` }).value, dot).toBe('阿依·买买提');
    // Only a name field's dots: other text keeps what was typed.
    expect(post('reason', { reason: 'A•B' }).value).toBe('A•B');
    expect(post('reason', { reason: '\u200B' }).value).toBeUndefined();
  });

  it('keeps line breaks in long text as \\n', () => {
    expect(post('reason', { reason: 'one\r\ntwo' })).toMatchObject({ value: 'one\ntwo', summary: 'one\ntwo' });
  });
});

describe('numbers and money', () => {
  it('reads numbers with separators and full-width digits, and applies the limits', () => {
    expect(post('children', { children: '３' })).toMatchObject({ value: 3, summary: '3' });
    expect(post('children', { children: 'three' }).keys).toEqual(['forms.number.format']);
    expect(post('children', { children: '2.5' }).keys).toEqual(['forms.number.whole']);
    expect(post('children', { children: '-1' }).keys).toEqual(['forms.number.min']);
    expect(post('children', { children: '1,000' }).keys).toEqual(['forms.number.max']);
  });

  it('stores money in fen: 12.30 is 1230', () => {
    expect(post('income', { income: '12.30' })).toMatchObject({ value: { amount: 1230, currency: 'CNY' }, keys: [], summary: 'CN¥12.30' });
    expect(post('income', { income: '¥1,234.5' }).value).toEqual({ amount: 123450, currency: 'CNY' });
    expect(post('income', { income: '0.29' }).value).toEqual({ amount: 29, currency: 'CNY' });
    expect(post('income', { income: '７' }).value).toEqual({ amount: 700, currency: 'CNY' });
    expect(post('income', { income: '12.' }).value).toEqual({ amount: 1200, currency: 'CNY' });
  });

  it('refuses too many decimals, words, negative amounts and amounts over the maximum', () => {
    const decimals = post('income', { income: '12.345' });
    expect(decimals).toMatchObject({ value: undefined, keys: ['forms.money.decimals'], raw: '12.345' });
    expect(form.errorText(decimals.errors[0]!, 'en')).toBe('Monthly income can have no more than 2 decimal places');
    expect(post('income', { income: 'twelve' }).keys).toEqual(['forms.money.format']);
    expect(post('income', { income: '1.2.3' }).keys).toEqual(['forms.money.format']);
    expect(post('income', { income: '-5' }).keys).toEqual(['forms.money.min']);
    const max = post('income', { income: '1000000.01' });
    expect(max.keys).toEqual(['forms.money.max']);
    expect(max.errors[0]?.params).toEqual({ max: '1000000.00' });
    expect(post('income', { income: '99999999999999999999' }).keys).toEqual(['forms.money.format']);
  });
});

describe('dates', () => {
  const date = (day: string, month: string, year: string) => post('dob', { 'dob-day': day, 'dob-month': month, 'dob-year': year });

  it('accepts a real past date, including a leap day', () => {
    expect(date('29', '2', '2024')).toMatchObject({ value: '2024-02-29', keys: [], summary: '29 February 2024' });
    expect(form.summary({ dob: '2024-02-29' }, 'zh-CN', ctx).find((r) => r.fieldId === 'dob')?.value).toBe('2024年2月29日');
    expect(date('1', '1', '2000').value).toBe('2000-01-01');
  });

  it('refuses 29 February in a year that is not a leap year, and other unreal dates', () => {
    expect(date('29', '2', '2023')).toMatchObject({ keys: ['forms.date.real'], raw: { day: '29', month: '2', year: '2023' } });
    expect(date('29', '2', '1900').keys).toEqual(['forms.date.real']);
    expect(date('31', '4', '2020').keys).toEqual(['forms.date.real']);
    expect(date('1', '13', '2020').keys).toEqual(['forms.date.real']);
    expect(date('a', '1', '2020').keys).toEqual(['forms.date.real']);
  });

  it('says which part is missing and links to that box', () => {
    const missing = date('12', '', '1990');
    expect(missing.keys).toEqual(['forms.date.missingMonth']);
    expect(missing.errors[0]?.fieldId).toBe('dob-month');
    expect(date('12', '3', '90').keys).toEqual(['forms.date.yearDigits']);
    expect(date('', '', '').keys).toEqual(['forms.error.enter']);
  });

  it('wants a date of birth in the past', () => {
    const today = date('1', '6', '2025');
    expect(today.keys).toEqual(['forms.date.past']);
    expect(form.errorText(today.errors[0]!, 'en')).toBe('Date of birth must be in the past');
    expect(form.errorText(today.errors[0]!, 'zh-CN')).toBe('出生日期必须是过去的日期');
  });
});

describe('choices', () => {
  it('takes a listed option and refuses a made-up one', () => {
    expect(post('marital', { marital: 'married' })).toMatchObject({ value: 'married', summary: 'Married' });
    expect(post('marital', { marital: 'divorced' }).keys).toEqual(['forms.choice.invalid']);
    expect(post('marital', {}).keys).toEqual(['forms.error.select']);
    expect(post('district', { district: 'xicheng' }).value).toBe('xicheng');
  });

  it('keeps ticked boxes in option order, and applies the maximum', () => {
    expect(post('benefits', { benefits: ['child', 'housing'] })).toMatchObject({ value: ['housing', 'child'], summary: 'Housing\nChild' });
    expect(post('benefits', { benefits: ['child', 'housing', 'pension'] }).keys).toEqual(['forms.choice.tooMany']);
    expect(post('benefits', { benefits: 'nope' }).keys).toEqual(['forms.choice.invalid']);
    expect(post('benefits', {}).keys).toEqual(['forms.error.select']);
  });

  it('reads yes and no as booleans', () => {
    expect(post('resident', { resident: 'yes' })).toMatchObject({ value: true, summary: 'Yes' });
    expect(post('resident', { resident: 'no' })).toMatchObject({ value: false, summary: 'No' });
    expect(post('resident', { resident: 'maybe' }).keys).toEqual(['forms.choice.invalid']);
  });
});

describe('email and phone', () => {
  it('checks an email address loosely', () => {
    expect(post('email', { email: ' li.lei@example.cn ' }).value).toBe('li.lei@example.cn');
    expect(post('email', { email: 'li.lei@example' }).keys).toEqual(['forms.email.format']);
    expect(post('email', { email: 'li lei@example.cn' }).keys).toEqual(['forms.email.format']);
  });

  it('accepts Chinese mobiles and E.164 numbers in the ways people type them', () => {
    expect(post('mobile', { mobile: '138 0013 8000' }).value).toBe('13800138000');
    expect(post('mobile', { mobile: '+86 138-0013-8000' }).value).toBe('13800138000');
    expect(post('mobile', { mobile: '0086 13800138000' }).value).toBe('13800138000');
    expect(post('mobile', { mobile: '+44 20 7946 0958' }).value).toBe('+442079460958');
    expect(post('mobile', { mobile: '(852) 9123 4567' }).keys).toEqual(['forms.phone.format']);
    expect(post('mobile', { mobile: '12800138000' }).keys).toEqual(['forms.phone.format']);
    expect(post('mobile', { mobile: '+0123456789' }).keys).toEqual(['forms.phone.format']);
    expect(post('mobile', { mobile: '+1234567890123456' }).keys).toEqual(['forms.phone.format']);
  });

  it('accepts Chinese landlines dialled with their area code, stored as E.164, and 86 before a mobile', () => {
    expect(post('mobile', { mobile: '010-12345678' }).value).toBe('+861012345678');
    expect(post('mobile', { mobile: '(0755) 1234 5678' }).value).toBe('+8675512345678');
    expect(post('mobile', { mobile: '0591-1234567' }).value).toBe('+865911234567');
    expect(post('mobile', { mobile: '86 138 0013 8000' }).value).toBe('13800138000');
    expect(post('mobile', { mobile: '12345678' }).keys).toEqual(['forms.phone.format']);
    const only = (allow: ('cn-mobile' | 'cn-landline')[]) => compileForm({ pages: [{ id: 'p', title: { en: 'Phone', 'zh-CN': '电话' }, fields: [{ id: 'tel', type: 'phone', label: { en: 'Phone', 'zh-CN': '电话' }, allow }] }] });
    const both = only(['cn-mobile', 'cn-landline']);
    expect(both.readPage('p', { tel: '010 1234 5678' }, {}, ctx)).toMatchObject({ errors: [], answers: { tel: '+861012345678' } });
    expect(both.readPage('p', { tel: '+44 20 7946 0958' }, {}, ctx).errors.map((e) => e.messageKey)).toEqual(['forms.phone.cnAny']);
    expect(only(['cn-landline']).readPage('p', { tel: '13800138000' }, {}, ctx).errors.map((e) => e.messageKey)).toEqual(['forms.phone.cnLandline']);
    expect(only(['cn-mobile']).readPage('p', { tel: '010-12345678' }, {}, ctx).errors.map((e) => e.messageKey)).toEqual(['forms.phone.cnMobile']);
  });
});

describe('resident ID numbers (GB 11643)', () => {
  it('computes the check character, X included', () => {
    expect(residentIdCheckCharacter('11010519491231002')).toBe('X');
    expect(residentIdCheckCharacter('44052418800101001')).toBe('4');
  });

  it('accepts a real number, with a lower-case x and spaces', () => {
    expect(post('idNumber', { idNumber: '110105 19491231 002x' })).toMatchObject({ value: '11010519491231002X', keys: [] });
    expect(post('idNumber', { idNumber: '440524188001010014' }).keys).toEqual([]);
  });

  it('refuses a wrong format, a wrong check character and an impossible or future birth date', () => {
    const format = post('idNumber', { idNumber: '1101051949123100' });
    expect(format.keys).toEqual(['forms.residentId.format']);
    expect(form.errorText(format.errors[0]!, 'en')).toBe('Enter a resident ID number in the correct format, like 11010519491231002X');
    expect(post('idNumber', { idNumber: '110105194912310021' }).keys).toEqual(['forms.residentId.checksum']);
    const feb30 = `11010119900230001`;
    expect(post('idNumber', { idNumber: feb30 + residentIdCheckCharacter(feb30) }).keys).toEqual(['forms.residentId.birthDate']);
    const future = `11010120300101001`;
    expect(post('idNumber', { idNumber: future + residentIdCheckCharacter(future) }).keys).toEqual(['forms.residentId.birthDate']);
  });
});

describe('other identity documents', () => {
  const id = (kind: string, number: string) => post('passport', { 'passport-kind': kind, 'passport-number': number });

  it('checks the number against the chosen kind', () => {
    expect(id('cn-passport', 'e1234 5678')).toMatchObject({ value: { kind: 'cn-passport', number: 'E12345678' }, keys: [] });
    expect(id('cn-passport', 'EA1234567').keys).toEqual([]);
    expect(id('hk-macau-permit', 'C12345678').keys).toEqual([]);
    expect(id('home-return-permit', 'H1234567890').keys).toEqual([]);
    expect(id('taiwan-permit', '12345678').summary).toBe('Mainland Travel Permit for Taiwan Residents\n12345678');
    const wrong = id('cn-passport', '12345678');
    expect(wrong.keys).toEqual(['forms.otherId.format']);
    expect(wrong.errors[0]).toMatchObject({ fieldId: 'passport-number', params: { example: 'E12345678' } });
  });

  it('wants a kind when there is a choice', () => {
    expect(id('', 'E12345678').errors[0]).toMatchObject({ messageKey: 'forms.otherId.kind', fieldId: 'passport-kind' });
    expect(id('driving-licence', 'E12345678').keys).toEqual(['forms.otherId.kind']);
  });
});

describe('addresses', () => {
  const full = { 'home-province': '北京市', 'home-city': '北京市', 'home-district': '东城区', 'home-line1': '东长安街1号', 'home-postcode': '100010' };

  it('keeps the parts and shows them in each language’s order', () => {
    const result = post('home', full);
    expect(result.keys).toEqual([]);
    expect(form.summary(form.readPage('home', full, {}, ctx).answers, 'zh-CN', ctx).find((r) => r.fieldId === 'home')?.value).toBe('北京市北京市东城区东长安街1号\n100010');
    expect(result.summary).toBe('东长安街1号\n东城区\n北京市\n北京市\n100010');
  });

  it('names the first missing part and checks the postcode', () => {
    expect(post('home', { ...full, 'home-city': '' }).errors[0]).toMatchObject({ messageKey: 'forms.address.city', fieldId: 'home-city' });
    expect(post('home', { ...full, 'home-postcode': '1000' }).keys).toEqual(['forms.address.postcode']);
    expect(post('home', { ...full, 'home-postcode': '100 010' })).toMatchObject({ keys: [], value: { postcode: '100010' } });
    expect(post('home', { ...full, 'home-line1': 'x'.repeat(101) }).keys).toEqual(['forms.address.tooLong']);
  });
});

describe('file uploads (metadata only)', () => {
  const meta = (name: string, type: string, size: string) => post('proof', { 'proof-name': name, 'proof-type': type, 'proof-size': size, 'proof-ref': 'f-1' });

  it('accepts an allowed type under the size limit', () => {
    expect(meta('lease.pdf', 'application/pdf', '2048')).toMatchObject({ value: { name: 'lease.pdf', type: 'application/pdf', size: 2048, ref: 'f-1' }, summary: 'lease.pdf (2 KB)' });
  });

  it('refuses other types, large, empty and badly named files', () => {
    const type = meta('a.png', 'image/png', '10');
    expect(type.keys).toEqual(['forms.file.type']);
    expect(type.errors[0]?.params).toEqual({ types: 'PDF, JPG' });
    expect(meta('a.pdf', 'application/pdf', String(1024 * 1024 + 1)).keys).toEqual(['forms.file.size']);
    expect(meta('a.pdf', 'application/pdf', '0').keys).toEqual(['forms.file.empty']);
    expect(meta('../a.pdf', 'application/pdf', '10').keys).toEqual(['forms.file.name']);
    expect(meta('a.pdf', 'application/pdf', 'big').keys).toEqual(['forms.error.check']);
    expect(post('proof', {}).keys).toEqual(['forms.error.upload']);
  });

  it('keeps the uploaded file when the page is posted again without one', () => {
    const first = form.readPage('proof', { 'proof-name': 'a.pdf', 'proof-type': 'application/pdf', 'proof-size': '10' }, {}, ctx);
    expect(form.readPage('proof', {}, first.answers, ctx)).toMatchObject({ errors: [], answers: { proof: { name: 'a.pdf' } } });
  });
});
