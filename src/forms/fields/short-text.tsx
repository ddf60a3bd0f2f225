import type { ShortTextField } from '../types.js';
import type { FieldModule } from './contract.js';
import { accept, cleanText, fieldError, nameText, postedString, rawString } from './shared.js';
import { inputClass, SingleControl } from './view.js';

const DEFAULT_MAX = 200;

/** A person's name, as its autocomplete token says (`name`, `given-name`, `family-name`, `additional-name`, after an optional section). */
const NAME_TOKENS = new Set(['name', 'given-name', 'family-name', 'additional-name']);
const isNameField = (def: ShortTextField): boolean => NAME_TOKENS.has(def.autocomplete?.trim().split(/\s+/).at(-1) ?? '');

export const shortText: FieldModule<ShortTextField, string> = {
  type: 'short-text',
  options: {
    properties: {
      maxLength: { type: 'integer', minimum: 1, maximum: 2000 },
      autocomplete: { type: 'string', pattern: '^[a-z0-9 -]+$' },
    },
  },
  answerSchema: () => ({ type: 'string' }),
  read: (_def, body, id) => postedString(body, id),
  parse: (def, raw) => {
    const value = isNameField(def) ? nameText(rawString(raw)) : cleanText(rawString(raw));
    return accept(value === '' ? undefined : value);
  },
  toRaw: (_def, value) => value,
  validate: (def, value, at) => {
    const max = def.maxLength ?? DEFAULT_MAX;
    return [...value].length > max ? [fieldError(at, 'forms.text.tooLong', { max })] : [];
  },
  view: (props) => (
    <SingleControl field={props}>
      {(describedBy, hasError) => (
        <input class={inputClass('tb-input', hasError)} id={props.at.id} name={props.at.id} type="text"
          value={rawString(props.raw)} autocomplete={props.def.autocomplete} aria-describedby={describedBy} />
      )}
    </SingleControl>
  ),
  summary: (_def, value) => value,
  firstInputId: (_def, id) => id,
  requiredKey: 'forms.error.enter',
  messageKeys: ['forms.error.enter', 'forms.text.tooLong', 'forms.view.optional', 'forms.view.errorPrefix'],
};
