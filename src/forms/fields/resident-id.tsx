import type { ResidentIdField } from '../types.js';
import type { FieldModule } from './contract.js';
import { accept, compact, fieldError, isoDate, isRealDate, postedString, rawString } from './shared.js';
import { inputClass, SingleControl } from './view.js';

const FORMAT = /^[1-9]\d{16}[\dX]$/;
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK = '10X98765432';

/** GB 11643-1999: ISO 7064 MOD 11-2 over the first 17 digits gives the 18th character. */
export function residentIdCheckCharacter(first17: string): string {
  const sum = WEIGHTS.reduce((total, weight, i) => total + weight * Number(first17[i]), 0);
  return CHECK[sum % 11] ?? '';
}

/** The date of birth inside the number (characters 7 to 14), or undefined if it is not a real date. */
export function residentIdBirthDate(value: string): string | undefined {
  const [year, month, day] = [Number(value.slice(6, 10)), Number(value.slice(10, 12)), Number(value.slice(12, 14))];
  return isRealDate(year, month, day) && year >= 1850 ? isoDate(year, month, day) : undefined;
}

/**
 * A resident ID number as this field stores it and lookups compare it: full-width digits and
 * letters typed with a Chinese input method in their ASCII forms (NFKC), without the spaces,
 * dashes, brackets or dots people split it with as it is printed, the check character `x` in
 * upper case. `１１０１０１ １９９００３０７ ２３５ｘ` reads as `11010119900307235X`. Also fits other
 * codes read out or typed in groups (an appointment reference). Pure; checks nothing.
 */
export function normaliseIdNumber(text: string): string {
  return compact(text).toUpperCase();
}

export const residentId: FieldModule<ResidentIdField, string> = {
  type: 'resident-id',
  options: { properties: {} },
  answerSchema: () => ({ type: 'string' }),
  read: (_def, body, id) => postedString(body, id),
  parse: (_def, raw) => {
    // People type a lower-case x and split the number into groups: both are fine.
    const value = normaliseIdNumber(rawString(raw));
    return accept(value === '' ? undefined : value);
  },
  toRaw: (_def, value) => value,
  validate: (_def, value, at, ctx) => {
    if (!FORMAT.test(value)) return [fieldError(at, 'forms.residentId.format')];
    if (residentIdCheckCharacter(value.slice(0, 17)) !== value[17]) return [fieldError(at, 'forms.residentId.checksum')];
    const born = residentIdBirthDate(value);
    if (born === undefined || born >= ctx.now.slice(0, 10)) return [fieldError(at, 'forms.residentId.birthDate')];
    return [];
  },
  view: (props) => (
    <SingleControl field={props}>
      {(describedBy, hasError) => (
        <input class={inputClass('tb-input', hasError, '20')} id={props.at.id} name={props.at.id} type="text" autocomplete="off"
          spellcheck={false} value={rawString(props.raw)} aria-describedby={describedBy} />
      )}
    </SingleControl>
  ),
  summary: (_def, value) => value,
  firstInputId: (_def, id) => id,
  requiredKey: 'forms.error.enter',
  messageKeys: ['forms.error.enter', 'forms.residentId.format', 'forms.residentId.checksum', 'forms.residentId.birthDate', 'forms.view.optional', 'forms.view.errorPrefix'],
};
