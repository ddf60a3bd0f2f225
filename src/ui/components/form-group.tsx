import type { ComponentChildren, VNode } from 'preact';
import { ErrorMessage } from './error-message.js';
import { Hint } from './hint.js';

/** What every form field takes. Texts are already translated; `value` is what the person typed. */
export interface FieldProps {
  readonly name: string;
  /** Defaults to `name`; the error summary links to it. */
  readonly id?: string | undefined;
  readonly label: string;
  readonly hint?: string | undefined;
  readonly error?: string | undefined;
  /** One-question pages: the label (or legend) is the page's h1. */
  readonly isPageHeading?: boolean | undefined;
}

export interface FieldIds {
  readonly id: string;
  readonly hintId: string | undefined;
  readonly errorId: string | undefined;
  /** For `aria-describedby`: hint first, then error, as GOV.UK Frontend orders them. */
  readonly describedBy: string | undefined;
}

export function fieldIds(props: Pick<FieldProps, 'name' | 'id' | 'hint' | 'error'>): FieldIds {
  const id = props.id ?? props.name;
  const hintId = props.hint ? `${id}-hint` : undefined;
  const errorId = props.error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return { id, hintId, errorId, describedBy };
}

export function FormGroup(props: { error?: string | undefined; children: ComponentChildren }): VNode {
  return <div class={props.error ? 'tb-form-group tb-form-group--error' : 'tb-form-group'}>{props.children}</div>;
}

/** Hint then error message, in the order `describedBy` names them. */
export function HintAndError({ ids, hint, error }: { ids: FieldIds; hint?: string | undefined; error?: string | undefined }): VNode {
  return (
    <>
      {hint && ids.hintId ? <Hint id={ids.hintId}>{hint}</Hint> : null}
      {error && ids.errorId ? <ErrorMessage id={ids.errorId}>{error}</ErrorMessage> : null}
    </>
  );
}
