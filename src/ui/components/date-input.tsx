import type { VNode } from 'preact';
import { useT } from '../text.js';
import { Fieldset } from './fieldset.js';
import { fieldIds, FormGroup, HintAndError, type FieldProps } from './form-group.js';

export type DatePart = 'day' | 'month' | 'year';

export interface DateInputValue {
  readonly day?: string | undefined;
  readonly month?: string | undefined;
  readonly year?: string | undefined;
}

export interface DateInputProps extends FieldProps {
  /** What the person typed in each box, kept as text (`31`, `02`, `19x9`). */
  readonly value?: DateInputValue | undefined;
  /** Which boxes to mark as wrong; all of them when an error is given without parts. */
  readonly errorParts?: readonly DatePart[] | undefined;
  /** `bday` for a date of birth (WCAG 1.3.5). */
  readonly autocomplete?: 'bday' | undefined;
}

const PARTS: readonly DatePart[] = ['day', 'month', 'year'];
// Whole keys, not built from the part name, so the i18n check can see each one is used.
const PART_LABELS: Readonly<Record<DatePart, string>> = { day: 'ui.dateInput.day', month: 'ui.dateInput.month', year: 'ui.dateInput.year' };

/**
 * Posted as `<name>-day`, `<name>-month`, `<name>-year`; box ids follow the same pattern, and the
 * error summary links to `<id>-day` (the first box), or the first wrong part (`dateInputTarget`).
 */
export function DateInput(props: DateInputProps): VNode {
  const t = useT();
  const ids = fieldIds(props);
  const wrong = new Set(props.error ? (props.errorParts ?? PARTS) : []);
  return (
    <FormGroup error={props.error}>
      <Fieldset legend={props.label} isPageHeading={props.isPageHeading} describedBy={ids.describedBy}>
        <HintAndError ids={ids} hint={props.hint} error={props.error} />
        <div class="tb-date-input" id={ids.id}>
          {PARTS.map((part) => {
            const id = `${ids.id}-${part}`;
            const classes = ['tb-input', part === 'year' ? 'tb-input--width-4' : 'tb-input--width-2', wrong.has(part) ? 'tb-input--error' : ''];
            return (
              <div class="tb-date-input__item" key={part}>
                <label class="tb-label tb-date-input__label" for={id}>{t(PART_LABELS[part])}</label>
                <input class={classes.filter(Boolean).join(' ')} id={id} name={`${props.name}-${part}`} type="text"
                  inputMode="numeric" value={props.value?.[part] ?? ''} aria-invalid={wrong.has(part) ? 'true' : undefined}
                  autocomplete={props.autocomplete ? `${props.autocomplete}-${part}` : undefined} />
              </div>
            );
          })}
        </div>
      </Fieldset>
    </FormGroup>
  );
}

/** The id an error summary should link to for a date field. */
export function dateInputTarget(id: string, errorParts?: readonly DatePart[]): string {
  return `${id}-${errorParts?.[0] ?? 'day'}`;
}
