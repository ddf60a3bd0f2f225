import type { RawParts, RawValue, RepeatingGroupField, SubFieldDefinition } from '../types.js';
import type { FieldModule, Location } from './contract.js';
import { checkValue, locationOf, pick } from './lookup.js';
import { fieldError, isBlank } from './shared.js';
import { subFieldModules } from './sub-registry.js';
import { FieldsetControl, text } from './view.js';

type Item = Readonly<Record<string, unknown>>;

/** Submit-button values the group's buttons post under `_action`. */
export const ACTION_FIELD = '_action';
export const addAction = (id: string): string => `add:${id}`;
export const removeAction = (id: string, index: number): string => `remove:${id}:${index}`;

const MAX_ITEMS = 50;
const sub = (def: SubFieldDefinition) => pick(subFieldModules, def.type);
const itemAt = (at: Location, index: number, def: SubFieldDefinition): Location =>
  locationOf(def, `${at.pointer}/${index}/${def.id}`, `${at.id}-${index}-${def.id}`);
const maxItems = (def: RepeatingGroupField) => def.maxItems ?? 10;
const minItems = (def: RepeatingGroupField) => def.minItems ?? (def.required === false ? 0 : 1);

function rawItems(raw: RawValue | undefined): readonly RawParts[] {
  return Array.isArray(raw) ? (raw as readonly unknown[]).filter((v): v is RawParts => typeof v === 'object' && v !== null && !Array.isArray(v)) : [];
}

export const repeatingGroup: FieldModule<RepeatingGroupField, readonly Item[]> = {
  type: 'repeating-group',
  options: {
    properties: {
      itemLabel: { $ref: '#/definitions/text' },
      fields: { type: 'array', minItems: 1, items: { $ref: '#/definitions/subField' } },
      minItems: { type: 'integer', minimum: 0 },
      maxItems: { type: 'integer', minimum: 1, maximum: MAX_ITEMS },
    },
    required: ['itemLabel', 'fields'],
  },
  answerSchema: (def) => ({
    type: 'array',
    items: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(def.fields.map((f) => [f.id, sub(f).answerSchema(f)])),
    },
  }),
  // Inputs are named `<id>-<n>-<sub-field id>`; entries left wholly blank are dropped and the rest
  // numbered again from 0, so the raw entries and the parsed ones always line up.
  read: (def, body, id) => {
    const pattern = new RegExp(`^${id}-(\\d{1,3})-`);
    const indexes = [...new Set(Object.keys(body).map((k) => pattern.exec(k)?.[1]).filter((v): v is string => v !== undefined).map(Number))];
    indexes.sort((a, b) => a - b);
    return indexes.slice(0, MAX_ITEMS)
      .map((n): RawParts => Object.fromEntries(def.fields.map((f) => [f.id, sub(f).read(f, body, `${id}-${n}-${f.id}`)])))
      .filter((item) => !isBlank(item));
  },
  parse: (def, raw, at) => {
    const items = rawItems(raw);
    if (items.length === 0) return { value: undefined, errors: [] };
    const errors = [];
    const value: Item[] = [];
    for (const [index, item] of items.entries()) {
      const entry: Record<string, unknown> = {};
      for (const f of def.fields) {
        const typed = item[f.id];
        if (typed === undefined) continue;
        const parsed = sub(f).parse(f, typed, itemAt(at, index, f));
        errors.push(...parsed.errors);
        if (parsed.value !== undefined) entry[f.id] = parsed.value;
      }
      value.push(entry);
    }
    return { value, errors };
  },
  toRaw: (def, value) => value.map((item): RawParts => Object.fromEntries(def.fields.map((f) => {
    const answer = item[f.id];
    return [f.id, answer === undefined ? undefined : sub(f).toRaw(f, answer)];
  }))),
  validate: (def, value, at, ctx) => {
    const firstInput = firstInputOf(def, at.id);
    if (value.length < minItems(def)) return [fieldError(at, 'forms.group.tooFew', { min: minItems(def), count: value.length }, firstInput)];
    if (value.length > maxItems(def)) return [fieldError(at, 'forms.group.tooMany', { max: maxItems(def) }, firstInput)];
    return value.flatMap((item, index) => def.fields.flatMap((f) => checkValue(sub(f), f, item[f.id], itemAt(at, index, f), f.required !== false, ctx)));
  },
  view: (props) => {
    const { def, at, t, locale } = props;
    const items = rawItems(props.raw);
    const count = Math.min(maxItems(def), Math.max(items.length, minItems(def), 1));
    const own = props.errors.filter((e) => e.pointer === at.pointer);
    const itemName = (index: number) => t('forms.view.groupItem', { item: text(def.itemLabel, locale), number: index + 1 });
    return (
      <FieldsetControl field={{ ...props, errors: own }}>
        {Array.from({ length: count }, (_, index) => (
          <fieldset class="tb-fieldset tb-add-another__item">
            <legend class="tb-fieldset__legend tb-fieldset__legend--s">{itemName(index)}</legend>
            {def.fields.map((f) => {
              const fieldAt = itemAt(at, index, f);
              const errors = props.errors.filter((e) => e.pointer === fieldAt.pointer || e.pointer.startsWith(`${fieldAt.pointer}/`));
              return sub(f).view({ ...props, def: f, at: fieldAt, raw: items[index]?.[f.id], errors, required: f.required !== false });
            })}
            {count > 1 ? (
              <button type="submit" class="tb-button tb-button--secondary tb-add-another__remove" name={ACTION_FIELD} value={removeAction(at.id, index)}>
                {t('forms.view.remove')}<span class="tb-visually-hidden"> {itemName(index)}</span>
              </button>
            ) : null}
          </fieldset>
        ))}
        {count < maxItems(def) ? (
          <button type="submit" class="tb-button tb-button--secondary tb-add-another__add" name={ACTION_FIELD} value={addAction(at.id)}>
            {t('forms.view.addAnother', { item: lowerFirst(text(def.itemLabel, locale)) })}
          </button>
        ) : null}
      </FieldsetControl>
    );
  },
  summary: (def, value, locale) => value.map((item, index) => {
    const parts = def.fields.filter((f) => item[f.id] !== undefined).map((f) => sub(f).summary(f, item[f.id], locale).replaceAll('\n', ', '));
    return `${text(def.itemLabel, locale)} ${index + 1}: ${parts.join('; ')}`;
  }).join('\n'),
  firstInputId: (def, id) => firstInputOf(def, id),
  requiredKey: 'forms.error.add',
  messageKeys: ['forms.error.add', 'forms.group.tooFew', 'forms.group.tooMany', 'forms.view.groupItem', 'forms.view.remove', 'forms.view.addAnother', 'forms.view.optional', 'forms.view.errorPrefix'],
};

function firstInputOf(def: RepeatingGroupField, id: string): string {
  const first = def.fields[0];
  return first ? sub(first).firstInputId(first, `${id}-0-${first.id}`) : id;
}

/** "Child" → "child" for "Add another child"; "ID card" keeps its capitals. */
function lowerFirst(value: string): string {
  return /^[A-Z][a-z]/.test(value) ? value.charAt(0).toLowerCase() + value.slice(1) : value;
}
