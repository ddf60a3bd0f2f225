import type { ComponentChildren, VNode } from 'preact';

export interface LabelProps {
  readonly for: string;
  readonly children: ComponentChildren;
  /** One-question pages: the label is the page's heading. */
  readonly isPageHeading?: boolean | undefined;
}

export function Label({ for: htmlFor, children, isPageHeading }: LabelProps): VNode {
  if (isPageHeading) {
    return <h1 class="tb-label-wrapper"><label class="tb-label tb-label--l" for={htmlFor}>{children}</label></h1>;
  }
  return <label class="tb-label" for={htmlFor}>{children}</label>;
}
