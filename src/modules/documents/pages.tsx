import type { VNode } from 'preact';
import type { Locale } from '../../kernel/i18n/index.js';
import {
  BackLink, Button, Checkboxes, CSRF_FIELD, ErrorSummary, Layout, NotificationBanner, Panel, renderPage, SummaryList, Table, Tag, Textarea,
  type LayoutProps, type SummaryListRow,
} from '../../ui/index.js';
import './messages.js';
import { stateLine } from './panels.js';
import type { CertificateContent, CertificateSummary, Verification } from './service.js';

export type PageContext = Pick<LayoutProps, 'locale' | 't' | 'currentPath' | 'user' | 'csrfToken'>;

export const revokeHref = (id: string) => `/backoffice/certificates/${id}/revoke`;
export const pdfHref = (id: string) => `/documents/${id}/pdf`;

const DATE: Record<Locale, Intl.DateTimeFormat> = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { dateStyle: 'long', timeZone: 'Asia/Shanghai' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Asia/Shanghai' }),
};

function When({ at, locale }: { at: Date; locale: Locale }): VNode {
  return <time dateTime={at.toISOString()}>{DATE[locale].format(at)}</time>;
}

/** Text with line breaks (an address) as lines, still escaped. */
function Lines({ value }: { value: string }): VNode {
  const lines = value.split('\n');
  return <>{lines.map((line, i) => <span key={i}>{line}{i < lines.length - 1 ? <br /> : null}</span>)}</>;
}

/** `/documents`: the signed-in person's certificates, newest first, each with its PDF and its check. */
export function renderDocumentsPage(ctx: PageContext, certificates: readonly CertificateSummary[]): string {
  const { t, locale } = ctx;
  const title = t('documents.list.title');
  return renderPage(
    <Layout {...ctx} title={title}>
      <h1 class="tb-heading-l">{title}</h1>
      {certificates.length === 0 ? <p class="tb-body">{t('documents.list.none')}</p> : (
        <>
          <p class="tb-body">{t('documents.list.intro')}</p>
          <Table
            caption={t('documents.list.caption')}
            head={[t('documents.list.certificate'), t('documents.list.reference'), t('documents.list.issued'), t('documents.list.state'), t('documents.list.actions')]}
            rows={certificates.map((c) => [
              { text: c.title[locale] },
              { text: c.reference ?? '' },
              { text: <When at={c.issuedAt} locale={locale} /> },
              { text: c.revokedAt ? <Tag colour="red">{t('documents.state.revoked')}</Tag> : <Tag colour="green">{t('documents.state.valid')}</Tag> },
              {
                text: (
                  <ul class="tb-list">
                    <li><a href={pdfHref(c.id)}>{t('documents.list.download')}<span class="tb-visually-hidden"> {c.title[locale]} {c.reference ?? ''}</span></a></li>
                    <li><a href={`/verify/${c.id}`}>{t('documents.list.check')}<span class="tb-visually-hidden"> {c.title[locale]} {c.reference ?? ''}</span></a></li>
                  </ul>
                ),
              },
            ])}
          />
        </>
      )}
    </Layout>,
  );
}

function details(ctx: PageContext, c: CertificateContent): SummaryListRow[] {
  const { t, locale } = ctx;
  return [
    { key: t('documents.verify.certificate'), value: c.title[locale] },
    { key: t('documents.verify.issuer'), value: c.issuer.name[locale] },
    { key: t('documents.verify.issued'), value: <When at={c.issuedAt} locale={locale} /> },
    ...(c.reference ? [{ key: t('documents.verify.reference'), value: c.reference }] : []),
    { key: t('documents.verify.number'), value: c.id },
    ...c.fields.map((f) => ({ key: f.name[locale], value: <Lines value={f.value[locale]} /> })),
  ];
}

/** `/verify/<id>`: valid, revoked (when and why) or not genuine; public, no sign-in. */
export function renderVerifyPage(ctx: PageContext, result: Verification): string {
  const { t, locale } = ctx;
  const title = t(`documents.verify.title.${result.status}`);
  return renderPage(
    <Layout {...ctx} title={title}>
      {result.status === 'valid' ? (
        <Panel title={title} headingLevel={1}>{t('documents.verify.validText')}</Panel>
      ) : (
        <h1 class="tb-heading-l">{title}</h1>
      )}
      {result.status === 'revoked' ? (
        <div class="tb-inset-text tb-inset-text--warning">
          <p class="tb-body">{t('documents.verify.revokedOn')} <When at={result.revokedAt} locale={locale} /></p>
          <p class="tb-body">{t('documents.verify.revokedReason', { reason: result.reason })}</p>
        </div>
      ) : null}
      {result.status === 'not_genuine' ? (
        <>
          <p class="tb-body">{t('documents.verify.notGenuineText')}</p>
          <p class="tb-body">{t('documents.verify.notGenuineAdvice')}</p>
        </>
      ) : (
        <>
          <h2 class="tb-heading-m">{t('documents.verify.detailsHeading')}</h2>
          <SummaryList rows={details(ctx, result.certificate)} />
        </>
      )}
      <h2 class="tb-heading-m">{t('documents.verify.howHeading')}</h2>
      <p class="tb-body">{t('documents.verify.howText')} <a href="/.well-known/jwks.json">{t('documents.verify.keysLink')}</a></p>
    </Layout>,
  );
}

export interface RevokeView {
  readonly certificate: CertificateSummary;
  readonly values?: { readonly reason?: string; readonly confirm?: boolean };
  readonly errors?: readonly { readonly field: 'reason' | 'confirm'; readonly text: string }[];
  readonly done?: boolean;
}

/** `/backoffice/certificates/<id>/revoke`: the reason and a confirmation, or the state once revoked. */
export function renderRevokePage(ctx: PageContext, view: RevokeView): string {
  const { t, locale } = ctx;
  const c = view.certificate;
  const errors = view.errors ?? [];
  const error = (field: 'reason' | 'confirm') => errors.find((e) => e.field === field)?.text;
  const title = t('documents.revoke.title');
  return renderPage(
    <Layout {...ctx} title={title} hasErrors={errors.length > 0} beforeContent={<BackLink href={`/backoffice/cases/${c.applicationId}`} text={t('documents.revoke.back')} />}>
      <ErrorSummary errors={errors.map((e) => ({ fieldId: e.field, text: e.text }))} />
      {view.done ? <NotificationBanner type="success" title={t('documents.revoke.doneTitle')}>{t('documents.revoke.done')}</NotificationBanner> : null}
      <h1 class="tb-heading-l">{title}</h1>
      <SummaryList rows={[
        { key: t('documents.verify.certificate'), value: c.title[locale] },
        ...(c.reference ? [{ key: t('documents.verify.reference'), value: c.reference }] : []),
        { key: t('documents.verify.number'), value: c.id },
        { key: t('documents.list.state'), value: stateLine(c, locale) },
      ]} />
      {c.revokedAt ? <p class="tb-body"><a href={`/verify/${c.id}`}>{t('documents.panel.check')}</a></p> : (
        <form method="post" action={revokeHref(c.id)} novalidate>
          <input type="hidden" name={CSRF_FIELD} value={ctx.csrfToken} />
          <p class="tb-body">{t('documents.revoke.intro')}</p>
          <Textarea name="reason" label={t('documents.revoke.reasonLabel')} hint={t('documents.revoke.reasonHint')} value={view.values?.reason} error={error('reason')} rows={4} />
          <Checkboxes name="confirm" label={t('documents.revoke.confirmLegend')} error={error('confirm')} value={view.values?.confirm ? ['yes'] : []}
            items={[{ value: 'yes', text: t('documents.revoke.confirmText') }]} />
          <Button variant="warning">{t('documents.revoke.submit')}</Button>
        </form>
      )}
    </Layout>,
  );
}
