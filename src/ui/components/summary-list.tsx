import type { ComponentChildren, VNode } from 'preact';
import { useT } from '../text.js';

export interface SummaryListRow {
  readonly key: string;
  readonly value: ComponentChildren;
  /**
   * A link back to the question. `visuallyHiddenText` finishes the link text for screen
   * readers ("Change date of birth"), since many links saying only "Change" are ambiguous.
   */
  readonly change?: { readonly href: string; readonly visuallyHiddenText: string; readonly text?: string | undefined } | undefined;
}

export interface SummaryListProps {
  readonly rows: readonly SummaryListRow[];
}

export function SummaryList({ rows }: SummaryListProps): VNode {
  const t = useT();
  const anyActions = rows.some((row) => row.change);
  return (
    <dl class="tb-summary-list">
      {rows.map((row, index) => (
        <div class={anyActions && !row.change ? 'tb-summary-list__row tb-summary-list__row--no-actions' : 'tb-summary-list__row'} key={index}>
          <dt class="tb-summary-list__key">{row.key}</dt>
          <dd class="tb-summary-list__value">{row.value}</dd>
          {row.change ? (
            <dd class="tb-summary-list__actions">
              <a href={row.change.href}>
                {row.change.text ?? t('ui.summaryList.change')}
                <span class="tb-visually-hidden"> {row.change.visuallyHiddenText}</span>
              </a>
            </dd>
          ) : null}
        </div>
      ))}
    </dl>
  );
}
