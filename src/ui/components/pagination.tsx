import type { VNode } from 'preact';
import { useT } from '../text.js';

export interface PaginationProps {
  readonly previousHref?: string | undefined;
  readonly nextHref?: string | undefined;
  /** Numbered pages; `current` marks the one shown. Omit for previous/next only. */
  readonly pages?: readonly { readonly number: number; readonly href: string; readonly current?: boolean | undefined }[] | undefined;
}

export function Pagination({ previousHref, nextHref, pages }: PaginationProps): VNode {
  const t = useT();
  return (
    <nav class="tb-pagination" aria-label={t('ui.pagination.label')}>
      {previousHref ? <a class="tb-pagination__prev" href={previousHref} rel="prev">{t('ui.pagination.previous')}</a> : null}
      {pages && pages.length > 0 ? (
        <ul class="tb-pagination__list">
          {pages.map((page) => (
            <li key={page.number} class={page.current ? 'tb-pagination__item tb-pagination__item--current' : 'tb-pagination__item'}>
              <a class="tb-pagination__link" href={page.href} aria-label={t('ui.pagination.page', { number: page.number })}
                aria-current={page.current ? 'page' : undefined}>{page.number}</a>
            </li>
          ))}
        </ul>
      ) : null}
      {nextHref ? <a class="tb-pagination__next" href={nextHref} rel="next">{t('ui.pagination.next')}</a> : null}
    </nav>
  );
}
