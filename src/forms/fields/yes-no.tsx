import { translate, type Locale } from '../../kernel/i18n/index.js';
import type { YesNoField } from '../types.js';
import type { FieldModule } from './contract.js';
import { ChoiceList } from './choice-view.js';
import { accept, fieldError, postedString, rawString, reject } from './shared.js';

export const yesNo: FieldModule<YesNoField, boolean> = {
  type: 'yes-no',
  options: { properties: {} },
  answerSchema: () => ({ type: 'boolean' }),
  read: (_def, body, id) => postedString(body, id),
  parse: (_def, raw, at) => {
    const value = rawString(raw);
    if (value === '') return accept(undefined);
    if (value === 'yes' || value === 'no') return accept(value === 'yes');
    return reject(fieldError(at, 'forms.choice.invalid'));
  },
  toRaw: (_def, value) => (value ? 'yes' : 'no'),
  validate: () => [],
  view: (props) => {
    const items = [{ value: 'yes', label: props.t('forms.view.yes') }, { value: 'no', label: props.t('forms.view.no') }];
    return <ChoiceList field={props} kind="radios" items={items} checked={new Set([rawString(props.raw)])} inline />;
  },
  summary: (_def, value, locale) => translateYesNo(value, locale),
  firstInputId: (_def, id) => id,
  requiredKey: 'forms.error.select',
  messageKeys: ['forms.error.select', 'forms.choice.invalid', 'forms.view.yes', 'forms.view.no', 'forms.view.optional', 'forms.view.errorPrefix'],
};

function translateYesNo(value: boolean, locale: Locale): string {
  return translate(locale, value ? 'forms.view.yes' : 'forms.view.no');
}
