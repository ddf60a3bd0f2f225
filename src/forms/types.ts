import type { Locale } from '../kernel/i18n/index.js';

/** A text shown to people, in every language we speak. */
export type Text = Readonly<Record<Locale, string>>;

/** A JSON Schema (draft-07) kept as plain data: conditions, rules and answer schemas. */
export type JsonSchema = { readonly [keyword: string]: unknown } | boolean;

/**
 * A condition is a JSON Schema evaluated against `{ $form, $user, $now }` (STYLE 11):
 * `$form` holds the answers given so far on visible pages, `$user` what we know about the
 * signed-in person, `$now` today's date (`YYYY-MM-DD`, service time zone).
 */
export type Condition = JsonSchema;

export interface FieldBase {
  /** Key in the answers and stem of the HTML ids and input names: letters, digits, `_`. */
  readonly id: string;
  readonly label: Text;
  readonly hint?: Text;
  /** How error messages name the field ("your date of birth"); defaults to the label. */
  readonly errorName?: Text;
  /** Default true: GOV.UK asks only what is needed and marks the rest "(optional)". */
  readonly required?: boolean;
  /** When present, the field is required exactly when this condition holds. */
  readonly requiredIf?: Condition;
  /** When present, the field is shown (and its answer kept) only when this holds. */
  readonly condition?: Condition;
}

export interface Option {
  readonly value: string;
  readonly label: Text;
  readonly hint?: Text;
}

/**
 * The fields a person's own account can start (docs/adr/0070): the answer begins as what the
 * signed-in person's account says, on their online drafts only; they can change it.
 */
export interface ShortTextField extends FieldBase { readonly type: 'short-text'; readonly maxLength?: number; readonly autocomplete?: string; readonly fromAccount?: 'name' }
export interface LongTextField extends FieldBase { readonly type: 'long-text'; readonly maxLength?: number; readonly rows?: number }
export interface NumberField extends FieldBase { readonly type: 'number'; readonly min?: number; readonly max?: number; readonly integer?: boolean }
/** Amounts are integers in minor units (fen for CNY): `12.30` is stored as 1230. */
export interface MoneyField extends FieldBase { readonly type: 'money'; readonly currency?: string; readonly min?: number; readonly max?: number }
export interface DateField extends FieldBase { readonly type: 'date'; readonly mustBe?: 'past' | 'future'; readonly autocomplete?: 'bday' }
export interface SingleChoiceField extends FieldBase { readonly type: 'single-choice'; readonly options: readonly Option[]; readonly display?: 'radios' | 'select' }
export interface MultipleChoiceField extends FieldBase { readonly type: 'multiple-choice'; readonly options: readonly Option[]; readonly minSelected?: number; readonly maxSelected?: number }
export interface YesNoField extends FieldBase { readonly type: 'yes-no' }
export interface EmailField extends FieldBase { readonly type: 'email'; readonly fromAccount?: 'email' }
export type PhoneKind = 'cn-mobile' | 'cn-landline' | 'international';
export interface PhoneField extends FieldBase { readonly type: 'phone'; readonly allow?: readonly PhoneKind[] }
export interface ResidentIdField extends FieldBase { readonly type: 'resident-id'; readonly fromAccount?: 'idNumber' }
export type OtherIdKind = 'cn-passport' | 'passport' | 'hk-macau-permit' | 'home-return-permit' | 'taiwan-permit';
export interface OtherIdField extends FieldBase { readonly type: 'other-id'; readonly kinds: readonly OtherIdKind[] }
export interface AddressField extends FieldBase { readonly type: 'address' }
export interface FileField extends FieldBase {
  readonly type: 'file';
  /** Accepted MIME types, e.g. `application/pdf`, `image/jpeg`. */
  readonly accept?: readonly string[];
  /** Largest accepted size in bytes (default 10 MB). */
  readonly maxSize?: number;
}
export interface RepeatingGroupField extends FieldBase {
  readonly type: 'repeating-group';
  /** What one entry is called ("Child"): legends read "Child 1", the button "Add another child". */
  readonly itemLabel: Text;
  readonly fields: readonly SubFieldDefinition[];
  readonly minItems?: number;
  readonly maxItems?: number;
}

export type FieldDefinition =
  | ShortTextField | LongTextField | NumberField | MoneyField | DateField | SingleChoiceField
  | MultipleChoiceField | YesNoField | EmailField | PhoneField | ResidentIdField | OtherIdField
  | AddressField | FileField | RepeatingGroupField;

export type FieldType = FieldDefinition['type'];

/** Fields inside a repeating group: no nesting, and no conditions of their own. */
export type SubFieldDefinition = Exclude<FieldDefinition, RepeatingGroupField>;

export interface PageDefinition {
  /** Slug used in URLs: lower-case letters, digits, `-`. */
  readonly id: string;
  readonly title: Text;
  readonly condition?: Condition;
  readonly fields: readonly FieldDefinition[];
}

/**
 * A cross-field rule: when `when` holds (or always), `schema` must hold for
 * `{ $form, $user, $now }`; otherwise `message` is shown at `field`.
 */
export interface RuleDefinition {
  readonly field: string;
  readonly schema: JsonSchema;
  readonly message: string;
  readonly when?: Condition;
}

export interface FormDefinition {
  readonly pages: readonly PageDefinition[];
  readonly rules?: readonly RuleDefinition[];
  /** Messages of this form's own rules, keyed `form.<something>`. */
  readonly messages?: Readonly<Record<string, Text>>;
}

/** What a person entered, by field id. Values are the typed values each field parses to. */
export type Answers = Readonly<Record<string, unknown>>;

/** Who is asking and when: the non-answer part of what conditions see. */
export interface FormContext {
  readonly user?: Readonly<Record<string, unknown>>;
  /** Today, `YYYY-MM-DD`, in the service's time zone (see `todayIn`). */
  readonly now: string;
}

/** What a form posts: `application/x-www-form-urlencoded` decoded into strings or string lists. */
export type Posted = Readonly<Record<string, unknown>>;

/** What the person typed, kept as text so a page with errors shows it back unchanged. */
export type RawValue = string | readonly string[] | RawParts | readonly RawParts[];
export interface RawParts { readonly [part: string]: RawValue | undefined }

export interface FieldError {
  /** The HTML id the error summary links to (`dob-day`, `children-0-name`). */
  readonly fieldId: string;
  /** JSON Pointer into the answers (`/dob`, `/children/0/name`). */
  readonly pointer: string;
  readonly messageKey: string;
  readonly params: Readonly<Record<string, string | number>>;
  /** How the message names the field, filled into `{name}` / `{Name}` when shown. */
  readonly subject: Text;
}

export type Translate = (key: string, params?: Readonly<Record<string, string | number>>) => string;
