import type { ComponentChildren, VNode } from 'preact';

export type TagColour = 'blue' | 'green' | 'red' | 'yellow' | 'grey';

export interface TagProps {
  readonly children: ComponentChildren;
  /** Blue by default; colour never carries the meaning alone, the text does. */
  readonly colour?: TagColour | undefined;
}

export function Tag({ children, colour }: TagProps): VNode {
  return <strong class={colour && colour !== 'blue' ? `tb-tag tb-tag--${colour}` : 'tb-tag'}>{children}</strong>;
}
