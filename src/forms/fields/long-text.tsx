import type { LongTextField } from '../types.js';
import type { FieldModule } from './contract.js';
import { accept, cleanText, fieldError, postedString, rawString } from './shared.js';
import { inputClass, SingleControl } from './view.js';

const DEFAULT_MAX = 2000;

export const longText: FieldModule<LongTextField, string> = {
  type: 'long-text',
  options: {
    properties: {
      maxLength: { type: 'integer', minimum: 1, maximum: 20000 },
      rows: { type: 'integer', minimum: 2, maximum: 20 },
    },
  },
  answerSchema: () => ({ type: 'string' }),
  read: (_def, body, id) => postedString(body, id),
  parse: (_def, raw) => {
    // Line breaks arrive as CRLF from browsers: keep one form so lengths count what people see.
    const value = cleanText(rawString(raw).replace(/\r\n?/g, '\n'));
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
        <textarea class={inputClass('tb-textarea', hasError).replace('tb-input--error', 'tb-textarea--error')} id={props.at.id} name={props.at.id}
          rows={props.def.rows ?? 5} aria-describedby={describedBy} value={rawString(props.raw)} />
      )}
    </SingleControl>
  ),
  summary: (_def, value) => value,
  firstInputId: (_def, id) => id,
  requiredKey: 'forms.error.enter',
  messageKeys: ['forms.error.enter', 'forms.text.tooLong', 'forms.view.optional', 'forms.view.errorPrefix'],
};
