import type { ComponentChildren, VNode } from 'preact';
import type { FastifyRequest } from 'fastify';
import type { Locale } from '../kernel/i18n/index.js';
import { assetUrl } from './assets.js';
import { Footer } from './components/footer.js';
import { Header } from './components/header.js';
import { SkipLink } from './components/skip-link.js';
import { UiTextProvider, type Translate } from './text.js';

export interface LayoutProps {
  /** This page's title, without the service name; the same words as its h1. */
  readonly title: string;
  readonly locale: Locale;
  readonly t: Translate;
  readonly user?: { readonly name: string } | undefined;
  readonly csrfToken?: string | undefined;
  /** Path and query of this page, for the language switch (`request.url`). Defaults to `/`. */
  readonly currentPath?: string | undefined;
  /** The page shows errors: the title starts with "Error:" so screen readers hear it first. */
  readonly hasErrors?: boolean | undefined;
  /** Back link or phase banner: above `main`, so the skip link passes them. */
  readonly beforeContent?: ComponentChildren;
  readonly showAccount?: boolean | undefined;
  readonly children?: ComponentChildren;
}

/** The whole document. No inline script or style anywhere: the CSP forbids both. */
export function Layout(props: LayoutProps): VNode {
  const { t, locale } = props;
  const title = `${props.hasErrors ? `${t('ui.errorMessage.prefix')} ` : ''}${props.title} - ${t('ui.serviceName')}`;
  return (
    <html lang={locale} class="tb-template">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <link rel="icon" type="image/svg+xml" href={assetUrl('favicon.svg')} />
        <link rel="stylesheet" href={assetUrl('tongban.css')} />
      </head>
      <body class="tb-template__body">
        <UiTextProvider value={{ locale, t }}>
          <SkipLink />
          <Header user={props.user} csrfToken={props.csrfToken} currentPath={props.currentPath ?? '/'} showAccount={props.showAccount} />
          <div class="tb-width-container">
            {props.beforeContent}
            <main class="tb-main-wrapper" id="main-content">{props.children}</main>
          </div>
          <Footer />
        </UiTextProvider>
      </body>
    </html>
  );
}

/** The request-derived part of Layout's props: `<Layout {...pageContext(request)} title=...>`. */
export function pageContext(request: Pick<FastifyRequest, 'locale' | 't' | 'url'>): Pick<LayoutProps, 'locale' | 't' | 'currentPath'> {
  return { locale: request.locale, t: request.t, currentPath: request.url };
}
