import type { VNode } from 'preact';
import { fieldIds, FormGroup, HintAndError, type FieldProps } from './form-group.js';
import { Label } from './label.js';

export interface SelectItem {
  readonly value: string;
  readonly text: string;
}

export interface SelectProps extends FieldProps {
  readonly items: readonly SelectItem[];
  readonly value?: string | undefined;
  readonly autocomplete?: string | undefined;
}

export function Select(props: SelectProps): VNode {
  const ids = fieldIds(props);
  return (
    <FormGroup error={props.error}>
      <Label for={ids.id} isPageHeading={props.isPageHeading}>{props.label}</Label>
      <HintAndError ids={ids} hint={props.hint} error={props.error} />
      <select class={props.error ? 'tb-select tb-select--error' : 'tb-select'} id={ids.id} name={props.name}
        autocomplete={props.autocomplete} aria-describedby={ids.describedBy} aria-invalid={props.error ? 'true' : undefined}>
        {props.items.map((item) => (
          <option key={item.value} value={item.value} selected={props.value === item.value}>{item.text}</option>
        ))}
      </select>
    </FormGroup>
  );
}
