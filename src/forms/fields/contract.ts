import type { VNode } from 'preact';
import type { Locale } from '../../kernel/i18n/index.js';
import type { FormsMessageKey } from '../messages.js';
import type { FieldDefinition, FieldError, JsonSchema, Posted, RawValue, Text, Translate } from '../types.js';

/**
 * Where a field sits: the JSON Pointer of its answer, the stem of its HTML ids and input names
 * (the same string: `dob`, `children-0-name`), and how messages name it.
 */
export interface Location {
  readonly pointer: string;
  readonly id: string;
  readonly subject: Text;
}

export interface ParseResult<V> {
  /** Undefined when nothing was entered, or when what was entered could not be read. */
  readonly value: V | undefined;
  readonly errors: readonly FieldError[];
}

export interface ValidationContext {
  /** Today, `YYYY-MM-DD`. */
  readonly now: string;
}

export interface ViewProps<D extends FieldDefinition> {
  readonly def: D;
  readonly at: Location;
  readonly raw: RawValue | undefined;
  /** Errors inside this field only (pointer at or below `at.pointer`). */
  readonly errors: readonly FieldError[];
  readonly required: boolean;
  readonly locale: Locale;
  readonly t: Translate;
  readonly errorText: (error: FieldError) => string;
  /**
   * Choices only: what goes beneath an option (GOV.UK "conditional reveal"), by the option's
   * posted value: the fields that depend on choosing it, always in the HTML (see reveal.ts).
   */
  readonly reveals?: ReadonlyMap<string, VNode> | undefined;
}

/**
 * The contract every field type fulfils (STYLE 10). A posted body goes `read` → `parse` → `validate`;
 * a stored answer goes `toRaw` → `view`. Parse only turns text into a typed value; every rule about
 * the value lives in `validate`, so answers that arrive as JSON (the API) meet the same rules.
 */
export interface FieldModule<D extends FieldDefinition, V> {
  readonly type: D['type'];
  /** JSON Schema of the options this type adds to a field definition. */
  readonly options: { readonly properties: Readonly<Record<string, JsonSchema>>; readonly required?: readonly string[] };
  /** JSON Schema of the typed answer. */
  answerSchema(def: D): JsonSchema;
  /** Picks this field's inputs out of a posted body; undefined when none were posted. */
  read(def: D, body: Posted, id: string): RawValue | undefined;
  parse(def: D, raw: RawValue, at: Location): ParseResult<V>;
  /** The answer as the inputs show it, so `parse(toRaw(v))` gives `v` back. */
  toRaw(def: D, value: V): RawValue;
  /** Rules about a present, well-shaped answer. Required-ness is checked by the engine. */
  validate(def: D, value: V, at: Location, ctx: ValidationContext): readonly FieldError[];
  view(props: ViewProps<D>): VNode;
  /** Check-your-answers text; lines separated by `\n`. */
  summary(def: D, value: V, locale: Locale): string;
  /** The HTML id of the input a whole-field error links to. */
  firstInputId(def: D, id: string): string;
  /** Shown when a required answer is missing: "Enter …", "Select …", "Upload …". */
  readonly requiredKey: FormsMessageKey;
  /** Every message key the type may produce or show. */
  readonly messageKeys: readonly FormsMessageKey[];
  /** True for a file: an empty post keeps the file already uploaded. */
  readonly keepsAnswerWhenEmpty?: boolean;
}
