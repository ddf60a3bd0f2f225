import type { VNode } from 'preact';
import { useT } from '../text.js';

export interface BackLinkProps {
  /** A real URL: without JavaScript there is no `history.back()`. */
  readonly href: string;
  readonly text?: string | undefined;
}

/** Goes before `main`, so skip link users land past it. */
export function BackLink({ href, text }: BackLinkProps): VNode {
  const t = useT();
  return <a href={href} class="tb-back-link">{text ?? t('ui.backLink')}</a>;
}
