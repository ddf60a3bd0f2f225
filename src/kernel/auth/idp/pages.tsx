import { Button } from '../../../ui/components/button.js';
import { ErrorSummary } from '../../../ui/components/error-summary.js';
import { Radios } from '../../../ui/components/radios.js';
import { TextInput } from '../../../ui/components/text-input.js';
import { CSRF_FIELD } from '../../../ui/components/header.js';
import { Layout } from '../../../ui/layout.js';
import { renderPage } from '../../../ui/render.js';
import type { Translate } from '../../../ui/text.js';
import type { Locale } from '../../i18n/index.js';
import '../messages.js';
import { DEMO_PASSWORD, type IdpUser } from './users.js';

interface PageText {
  readonly locale: Locale;
  readonly t: Translate;
  readonly currentPath: string;
}

export interface LoginForm {
  readonly persona?: string | undefined;
  readonly errors?: { readonly persona?: string; readonly password?: string } | undefined;
}

/** The built-in IdP's login page: pick a demo persona, type the demo password. Works without JavaScript. */
export function renderLoginPage(text: PageText, input: { action: string; csrfToken: string; personas: readonly IdpUser[]; form: LoginForm }): string {
  const { t } = text;
  const errors = input.form.errors ?? {};
  const summary = [
    ...(errors.persona ? [{ fieldId: 'persona', text: t(errors.persona) }] : []),
    ...(errors.password ? [{ fieldId: 'password', text: t(errors.password) }] : []),
  ];
  return renderPage(
    <Layout title={t('auth.idp.title')} locale={text.locale} t={t} currentPath={text.currentPath} hasErrors={summary.length > 0} showAccount={false}>
      <ErrorSummary errors={summary} />
      <h1 class="tb-heading-l">{t('auth.idp.title')}</h1>
      <p class="tb-body">{t('auth.idp.intro')}</p>
      {input.personas.length === 0 ? <p class="tb-body">{t('auth.idp.noPersonas')}</p> : (
        <form method="post" action={input.action} novalidate>
          <input type="hidden" name={CSRF_FIELD} value={input.csrfToken} />
          <Radios name="persona" label={t('auth.idp.persona.label')} value={input.form.persona}
            error={errors.persona ? t(errors.persona) : undefined}
            items={input.personas.map((p) => ({ value: p.subject, text: p.name, hint: t(p.descriptionKey) }))} />
          <TextInput name="password" type="password" autocomplete="current-password" width={10} spellcheck={false}
            label={t('auth.idp.password.label')} hint={t('auth.idp.password.hint', { password: DEMO_PASSWORD })}
            error={errors.password ? t(errors.password) : undefined} />
          <Button>{t('auth.idp.submit')}</Button>
        </form>
      )}
    </Layout>,
  );
}

/**
 * The IdP's half of signing out: the person already chose to sign out of Tongban (a CSRF-checked
 * POST), so a small same-origin script continues at once; without JavaScript, one button does.
 */
export function renderLogoutPage(text: PageText, input: { action: string; xsrf: string }): string {
  const { t } = text;
  return renderPage(
    <Layout title={t('auth.idp.logout.title')} locale={text.locale} t={t} currentPath={text.currentPath} showAccount={false}>
      <h1 class="tb-heading-l">{t('auth.idp.logout.title')}</h1>
      <p class="tb-body">{t('auth.idp.logout.body')}</p>
      <form method="post" action={input.action} data-autosubmit="true">
        <input type="hidden" name="xsrf" value={input.xsrf} />
        <input type="hidden" name="logout" value="yes" />
        <Button>{t('auth.idp.logout.continue')}</Button>
      </form>
      <script src={AUTOSUBMIT_PATH} defer />
    </Layout>,
  );
}

/** The IdP's error page (bad or expired authorization requests). The OAuth error code helps support. */
export function renderIdpErrorPage(text: PageText, input: { code: string }): string {
  const { t } = text;
  return renderPage(
    <Layout title={t('auth.idp.error.title')} locale={text.locale} t={t} currentPath={text.currentPath} showAccount={false}>
      <h1 class="tb-heading-l">{t('auth.idp.error.title')}</h1>
      <p class="tb-body">{t('auth.idp.error.retry')}</p>
      <p class="tb-body"><code>{input.code}</code></p>
      <p class="tb-body"><a href="/">{t('ui.errorPage.home')}</a></p>
    </Layout>,
  );
}

export const AUTOSUBMIT_PATH = '/auth/autosubmit.js';

/** Served as a file (never inline: the CSP forbids inline script). */
export const AUTOSUBMIT_SCRIPT = "document.querySelectorAll('form[data-autosubmit]').forEach(function (f) { f.submit(); });\n";
