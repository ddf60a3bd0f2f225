import type { EmailField } from '../types.js';
import type { FieldModule } from './contract.js';
import { accept, fieldError, normalized, postedString, rawString } from './shared.js';
import { inputClass, SingleControl } from './view.js';

/** Deliberately loose (something@domain.tld): the real check is the message that arrives. */
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

export const email: FieldModule<EmailField, string> = {
  type: 'email',
  options: { properties: {} },
  answerSchema: () => ({ type: 'string' }),
  read: (_def, body, id) => postedString(body, id),
  parse: (_def, raw) => {
    const value = normalized(rawString(raw));
    return accept(value === '' ? undefined : value);
  },
  toRaw: (_def, value) => value,
  validate: (_def, value, at) => (value.length <= 254 && EMAIL.test(value) ? [] : [fieldError(at, 'forms.email.format')]),
  view: (props) => (
    <SingleControl field={props}>
      {(describedBy, hasError) => (
        <input class={inputClass('tb-input', hasError)} id={props.at.id} name={props.at.id} type="email" autocomplete="email"
          spellcheck={false} value={rawString(props.raw)} aria-describedby={describedBy} />
      )}
    </SingleControl>
  ),
  summary: (_def, value) => value,
  firstInputId: (_def, id) => id,
  requiredKey: 'forms.error.enter',
  messageKeys: ['forms.error.enter', 'forms.email.format', 'forms.view.optional', 'forms.view.errorPrefix'],
};
