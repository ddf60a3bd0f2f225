import type { ComponentChildren, VNode } from 'preact';
import type { FieldDefinition, FieldError, Text } from '../types.js';
import type { ViewProps } from './contract.js';

/*
 * Plain GOV.UK-Frontend-like markup with `tb-` classes, so the engine stands without src/ui:
 * label `for` the input, hint and error linked by `aria-describedby`, groups of inputs in a
 * fieldset with a legend, and the error message prefixed by a visually hidden "Error:".
 */

export function text(value: Text | undefined, locale: keyof Text): string {
  return value ? value[locale] : '';
}

export function labelText(props: ViewProps<FieldDefinition>, label: Text = props.def.label): string {
  const plain = text(label, props.locale);
  return props.required ? plain : props.t('forms.view.optional', { label: plain });
}

/** The ids the hint and error carry, and the `aria-describedby` that names them. */
export function describedBy(props: ViewProps<FieldDefinition>, ownError = firstError(props)): string | undefined {
  const ids = [props.def.hint ? `${props.at.id}-hint` : '', ownError ? `${props.at.id}-error` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

export function firstError(props: ViewProps<FieldDefinition>): FieldError | undefined {
  return props.errors[0];
}

export function FormGroup(props: { error: boolean; children: ComponentChildren }): VNode {
  return <div class={props.error ? 'tb-form-group tb-form-group--error' : 'tb-form-group'}>{props.children}</div>;
}

export function Hint(props: { id: string; text: string | undefined; extraClass?: string }): VNode | null {
  if (!props.text) return null;
  return <div id={props.id} class={props.extraClass ? `tb-hint ${props.extraClass}` : 'tb-hint'}>{props.text}</div>;
}

export function ErrorMessage(props: { id: string; text: string | undefined; prefix: string }): VNode | null {
  if (props.text === undefined) return null;
  return (
    <p id={props.id} class="tb-error-message">
      <span class="tb-visually-hidden">{props.prefix}</span> {props.text}
    </p>
  );
}

/** Hint then error, in the order GOV.UK places them above the input. */
export function HintAndError(props: { field: ViewProps<FieldDefinition> }): VNode {
  const { field } = props;
  const error = firstError(field);
  return (
    <>
      <Hint id={`${field.at.id}-hint`} text={text(field.def.hint, field.locale) || undefined} />
      <ErrorMessage id={`${field.at.id}-error`} text={error ? field.errorText(error) : undefined} prefix={field.t('forms.view.errorPrefix')} />
    </>
  );
}

/** A single labelled control: text inputs, text areas, selects. */
export function SingleControl(props: { field: ViewProps<FieldDefinition>; children: (describedBy: string | undefined, hasError: boolean) => VNode }): VNode {
  const { field } = props;
  const hasError = field.errors.length > 0;
  return (
    <FormGroup error={hasError}>
      <label class="tb-label" for={field.at.id}>{labelText(field)}</label>
      <HintAndError field={field} />
      {props.children(describedBy(field), hasError)}
    </FormGroup>
  );
}

/** A group of controls answering one question: radios, checkboxes, date parts, address lines. */
export function FieldsetControl(props: { field: ViewProps<FieldDefinition>; role?: 'group'; children: ComponentChildren }): VNode {
  const { field } = props;
  return (
    <FormGroup error={field.errors.length > 0}>
      <fieldset class="tb-fieldset" role={props.role} aria-describedby={describedBy(field)}>
        <legend class="tb-fieldset__legend">{labelText(field)}</legend>
        <HintAndError field={field} />
        {props.children}
      </fieldset>
    </FormGroup>
  );
}

export function inputClass(base: string, hasError: boolean, width?: string): string {
  return [base, width ? `tb-input--width-${width}` : '', hasError ? 'tb-input--error' : ''].filter(Boolean).join(' ');
}
