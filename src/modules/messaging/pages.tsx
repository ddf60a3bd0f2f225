import type { VNode } from 'preact';
import type { Locale } from '../../kernel/i18n/index.js';
import { Details, Layout, Pagination, renderPage, Table, Tag, type LayoutProps, type TableCell, type TagColour } from '../../ui/index.js';
import './messages.js';
import type { Message, MessagePage, MessageStatus } from './service.js';

export type PageContext = Pick<LayoutProps, 'locale' | 't' | 'currentPath' | 'user' | 'csrfToken'>;

const DATE_TIME: Record<Locale, Intl.DateTimeFormat> = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Asia/Shanghai' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Asia/Shanghai' }),
};

const STATUS_COLOUR: Record<MessageStatus, TagColour> = { queued: 'blue', sent: 'green', failed: 'red', kept: 'grey' };

function When({ at, locale }: { at: Date; locale: Locale }): VNode {
  return <time dateTime={at.toISOString()}>{DATE_TIME[locale].format(at)}</time>;
}

/** A plain-text body as paragraphs: the text is escaped like any other, never parsed as markup. */
function Body({ text }: { text: string }): VNode {
  return <>{text.split(/\n{2,}/).map((paragraph, i) => <p class="tb-body" key={i}>{paragraph}</p>)}</>;
}

function Pages({ page, path }: { page: MessagePage; path: string }): VNode | null {
  if (page.pageCount <= 1) return null;
  const href = (n: number) => `${path}?page=${n}`;
  return (
    <Pagination
      previousHref={page.page > 1 ? href(page.page - 1) : undefined}
      nextHref={page.page < page.pageCount ? href(page.page + 1) : undefined}
    />
  );
}

/** `/messages`: the signed-in person's notifications, newest first. */
export function renderMessagesPage(context: PageContext, page: MessagePage): string {
  const { t, locale } = context;
  const title = t('messaging.messages.title');
  return renderPage(
    <Layout {...context} title={title}>
      <h1 class="tb-heading-l">{title}</h1>
      {page.total === 0 ? <p class="tb-body">{t('messaging.messages.none')}</p> : <p class="tb-body">{t('messaging.messages.intro')}</p>}
      {page.items.map((message) => (
        <section class="tb-message" key={message.id} aria-labelledby={`message-${message.id}`}>
          <h2 class="tb-heading-m" id={`message-${message.id}`}>{message.subject}</h2>
          <p class="tb-body-s"><When at={message.createdAt} locale={locale} /></p>
          <Body text={message.body} />
          {message.status === 'sent' ? <p class="tb-body-s">{t('messaging.messages.emailed')}</p> : null}
        </section>
      ))}
      <Pages page={page} path="/messages" />
    </Layout>,
  );
}

function outboxRow(message: Message, context: PageContext): TableCell[] {
  const { t, locale } = context;
  return [
    { text: <When at={message.createdAt} locale={locale} /> },
    { text: message.recipientAddress ?? t('messaging.outbox.noAddress', { account: message.recipientAccountId ?? '' }) },
    {
      text: (
        <Details summary={message.subject}>
          <p class="tb-body-s">{t(`messaging.templateName.${message.template}`)}</p>
          <Body text={message.body} />
        </Details>
      ),
    },
    {
      text: (
        <>
          <Tag colour={STATUS_COLOUR[message.status]}>{t(`messaging.status.${message.status}`)}</Tag>
          {message.lastError ? <p class="tb-body-s">{t('messaging.outbox.lastError', { error: message.lastError })}</p> : null}
        </>
      ),
    },
    { text: message.attempts, numeric: true },
  ];
}

/** `/admin/outbox`: every message and its delivery status, for platform administrators. */
export function renderOutboxPage(context: PageContext, page: MessagePage, delivery: 'smtp' | 'kept'): string {
  const { t } = context;
  const title = t('messaging.outbox.title');
  return renderPage(
    <Layout {...context} title={title}>
      <h1 class="tb-heading-l">{title}</h1>
      <p class="tb-body">{t(delivery === 'smtp' ? 'messaging.outbox.introSmtp' : 'messaging.outbox.introKept')}</p>
      {page.total === 0 ? <p class="tb-body">{t('messaging.outbox.none')}</p> : (
        <Table
          caption={t('messaging.outbox.caption')}
          head={[t('messaging.outbox.created'), t('messaging.outbox.recipient'), t('messaging.outbox.message'), t('messaging.outbox.status'), { text: t('messaging.outbox.attempts'), numeric: true }]}
          rows={page.items.map((message) => outboxRow(message, context))}
        />
      )}
      <Pages page={page} path="/admin/outbox" />
    </Layout>,
  );
}
