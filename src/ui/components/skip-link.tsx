import type { VNode } from 'preact';
import { useT } from '../text.js';

export interface SkipLinkProps {
  readonly href?: string | undefined;
}

/** The first focusable thing on every page; visible only when focused. */
export function SkipLink({ href }: SkipLinkProps): VNode {
  const t = useT();
  return <a href={href ?? '#main-content'} class="tb-skip-link">{t('ui.skipLink')}</a>;
}
