import type { ComponentChildren, VNode } from 'preact';

export interface DetailsProps {
  readonly summary: ComponentChildren;
  readonly children: ComponentChildren;
  readonly open?: boolean | undefined;
}

/** Native `<details>`: opens and closes without JavaScript. */
export function Details({ summary, children, open }: DetailsProps): VNode {
  return (
    <details class="tb-details" open={open}>
      <summary class="tb-details__summary"><span class="tb-details__summary-text">{summary}</span></summary>
      <div class="tb-details__text">{children}</div>
    </details>
  );
}
