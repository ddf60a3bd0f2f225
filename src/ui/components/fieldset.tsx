import type { ComponentChildren, VNode } from 'preact';

export interface FieldsetProps {
  readonly legend: ComponentChildren;
  readonly isPageHeading?: boolean | undefined;
  readonly describedBy?: string | undefined;
  readonly children: ComponentChildren;
}

export function Fieldset({ legend, isPageHeading, describedBy, children }: FieldsetProps): VNode {
  return (
    <fieldset class="tb-fieldset" aria-describedby={describedBy || undefined}>
      <legend class={isPageHeading ? 'tb-fieldset__legend tb-fieldset__legend--l' : 'tb-fieldset__legend'}>
        {isPageHeading ? <h1 class="tb-fieldset__heading">{legend}</h1> : legend}
      </legend>
      {children}
    </fieldset>
  );
}
