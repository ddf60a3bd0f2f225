import type { ComponentChildren, VNode } from 'preact';

export interface PanelProps {
  readonly title: ComponentChildren;
  readonly children?: ComponentChildren;
  /** 1 on a confirmation page, where the panel holds the page's heading. */
  readonly headingLevel?: 1 | 2 | undefined;
}

/** The confirmation box at the end of a transaction ("Application complete", with a reference). */
export function Panel({ title, children, headingLevel }: PanelProps): VNode {
  const Heading = headingLevel === 2 ? 'h2' : 'h1';
  return (
    <div class="tb-panel">
      <Heading class="tb-panel__title">{title}</Heading>
      {children ? <div class="tb-panel__body">{children}</div> : null}
    </div>
  );
}
