import type { AddressField } from '../types.js';
import type { FieldModule } from './contract.js';
import { accept, compact, fieldError, normalized, postedParts, rawPart } from './shared.js';
import { FieldsetControl, inputClass } from './view.js';

export interface Address {
  readonly province: string;
  readonly city: string;
  readonly district: string;
  readonly line1: string;
  readonly line2?: string;
  readonly postcode?: string;
}

type Part = keyof Address;
const PARTS: readonly Part[] = ['province', 'city', 'district', 'line1', 'line2', 'postcode'];
const REQUIRED = ['province', 'city', 'district', 'line1'] as const;
const MAX = 100;
const AUTOCOMPLETE: Readonly<Record<Part, string>> = {
  province: 'address-level1', city: 'address-level2', district: 'address-level3', line1: 'address-line1', line2: 'address-line2', postcode: 'postal-code',
};

export const address: FieldModule<AddressField, Address> = {
  type: 'address',
  options: { properties: {} },
  answerSchema: () => ({
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(PARTS.map((p) => [p, { type: 'string' }])),
  }),
  read: (_def, body, id) => postedParts(body, id, PARTS),
  // Missing parts are reported by validate, so an address sent as JSON gets the same messages.
  parse: (_def, raw) => {
    // A postcode is typed as people split it (`100 000`): spaces and dashes go.
    const entries = PARTS.map((p) => [p, p === 'postcode' ? compact(rawPart(raw, p)) : normalized(rawPart(raw, p))] as const).filter(([, v]) => v !== '');
    return accept(entries.length === 0 ? undefined : (Object.fromEntries(entries) as unknown as Address));
  },
  toRaw: (_def, value) => ({ ...value }),
  validate: (_def, value, at) => {
    const missing = REQUIRED.find((p) => !value[p]);
    if (missing) return [fieldError(at, `forms.address.${missing}`, {}, `${at.id}-${missing}`)];
    const long = PARTS.find((p) => [...(value[p] ?? '')].length > MAX);
    if (long) return [fieldError(at, 'forms.address.tooLong', { max: MAX }, `${at.id}-${long}`)];
    if (value.postcode !== undefined && !/^\d{6}$/.test(value.postcode)) return [fieldError(at, 'forms.address.postcode', {}, `${at.id}-postcode`)];
    return [];
  },
  view: (props) => {
    const wrong = new Set(props.errors.map((e) => e.fieldId));
    return (
      <FieldsetControl field={props}>
        {PARTS.map((part) => {
          const id = `${props.at.id}-${part}`;
          return (
            <div class="tb-form-group">
              <label class="tb-label" for={id}>{props.t(`forms.view.${part}`)}</label>
              <input class={inputClass('tb-input', wrong.has(id), part === 'postcode' ? '10' : undefined)} id={id} name={id} type="text"
                autocomplete={AUTOCOMPLETE[part]} value={rawPart(props.raw, part)} />
            </div>
          );
        })}
      </FieldsetControl>
    );
  },
  // Chinese addresses run from the largest area to the smallest on one line; English ones the other way.
  summary: (_def, value, locale) => {
    const { province, city, district, line1, line2, postcode } = value;
    if (locale === 'zh-CN') return [[province, city, district, line1, line2].filter(Boolean).join(''), postcode].filter(Boolean).join('\n');
    return [line2, line1, district, city, province, postcode].filter(Boolean).join('\n');
  },
  firstInputId: (_def, id) => `${id}-province`,
  requiredKey: 'forms.error.enter',
  messageKeys: [
    'forms.error.enter', 'forms.address.province', 'forms.address.city', 'forms.address.district', 'forms.address.line1', 'forms.address.postcode', 'forms.address.tooLong',
    'forms.view.province', 'forms.view.city', 'forms.view.district', 'forms.view.line1', 'forms.view.line2', 'forms.view.postcode', 'forms.view.optional', 'forms.view.errorPrefix',
  ],
};
