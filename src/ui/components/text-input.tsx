import type { VNode } from 'preact';
import { fieldIds, FormGroup, HintAndError, type FieldProps } from './form-group.js';
import { Label } from './label.js';

export interface TextInputProps extends FieldProps {
  readonly value?: string | undefined;
  readonly type?: 'text' | 'email' | 'tel' | 'url' | 'number' | 'password' | 'search' | undefined;
  /** Helps browsers fill in known answers (WCAG 1.3.5), e.g. `name`, `email`, `tel`. */
  readonly autocomplete?: string | undefined;
  readonly inputmode?: 'numeric' | 'decimal' | 'email' | 'tel' | 'text' | undefined;
  readonly spellcheck?: boolean | undefined;
  /** Width in characters, so the box hints at the expected length. */
  readonly width?: 2 | 4 | 10 | 20 | 30 | undefined;
}

export function TextInput(props: TextInputProps): VNode {
  const ids = fieldIds(props);
  // Preact types <input> as a union keyed by `type`; each type allowed here takes the same attributes.
  const type = (props.type ?? 'text') as 'text';
  const classes = ['tb-input', props.width ? `tb-input--width-${props.width}` : '', props.error ? 'tb-input--error' : ''].filter(Boolean).join(' ');
  return (
    <FormGroup error={props.error}>
      <Label for={ids.id} isPageHeading={props.isPageHeading}>{props.label}</Label>
      <HintAndError ids={ids} hint={props.hint} error={props.error} />
      <input
        class={classes}
        id={ids.id}
        name={props.name}
        type={type}
        value={props.value ?? ''}
        autocomplete={props.autocomplete}
        inputMode={props.inputmode}
        spellcheck={props.spellcheck}
        aria-describedby={ids.describedBy}
        aria-invalid={props.error ? 'true' : undefined}
      />
    </FormGroup>
  );
}
