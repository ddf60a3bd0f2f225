import type { ComponentChildren, VNode } from 'preact';
import { useT } from '../text.js';

export interface ErrorMessageProps {
  readonly id: string;
  /** Already translated. */
  readonly children: ComponentChildren;
}

/** The visually hidden prefix tells screen reader users this text is an error, not a hint. */
export function ErrorMessage({ id, children }: ErrorMessageProps): VNode {
  const t = useT();
  return (
    <p id={id} class="tb-error-message">
      <span class="tb-visually-hidden">{t('ui.errorMessage.prefix')} </span>{children}
    </p>
  );
}
