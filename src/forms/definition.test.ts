import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { answersFromAccount, compileForm, definitionSchema, fieldModule, validateDefinition } from './index.js';
import { everyTypeForm, journeyForm } from './testing/definitions.js';

const t = { en: 'x', 'zh-CN': 'x' };
const published = JSON.parse(readFileSync(new URL('../../docs/service-form.schema.json', import.meta.url), 'utf8')) as object;

describe('the published definition schema', () => {
  it('is the schema the engine uses (regenerate docs/service-form.schema.json from definitionSchema if this fails)', () => {
    expect(published).toEqual(JSON.parse(JSON.stringify(definitionSchema)));
  });

  it('accepts the example definitions when used on its own with Ajv', () => {
    const validate = new Ajv({ strict: false }).compile(published);
    expect(validate(everyTypeForm)).toBe(true);
    expect(validate(journeyForm)).toBe(true);
    expect(validate({ pages: [] })).toBe(false);
  });
});

describe('validateDefinition', () => {
  it('finds nothing wrong with good definitions', () => {
    expect(validateDefinition(everyTypeForm)).toEqual([]);
    expect(validateDefinition(journeyForm)).toEqual([]);
  });

  it('points at what is missing or misspelt', () => {
    const problems = validateDefinition({
      pages: [{ id: 'Page One', title: t, fields: [{ id: 'name', type: 'short-text', label: { en: 'Name' }, maxLenght: 3 }] }],
    });
    expect(problems).toEqual(expect.arrayContaining([
      { pointer: '/pages/0/id', message: expect.stringMatching(/must match pattern/) as unknown },
      { pointer: '/pages/0/fields/0/label', message: "must have required property 'zh-CN'" },
      { pointer: '/pages/0/fields/0', message: 'must NOT have additional properties (maxLenght)' },
    ]));
  });

  it('reports an unknown field type at its pointer', () => {
    const problems = validateDefinition({ pages: [{ id: 'p', title: t, fields: [{ id: 'a', type: 'signature', label: t }] }] });
    expect(problems).toContainEqual({ pointer: '/pages/0/fields/0/type', message: expect.stringMatching(/allowed values/) as unknown });
  });

  it('finds what the schema cannot: duplicates, reversed ranges, bad conditions, unknown fields and messages', () => {
    const problems = validateDefinition({
      pages: [
        { id: 'p', title: t, condition: { type: 'nonsense' }, fields: [{ id: 'a', type: 'number', label: t, min: 5, max: 1 }] },
        {
          id: 'p', title: t, fields: [
            { id: 'a', type: 'short-text', label: t },
            { id: 'c', type: 'single-choice', label: t, options: [{ value: 'x', label: t }, { value: 'x', label: t }] },
            { id: 'g', type: 'repeating-group', label: t, itemLabel: t, fields: [{ id: 's', type: 'email', label: t }, { id: 's', type: 'email', label: t }] },
          ],
        },
      ],
      rules: [{ field: 'nope', schema: true, message: 'form.missing' }],
    });
    expect(problems.map((p) => p.pointer)).toEqual([
      '/pages/0/condition', '/pages/0/fields/0/min', '/pages/1/id', '/pages/1/fields/0/id', '/pages/1/fields/1/options/1/value',
      '/pages/1/fields/2/fields/1/id', '/rules/0/field', '/rules/0/message',
    ]);
  });

  it('refuses a condition or rule whose pattern could backtrack without end on an applicant\'s answer', () => {
    const problems = validateDefinition({
      pages: [{ id: 'p', title: t, condition: { properties: { $form: { properties: { a: { pattern: '^\\d{6}$' } } } } }, fields: [{ id: 'a', type: 'short-text', label: t }] }],
      rules: [{ field: 'a', schema: { properties: { $form: { properties: { a: { pattern: '^([a-z]+)*$' } } } } }, message: 'form.a' }],
      messages: { 'form.a': t },
    });
    expect(problems).toEqual([{ pointer: '/rules/0/schema/properties/$form/properties/a/pattern', message: expect.stringContaining('exponential time') as unknown }]);
  });

  it('does not allow conditions or nesting inside a repeating group', () => {
    const problems = validateDefinition({
      pages: [{ id: 'p', title: t, fields: [{ id: 'g', type: 'repeating-group', label: t, itemLabel: t, fields: [{ id: 's', type: 'email', label: t, condition: true }] }] }],
    });
    expect(problems).toEqual([{ pointer: '/pages/0/fields/0/fields/0', message: 'must NOT have additional properties (condition)' }]);
  });
});

describe('fromAccount (docs/adr/0070)', () => {
  const page = (fields: unknown[]) => ({ pages: [{ id: 'p', title: t, fields }] });

  it('is allowed on the one field type each account fact fits', () => {
    expect(validateDefinition(page([
      { id: 'n', type: 'short-text', label: t, fromAccount: 'name' },
      { id: 'i', type: 'resident-id', label: t, fromAccount: 'idNumber' },
      { id: 'e', type: 'email', label: t, fromAccount: 'email' },
    ]))).toEqual([]);
  });

  it('is refused, saying why, on a field type it does not fit, an unknown fact or inside a repeating group', () => {
    expect(validateDefinition(page([
      { id: 'n', type: 'short-text', label: t, fromAccount: 'idNumber' },
      { id: 'd', type: 'date', label: t, fromAccount: 'name' },
      { id: 'x', type: 'short-text', label: t, fromAccount: 'phone' },
      { id: 'g', type: 'repeating-group', label: t, itemLabel: t, fields: [{ id: 's', type: 'short-text', label: t, fromAccount: 'name' }] },
    ]))).toEqual([
      { pointer: '/pages/0/fields/0/fromAccount', message: '"idNumber" fits only a resident-id field, not a short-text field' },
      { pointer: '/pages/0/fields/1/fromAccount', message: '"name" fits only a short-text field, not a date field' },
      { pointer: '/pages/0/fields/2/fromAccount', message: 'must be one of "name", "idNumber", "email"' },
      { pointer: '/pages/0/fields/3/fields/0/fromAccount', message: 'is not allowed inside a repeating group: its entries are not the applicant' },
    ]);
  });

  it('gives the starting answers of the fields the account has a fact for', () => {
    const definition = { pages: [{ id: 'p', title: t, fields: [
      { id: 'n', type: 'short-text' as const, label: t, fromAccount: 'name' as const },
      { id: 'i', type: 'resident-id' as const, label: t, fromAccount: 'idNumber' as const },
      { id: 'e', type: 'email' as const, label: t, fromAccount: 'email' as const },
      { id: 'o', type: 'short-text' as const, label: t },
    ] }] };
    expect(answersFromAccount(definition, { name: ' 王小明 ', idNumber: '11010519491231002X' })).toEqual({ n: '王小明', i: '11010519491231002X' });
    expect(answersFromAccount(definition, {})).toEqual({});
  });
});

describe('compileForm and the registry', () => {
  it('refuses a definition with problems, with a registered error code', () => {
    expect(() => compileForm({ pages: [] })).toThrow(expect.objectContaining({ code: 'TB_FORMS_INVALID_DEFINITION' }));
  });

  it('fails on a field type it does not know', () => {
    expect(() => fieldModule('signature')).toThrow(expect.objectContaining({ code: 'TB_FORMS_UNKNOWN_FIELD_TYPE' }));
    expect(() => fieldModule('toString')).toThrow(expect.objectContaining({ code: 'TB_FORMS_UNKNOWN_FIELD_TYPE' }));
    expect(fieldModule('money').type).toBe('money');
  });
});
