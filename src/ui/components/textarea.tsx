import type { VNode } from 'preact';
import { fieldIds, FormGroup, HintAndError, type FieldProps } from './form-group.js';
import { Label } from './label.js';

export interface TextareaProps extends FieldProps {
  readonly value?: string | undefined;
  readonly rows?: number | undefined;
  readonly autocomplete?: string | undefined;
  readonly spellcheck?: boolean | undefined;
}

export function Textarea(props: TextareaProps): VNode {
  const ids = fieldIds(props);
  return (
    <FormGroup error={props.error}>
      <Label for={ids.id} isPageHeading={props.isPageHeading}>{props.label}</Label>
      <HintAndError ids={ids} hint={props.hint} error={props.error} />
      <textarea
        class={props.error ? 'tb-textarea tb-textarea--error' : 'tb-textarea'}
        id={ids.id}
        name={props.name}
        rows={props.rows ?? 5}
        autocomplete={props.autocomplete}
        spellcheck={props.spellcheck}
        aria-describedby={ids.describedBy}
        aria-invalid={props.error ? 'true' : undefined}
        value={props.value ?? ''}
      />
    </FormGroup>
  );
}
