import { translate, type Locale } from '../../kernel/i18n/index.js';
import type { OtherIdField, OtherIdKind } from '../types.js';
import type { FieldModule } from './contract.js';
import { accept, compact, fieldError, postedParts, rawPart, reject } from './shared.js';
import { FieldsetControl, inputClass } from './view.js';

export interface OtherId {
  readonly kind: OtherIdKind;
  readonly number: string;
}

/** A small, deliberate set: the documents people most often use instead of a resident ID card. */
export const ID_FORMATS: Readonly<Record<OtherIdKind, { pattern: RegExp; example: string }>> = {
  // Ordinary passports: E + 8 digits, or E + a letter (not I or O) + 7 digits; older ones G + 8 digits.
  'cn-passport': { pattern: /^(?:E[0-9A-HJ-NP-Z]\d{7}|G\d{8})$/, example: 'E12345678' },
  // ICAO 9303 document numbers are up to 9 letters and digits.
  passport: { pattern: /^[A-Z0-9]{6,9}$/, example: 'AB1234567' },
  'hk-macau-permit': { pattern: /^C[0-9A-HJ-NP-Z]\d{7}$/, example: 'C12345678' },
  'home-return-permit': { pattern: /^[HM]\d{8}(?:\d{2})?$/, example: 'H12345678' },
  'taiwan-permit': { pattern: /^\d{8}$/, example: '12345678' },
};
const KINDS = Object.keys(ID_FORMATS) as OtherIdKind[];

function kindOf(def: OtherIdField, typed: string): OtherIdKind | undefined {
  if (def.kinds.length === 1) return def.kinds[0];
  return def.kinds.find((k) => k === typed);
}

export const otherId: FieldModule<OtherIdField, OtherId> = {
  type: 'other-id',
  options: {
    properties: { kinds: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: KINDS } } },
    required: ['kinds'],
  },
  answerSchema: (def) => ({
    type: 'object',
    required: ['kind', 'number'],
    additionalProperties: false,
    properties: { kind: { enum: def.kinds }, number: { type: 'string' } },
  }),
  read: (_def, body, id) => postedParts(body, id, ['kind', 'number']),
  parse: (def, raw, at) => {
    const number = compact(rawPart(raw, 'number')).toUpperCase();
    if (number === '') return accept(undefined);
    const kind = kindOf(def, rawPart(raw, 'kind'));
    if (kind === undefined) return reject(fieldError(at, 'forms.otherId.kind', {}, `${at.id}-kind`));
    return accept({ kind, number });
  },
  toRaw: (_def, value) => ({ kind: value.kind, number: value.number }),
  validate: (_def, value, at) => {
    const format = ID_FORMATS[value.kind];
    return format.pattern.test(value.number) ? [] : [fieldError(at, 'forms.otherId.format', { example: format.example }, `${at.id}-number`)];
  },
  view: (props) => {
    const { def, at, t } = props;
    const kindError = props.errors.some((e) => e.fieldId === `${at.id}-kind`);
    const numberError = props.errors.some((e) => e.fieldId !== `${at.id}-kind`);
    const chosen = rawPart(props.raw, 'kind');
    return (
      <FieldsetControl field={props}>
        {def.kinds.length > 1 ? (
          <div class="tb-form-group">
            <label class="tb-label" for={`${at.id}-kind`}>{t('forms.view.documentKind')}</label>
            <select class={kindError ? 'tb-select tb-select--error' : 'tb-select'} id={`${at.id}-kind`} name={`${at.id}-kind`}>
              <option value="" selected={chosen === ''}>{t('forms.view.chooseOption')}</option>
              {def.kinds.map((k) => <option value={k} selected={k === chosen}>{t(`forms.idKind.${k}`)}</option>)}
            </select>
          </div>
        ) : null}
        <div class="tb-form-group">
          <label class="tb-label" for={`${at.id}-number`}>{def.kinds.length === 1 && def.kinds[0] ? t(`forms.idKind.${def.kinds[0]}`) : t('forms.view.documentNumber')}</label>
          <input class={inputClass('tb-input', numberError, '20')} id={`${at.id}-number`} name={`${at.id}-number`} type="text"
            autocomplete="off" spellcheck={false} value={rawPart(props.raw, 'number')} />
        </div>
      </FieldsetControl>
    );
  },
  summary: (_def, value, locale) => `${translateKind(value.kind, locale)}\n${value.number}`,
  firstInputId: (def, id) => (def.kinds.length > 1 ? `${id}-kind` : `${id}-number`),
  requiredKey: 'forms.error.enter',
  messageKeys: [
    'forms.error.enter', 'forms.otherId.kind', 'forms.otherId.format', 'forms.view.documentKind', 'forms.view.documentNumber', 'forms.view.chooseOption',
    'forms.idKind.cn-passport', 'forms.idKind.passport', 'forms.idKind.hk-macau-permit', 'forms.idKind.home-return-permit', 'forms.idKind.taiwan-permit',
    'forms.view.optional', 'forms.view.errorPrefix',
  ],
};

function translateKind(kind: OtherIdKind, locale: Locale): string {
  return translate(locale, `forms.idKind.${kind}`);
}
