import type { ShortTextField } from '../types.js';
import type { FieldModule } from './contract.js';
import { accept, fieldError, postedString, rawString } from './shared.js';
import { inputClass, SingleControl } from './view.js';

const DEFAULT_MAX = 200;

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
  parse: (_def, raw) => {
    const value = rawString(raw).trim();
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
