import type { ComponentChildren, VNode } from 'preact';

export interface ButtonProps {
  readonly children: ComponentChildren;
  readonly variant?: 'primary' | 'secondary' | 'warning' | undefined;
  /**
   * A link styled as a button (e.g. "Start now"); otherwise a form button. It stays a plain link
   * (no role=button): it navigates, and without JavaScript a role=button link would not answer Space.
   */
  readonly href?: string | undefined;
  /** The call to action on a service's start page: large, with an arrow. Needs `href`. */
  readonly start?: boolean | undefined;
  readonly type?: 'submit' | 'button' | undefined;
  readonly name?: string | undefined;
  readonly value?: string | undefined;
  readonly id?: string | undefined;
  /** Lets a secondary action (e.g. "Save as draft") skip browser validation. */
  readonly formNoValidate?: boolean | undefined;
}

export function Button(props: ButtonProps): VNode {
  const classes = ['tb-button', props.variant && props.variant !== 'primary' ? `tb-button--${props.variant}` : '', props.start ? 'tb-button--start' : '']
    .filter(Boolean).join(' ');
  if (props.href !== undefined) {
    return (
      <a href={props.href} class={classes} id={props.id}>
        {props.children}
        {props.start ? <StartArrow /> : null}
      </a>
    );
  }
  return (
    <button type={props.type ?? 'submit'} class={classes} name={props.name} value={props.value} id={props.id} formNoValidate={props.formNoValidate}>
      {props.children}
    </button>
  );
}

function StartArrow(): VNode {
  return (
    <svg class="tb-button__start-icon" xmlns="http://www.w3.org/2000/svg" width="17.5" height="19" viewBox="0 0 33 40" aria-hidden="true" focusable="false">
      <path fill="currentColor" d="M0 0h13l20 20-20 20H0l20-20z" />
    </svg>
  );
}
