import type { ComponentChildren, VNode } from 'preact';

export interface InsetTextProps {
  readonly children: ComponentChildren;
}

export function InsetText({ children }: InsetTextProps): VNode {
  return <div class="tb-inset-text">{children}</div>;
}
