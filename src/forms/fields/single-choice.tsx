import type { SingleChoiceField } from '../types.js';
import type { FieldModule } from './contract.js';
import { ChoiceList } from './choice-view.js';
import { accept, fieldError, postedString, rawString, reject } from './shared.js';
import { inputClass, SingleControl, text } from './view.js';

export const singleChoice: FieldModule<SingleChoiceField, string> = {
  type: 'single-choice',
  options: {
    properties: {
      options: { type: 'array', minItems: 2, items: { $ref: '#/definitions/option' } },
      display: { enum: ['radios', 'select'] },
    },
    required: ['options'],
  },
  answerSchema: (def) => ({ enum: def.options.map((o) => o.value) }),
  read: (_def, body, id) => postedString(body, id),
  parse: (def, raw, at) => {
    const value = rawString(raw);
    if (value === '') return accept(undefined);
    return def.options.some((o) => o.value === value) ? accept(value) : reject(fieldError(at, 'forms.choice.invalid'));
  },
  toRaw: (_def, value) => value,
  validate: () => [],
  view: (props) => {
    const chosen = rawString(props.raw);
    if (props.def.display === 'select') {
      return (
        <>
          <SingleControl field={props}>
            {(describedBy, hasError) => (
              <select class={inputClass('tb-select', hasError).replace('tb-input--error', 'tb-select--error')} id={props.at.id} name={props.at.id} aria-describedby={describedBy}>
                <option value="" selected={chosen === ''}>{props.t('forms.view.chooseOption')}</option>
                {props.def.options.map((o) => <option value={o.value} selected={o.value === chosen}>{text(o.label, props.locale)}</option>)}
              </select>
            )}
          </SingleControl>
          {/* A select has no place beneath an option: what its options reveal follows it. */}
          {props.def.options.map((o) => {
            const revealed = props.reveals?.get(o.value);
            return revealed ? <div class="tb-select__conditional" id={`conditional-${props.at.id}-${o.value}`}>{revealed}</div> : null;
          })}
        </>
      );
    }
    const items = props.def.options.map((o) => ({ value: o.value, label: text(o.label, props.locale), hint: o.hint }));
    return <ChoiceList field={props} kind="radios" items={items} checked={new Set([chosen])} />;
  },
  summary: (def, value, locale) => text(def.options.find((o) => o.value === value)?.label, locale) || value,
  firstInputId: (_def, id) => id,
  requiredKey: 'forms.error.select',
  messageKeys: ['forms.error.select', 'forms.choice.invalid', 'forms.view.chooseOption', 'forms.view.optional', 'forms.view.errorPrefix'],
};
