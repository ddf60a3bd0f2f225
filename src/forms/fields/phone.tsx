import type { PhoneField, PhoneKind } from '../types.js';
import type { FieldModule } from './contract.js';
import { accept, compact, fieldError, postedString, rawString } from './shared.js';
import { inputClass, SingleControl } from './view.js';

const CN_MOBILE = /^1[3-9]\d{9}$/;
/**
 * A Chinese landline as E.164 after +86: Beijing's area code 10 and the 2X codes with 8-digit
 * numbers, the other (three-digit) area codes with 7- or 8-digit numbers.
 */
const CN_LANDLINE = /^\+86(?:10\d{8}|2\d{9}|[3-9]\d{9,10})$/;
/** A landline as dialled within China: the trunk 0, the area code, the number (`010-12345678`). */
const CN_LANDLINE_DIALLED = /^0[1-9]\d{8,10}$/;
/** E.164: a plus, a country code not starting with 0, at most 15 digits in all. */
const E164 = /^\+[1-9]\d{6,14}$/;
const ALL: readonly PhoneKind[] = ['cn-mobile', 'cn-landline', 'international'];

/**
 * Spaces, dashes, brackets and dots go; `00` becomes `+`, and `86` before a mobile number `+86`.
 * A Chinese mobile number is kept as its 11 digits (with `+86` dropped) when Chinese mobiles are
 * accepted; a landline dialled with its area code (`010-12345678`) becomes E.164
 * (`+861012345678`); every other number stays E.164.
 */
export function normalizePhone(typed: string, allow: readonly PhoneKind[]): string {
  let value = compact(typed);
  if (value.startsWith('00')) value = `+${value.slice(2)}`;
  if (/^861[3-9]\d{9}$/.test(value)) value = `+${value}`;
  const local = value.startsWith('+86') ? value.slice(3) : undefined;
  if (local !== undefined && allow.includes('cn-mobile') && CN_MOBILE.test(local)) return local;
  if (CN_LANDLINE_DIALLED.test(value) && (allow.includes('cn-landline') || allow.includes('international'))) return `+86${value.slice(1)}`;
  return value;
}

export const phone: FieldModule<PhoneField, string> = {
  type: 'phone',
  options: {
    properties: { allow: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ALL } } },
  },
  answerSchema: () => ({ type: 'string' }),
  read: (_def, body, id) => postedString(body, id),
  parse: (def, raw) => {
    const value = normalizePhone(rawString(raw), def.allow ?? ALL);
    return accept(value === '' ? undefined : value);
  },
  toRaw: (_def, value) => value,
  validate: (def, value, at) => {
    const allow = def.allow ?? ALL;
    if (allow.includes('cn-mobile') && CN_MOBILE.test(value)) return [];
    if (allow.includes('cn-landline') && CN_LANDLINE.test(value)) return [];
    if (allow.includes('international') && E164.test(value)) return [];
    const key = allow.length > 1 ? (allow.includes('international') ? 'forms.phone.format' : 'forms.phone.cnAny')
      : allow[0] === 'cn-mobile' ? 'forms.phone.cnMobile' : allow[0] === 'cn-landline' ? 'forms.phone.cnLandline' : 'forms.phone.international';
    return [fieldError(at, key)];
  },
  view: (props) => (
    <SingleControl field={props}>
      {(describedBy, hasError) => (
        <input class={inputClass('tb-input', hasError, '20')} id={props.at.id} name={props.at.id} type="tel" autocomplete="tel"
          spellcheck={false} value={rawString(props.raw)} aria-describedby={describedBy} />
      )}
    </SingleControl>
  ),
  summary: (_def, value) => value,
  firstInputId: (_def, id) => id,
  requiredKey: 'forms.error.enter',
  messageKeys: ['forms.error.enter', 'forms.phone.format', 'forms.phone.cnAny', 'forms.phone.cnMobile', 'forms.phone.cnLandline', 'forms.phone.international', 'forms.view.optional', 'forms.view.errorPrefix'],
};
