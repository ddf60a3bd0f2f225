import type { VNode } from 'preact';
import { reauthenticateHref } from '../../kernel/auth/index.js';
import type { Locale } from '../../kernel/i18n/index.js';
import { dateTimeFormat } from '../../kernel/i18n/intl.js';
import {
  BackLink, Button, CSRF_FIELD, ErrorSummary, InsetText, Layout, NotificationBanner, renderPage, SummaryList, Table, Tag, Textarea, type LayoutProps,
} from '../../ui/index.js';
import './messages.js';
import { maskedPath, type ExchangeRecord, type LogRow, type StoredBodies } from './service.js';

export const TRAFFIC_PATH = '/admin/mediator';
export const exchangeHref = (messageId: string): string => `${TRAFFIC_PATH}/exchanges/${encodeURIComponent(messageId)}`;
export const readBodiesHref = (messageId: string): string => `${exchangeHref(messageId)}/bodies`;

export type ExchangePageContext = Pick<LayoutProps, 'locale' | 't' | 'currentPath' | 'user' | 'csrfToken'> & {
  /** This page's address, where signing in again comes back to. */
  readonly returnTo: string;
};

/** What the exchange page shows of the stored bodies, one state at a time. */
export type BodiesView =
  | { readonly kind: 'not-stored' }
  | { readonly kind: 'platform-only' }
  | { readonly kind: 'sign-in-again' }
  | { readonly kind: 'form'; readonly purpose: string; readonly error?: string | undefined }
  | { readonly kind: 'read'; readonly bodies: StoredBodies };

/** Longest part of a body shown on the page; the API gives it whole. */
const SHOWN_BYTES = 64 * 1024;

export const timeOf = (locale: Locale, at: Date): string =>
  dateTimeFormat(locale === 'zh-CN' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Asia/Shanghai' }).format(at);

export function StatusTag({ status, outcome }: { status: number; outcome: string }): VNode {
  return <Tag colour={outcome === 'ok' ? (status < 400 ? 'green' : 'yellow') : status >= 500 ? 'red' : 'grey'}>{`${status} ${outcome}`}</Tag>;
}

/** Exchanges as a table: time, calling system, request (identity numbers masked), status, a link to each record. */
export function ExchangeList({ ctx, caption, rows }: { ctx: Pick<LayoutProps, 'locale' | 't'>; caption: string; rows: readonly LogRow[] }): VNode {
  const { t, locale } = ctx;
  return (
    <Table
      caption={caption}
      head={[t('mediator.traffic.at'), t('mediator.traffic.client'), t('mediator.traffic.request'), t('mediator.traffic.status'), t('mediator.traffic.details')]}
      rows={rows.map((row) => {
        const at = timeOf(locale, row.at);
        return [
          <time dateTime={row.at.toISOString()}>{at}</time>,
          <code>{row.client ?? t('mediator.traffic.unknown')}</code>,
          <code class="tb-break">{`${row.method} ${row.service ?? ''}${maskedPath(row.path)}`}</code>,
          <StatusTag status={row.status} outcome={row.outcome} />,
          <a href={exchangeHref(row.message_id)}>{t('mediator.traffic.details')}<span class="tb-visually-hidden"> {t('mediator.traffic.detailsOf', { at })}</span></a>,
        ];
      })}
    />
  );
}

/** A body as text when it is UTF-8, else base64; cut at SHOWN_BYTES with a note. */
function Body({ ctx, label, body }: { ctx: ExchangePageContext; label: string; body: Buffer }): VNode {
  const shown = body.subarray(0, SHOWN_BYTES);
  let text: string | undefined;
  try { text = new TextDecoder('utf-8', { fatal: true }).decode(shown); } catch { text = undefined; }
  return (
    <>
      <h3 class="tb-heading-s">{label}</h3>
      {text === undefined ? <p class="tb-body">{ctx.t('mediator.exchange.binary', { bytes: body.length })}</p> : null}
      <pre class="tb-code-block" tabindex={0}><code>{text ?? shown.toString('base64')}</code></pre>
      {body.length > SHOWN_BYTES ? <p class="tb-body">{ctx.t('mediator.exchange.cut', { shown: SHOWN_BYTES, bytes: body.length })}</p> : null}
    </>
  );
}

function Bodies({ ctx, messageId, view }: { ctx: ExchangePageContext; messageId: string; view: BodiesView }): VNode {
  const { t } = ctx;
  switch (view.kind) {
    case 'not-stored': return <p class="tb-body">{t('mediator.exchange.notStored')}</p>;
    case 'platform-only': return <p class="tb-body">{t('mediator.exchange.platformOnly')}</p>;
    case 'sign-in-again':
      return (
        <>
          <InsetText>{t('mediator.exchange.reauthenticate')}</InsetText>
          <Button href={reauthenticateHref(ctx.returnTo)}>{t('mediator.exchange.signInAgain')}</Button>
        </>
      );
    case 'form':
      return (
        <form method="post" action={readBodiesHref(messageId)} novalidate>
          <input type="hidden" name={CSRF_FIELD} value={ctx.csrfToken} />
          <Textarea name="purpose" label={t('mediator.exchange.purpose')} hint={t('mediator.exchange.purposeHint')} value={view.purpose} error={view.error} rows={3} />
          <Button>{t('mediator.exchange.read')}</Button>
        </form>
      );
    case 'read':
      return (
        <>
          <NotificationBanner type="success">{t('mediator.exchange.readDone')}</NotificationBanner>
          <Body ctx={ctx} label={t('mediator.exchange.requestBody')} body={view.bodies.request} />
          <Body ctx={ctx} label={t('mediator.exchange.responseBody')} body={view.bodies.response} />
        </>
      );
  }
}

/**
 * `/admin/mediator/exchanges/{messageId}`: what the message log holds for one exchange, and its
 * stored bodies for a platform administrator who says why and has signed in within ten minutes.
 */
export function renderExchangePage(ctx: ExchangePageContext, record: ExchangeRecord, bodies: BodiesView): string {
  const { t } = ctx;
  const { log } = record;
  const none = <span class="tb-hint">{t('mediator.exchange.none')}</span>;
  const title = t('mediator.exchange.title');
  const error = bodies.kind === 'form' ? bodies.error : undefined;
  return renderPage(
    <Layout {...ctx} title={title} hasErrors={error !== undefined} beforeContent={<BackLink href={TRAFFIC_PATH} text={t('mediator.exchange.back')} />}>
      <ErrorSummary errors={error === undefined ? [] : [{ fieldId: 'purpose', text: error }]} />
      <h1 class="tb-heading-l">{title}</h1>
      <p class="tb-body">{t('mediator.exchange.intro')}</p>
      <SummaryList rows={[
        { key: t('mediator.exchange.messageId'), value: <code>{log.message_id}</code> },
        { key: t('mediator.exchange.at'), value: <time dateTime={log.at.toISOString()}>{timeOf(ctx.locale, log.at)}</time> },
        { key: t('mediator.exchange.client'), value: log.client === null ? none : <code>{log.client}</code> },
        { key: t('mediator.exchange.service'), value: log.service === null ? none : <code>{log.service}</code> },
        { key: t('mediator.exchange.request'), value: <code>{`${log.method} ${log.path}`}</code> },
        { key: t('mediator.exchange.user'), value: log.user_id === null ? none : <code>{log.user_id}</code> },
        { key: t('mediator.exchange.issue'), value: log.issue ?? none },
        { key: t('mediator.exchange.status'), value: <StatusTag status={log.status} outcome={log.outcome} /> },
        {
          key: t('mediator.exchange.durations'),
          value: log.provider_ms === null ? t('mediator.exchange.durationsNoProvider', { total: log.duration_ms }) : t('mediator.exchange.durationsValue', { total: log.duration_ms, provider: log.provider_ms }),
        },
        { key: t('mediator.exchange.requestBody'), value: <span class="tb-break">{t('mediator.exchange.bodyValue', { bytes: log.request_bytes, digest: log.request_digest })}</span> },
        { key: t('mediator.exchange.responseBody'), value: <span class="tb-break">{t('mediator.exchange.bodyValue', { bytes: log.response_bytes, digest: log.response_digest })}</span> },
        { key: t('mediator.exchange.position'), value: t('mediator.exchange.positionValue', { chain: log.chain, seq: String(log.seq) }) },
        { key: t('mediator.exchange.hash'), value: <code class="tb-break">{log.hash}</code> },
      ]} />
      <h2 class="tb-heading-m">{t('mediator.exchange.bodies')}</h2>
      <Bodies ctx={ctx} messageId={log.message_id} view={bodies} />
    </Layout>,
  );
}
