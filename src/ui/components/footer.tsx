import type { VNode } from 'preact';
import { useT } from '../text.js';

export interface FooterLink {
  readonly href: string;
  readonly text: string;
}

export interface FooterProps {
  /** Replaces the standard support links. Texts already translated. */
  readonly links?: readonly FooterLink[] | undefined;
}

export function Footer({ links }: FooterProps): VNode {
  const t = useT();
  const shown = links ?? [
    { href: '/help', text: t('ui.footer.help') },
    { href: '/accessibility', text: t('ui.footer.accessibility') },
    { href: '/privacy', text: t('ui.footer.privacy') },
    { href: '/contact', text: t('ui.footer.contact') },
  ];
  return (
    <footer class="tb-footer">
      <div class="tb-width-container">
        <nav aria-label={t('ui.footer.label')}>
          <ul class="tb-footer__links">
            {shown.map((link) => <li key={link.href} class="tb-footer__item"><a class="tb-footer__link" href={link.href}>{link.text}</a></li>)}
          </ul>
        </nav>
        <p class="tb-footer__licence">{t('ui.footer.licence')}</p>
      </div>
    </footer>
  );
}
