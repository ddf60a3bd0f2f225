import type { VNode } from 'preact';
import { useT } from '../text.js';

export interface ErrorSummaryItem {
  /** The id of the field (or, for dates, the box) the link moves focus to. */
  readonly fieldId: string;
  /** Already translated; the same text as the field's error message. */
  readonly text: string;
}

export interface ErrorSummaryProps {
  readonly errors: readonly ErrorSummaryItem[];
}

/**
 * Shown at the top of `main` when a form comes back with errors. `autofocus` with tabindex -1
 * moves focus here on load without JavaScript, so screen readers announce the problem first;
 * role=alert announces it where autofocus is not honoured.
 */
export function ErrorSummary({ errors }: ErrorSummaryProps): VNode | null {
  const t = useT();
  if (errors.length === 0) return null;
  return (
    <div class="tb-error-summary" role="alert" tabIndex={-1} autofocus aria-labelledby="error-summary-title">
      <h2 class="tb-error-summary__title" id="error-summary-title">{t('ui.errorSummary.title')}</h2>
      <ul class="tb-list tb-error-summary__list">
        {errors.map((error) => (
          <li key={error.fieldId}><a href={`#${error.fieldId}`}>{error.text}</a></li>
        ))}
      </ul>
    </div>
  );
}
