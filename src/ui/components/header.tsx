import type { VNode } from 'preact';
import { LOCALES, type Locale } from '../../kernel/i18n/index.js';
import { useUiText } from '../text.js';

export interface HeaderProps {
  readonly user?: { readonly name: string } | undefined;
  /** Needed when someone is signed in: signing out is a POST guarded like every other form. */
  readonly csrfToken?: string | undefined;
  /** The path (with query) of this page, so switching language comes back to it. */
  readonly currentPath: string;
  /** Error pages leave out the account area: they may be shown before we know who is signed in. */
  readonly showAccount?: boolean | undefined;
  readonly signInHref?: string | undefined;
  readonly signOutAction?: string | undefined;
}

export const SIGN_IN_PATH = '/auth/signin';
export const SIGN_OUT_PATH = '/auth/signout';
/** The field @fastify/csrf-protection reads from a posted form. */
export const CSRF_FIELD = '_csrf';

// Whole keys, so the i18n check can see each one is used.
const LANGUAGE_NAMES: Readonly<Record<Locale, string>> = { en: 'ui.language.en', 'zh-CN': 'ui.language.zh-CN' };

export function languageSwitchHref(locale: string, currentPath: string): string {
  return `/lang/${locale}?next=${encodeURIComponent(currentPath)}`;
}

export function Header(props: HeaderProps): VNode {
  const { t, locale } = useUiText();
  const { user } = props;
  if (user && !props.csrfToken) throw new Error('Header needs csrfToken when a user is signed in (the sign-out form posts it)');
  return (
    <header class="tb-header">
      <div class="tb-header__container tb-width-container">
        {/* The name is the same in every language; each half is marked so it is read in its own voice. */}
        <a href="/" class="tb-header__service-name"><span lang="en">Tongban</span> <span lang="zh-CN">通办</span></a>
        <nav class="tb-header__language" aria-label={t('ui.header.languageLabel')}>
          <ul class="tb-header__list">
            {LOCALES.map((l) => (
              <li class="tb-header__item" key={l}>
                {l === locale
                  ? <span class="tb-header__current" lang={l} aria-current="true">{t(LANGUAGE_NAMES[l])}</span>
                  : <a class="tb-header__link" href={languageSwitchHref(l, props.currentPath)} lang={l} hrefLang={l}>{t(LANGUAGE_NAMES[l])}</a>}
              </li>
            ))}
          </ul>
        </nav>
        {props.showAccount === false ? null : (
          <nav class="tb-header__account" aria-label={t('ui.header.accountLabel')}>
            {user ? (
              <form method="post" action={props.signOutAction ?? SIGN_OUT_PATH} class="tb-header__sign-out">
                <span class="tb-header__user">{t('ui.header.signedInAs', { name: user.name })}</span>
                <input type="hidden" name={CSRF_FIELD} value={props.csrfToken} />
                <button type="submit" class="tb-header__link-button">{t('ui.header.signOut')}</button>
              </form>
            ) : (
              <a class="tb-header__link" href={props.signInHref ?? SIGN_IN_PATH}>{t('ui.header.signIn')}</a>
            )}
          </nav>
        )}
      </div>
    </header>
  );
}
