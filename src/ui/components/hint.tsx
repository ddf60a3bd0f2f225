import type { ComponentChildren, VNode } from 'preact';

export interface HintProps {
  readonly id: string;
  readonly children: ComponentChildren;
}

export function Hint({ id, children }: HintProps): VNode {
  return <div id={id} class="tb-hint">{children}</div>;
}
