import type { MultipleChoiceField } from '../types.js';
import type { FieldModule } from './contract.js';
import { ChoiceList } from './choice-view.js';
import { accept, fieldError, postedStrings, rawStrings, reject } from './shared.js';
import { text } from './view.js';

export const multipleChoice: FieldModule<MultipleChoiceField, readonly string[]> = {
  type: 'multiple-choice',
  options: {
    properties: {
      options: { type: 'array', minItems: 1, items: { $ref: '#/definitions/option' } },
      minSelected: { type: 'integer', minimum: 1 },
      maxSelected: { type: 'integer', minimum: 1 },
    },
    required: ['options'],
  },
  answerSchema: (def) => ({ type: 'array', uniqueItems: true, items: { enum: def.options.map((o) => o.value) } }),
  // Browsers post nothing for unticked boxes, so an absent name means "none ticked".
  read: (_def, body, id) => postedStrings(body, id) ?? [],
  parse: (def, raw, at) => {
    const posted = new Set(rawStrings(raw).filter((v) => v !== ''));
    if (posted.size === 0) return accept(undefined);
    if ([...posted].some((v) => !def.options.some((o) => o.value === v))) return reject(fieldError(at, 'forms.choice.invalid'));
    // Kept in the order of the options, whatever order the browser posted them in.
    return accept(def.options.map((o) => o.value).filter((v) => posted.has(v)));
  },
  toRaw: (_def, value) => value,
  validate: (def, value, at) => {
    if (def.minSelected !== undefined && value.length < def.minSelected) return [fieldError(at, 'forms.choice.tooFew', { min: def.minSelected })];
    if (def.maxSelected !== undefined && value.length > def.maxSelected) return [fieldError(at, 'forms.choice.tooMany', { max: def.maxSelected })];
    return [];
  },
  view: (props) => {
    const items = props.def.options.map((o) => ({ value: o.value, label: text(o.label, props.locale), hint: o.hint }));
    return <ChoiceList field={props} kind="checkboxes" items={items} checked={new Set(rawStrings(props.raw))} />;
  },
  summary: (def, value, locale) => value.map((v) => text(def.options.find((o) => o.value === v)?.label, locale) || v).join('\n'),
  firstInputId: (_def, id) => id,
  requiredKey: 'forms.error.select',
  messageKeys: ['forms.error.select', 'forms.choice.invalid', 'forms.choice.tooFew', 'forms.choice.tooMany', 'forms.view.optional', 'forms.view.errorPrefix'],
};
