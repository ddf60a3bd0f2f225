import type { VNode } from 'preact';
import { BackLink, Button, Layout, NotificationBanner, renderPage, SummaryList, Tag, Textarea } from '../../ui/index.js';
import { formatDate, formatLastDay } from './format.js';
import { dueDay } from '../workflow/service.js';
import './messages.js';
import { Csrf, errorFor, Errors, Paragraphs, WideTable, type PageContext, type PageError } from './pages-shared.js';
import type { FollowUpItem } from './service.js';

function State({ item, context }: { item: FollowUpItem; context: PageContext }): VNode {
  const { t } = context;
  if (item.answeredAt) {
    const word = item.respondedAt ? (item.resolved ? 'resolvedYes' : 'resolvedNo') : 'awaitingResponse';
    return <Tag colour={item.respondedAt && !item.resolved ? 'red' : 'green'}>{t(`insights.queue.state.${word}`)}</Tag>;
  }
  return item.overdue ? <Tag colour="red">{t('insights.queue.state.overdue')}</Tag> : <Tag colour="blue">{t('insights.queue.state.open')}</Tag>;
}

/** `/backoffice/follow-ups`: low ratings the staff's agencies must answer, by deadline. */
export function renderQueuePage(context: PageContext, items: readonly FollowUpItem[], state: 'open' | 'answered'): string {
  const { t, locale } = context;
  const title = t('insights.queue.title');
  const other = state === 'open' ? 'answered' : 'open';
  return renderPage(
    <Layout {...context} title={title}>
      <h1 class="tb-heading-l">{title}</h1>
      <p class="tb-body">{t('insights.queue.intro')}</p>
      <p class="tb-body"><a href={`/backoffice/follow-ups?state=${other}`}>{t(`insights.queue.show.${other}`)}</a></p>
      {items.length === 0 ? <p class="tb-body">{t(`insights.queue.none.${state}`)}</p> : (
        <WideTable caption={t(`insights.queue.caption.${state}`)}
          head={[t('insights.queue.reference'), t('insights.queue.service'), { text: t('insights.queue.score'), numeric: true }, t('insights.queue.due'), t('insights.queue.state')]}
          rows={items.map((item) => [
            <a href={`/backoffice/follow-ups/${item.id}`} key="ref">{item.reference ?? item.caseId}</a>,
            item.serviceName?.[locale] ?? '',
            { text: item.score, numeric: true },
            <time dateTime={dueDay(item.dueAt)} key="due">{formatLastDay(locale, item.dueAt)}</time>,
            <State item={item} context={context} key="state" />,
          ])} />
      )}
    </Layout>,
  );
}

export interface AnswerTyped { readonly answer?: string | undefined; readonly changes?: string | undefined }

/** `/backoffice/follow-ups/:id`: the rating and comment, and the form for the answer and what changed. */
export function renderFollowUpPage(context: PageContext, item: FollowUpItem, options: { errors?: readonly PageError[]; typed?: AnswerTyped; done?: boolean } = {}): string {
  const { t, locale } = context;
  const errors = options.errors ?? [];
  const title = t('insights.answer.title', { reference: item.reference ?? item.caseId });
  return renderPage(
    <Layout {...context} title={title} hasErrors={errors.length > 0} beforeContent={<BackLink href="/backoffice/follow-ups" text={t('insights.answer.back')} />}>
      <Errors errors={errors} />
      {options.done ? <NotificationBanner type="success"><p class="tb-body">{t('insights.answer.done')}</p></NotificationBanner> : null}
      <h1 class="tb-heading-l">{title}</h1>
      <SummaryList rows={[
        { key: t('insights.queue.service'), value: item.serviceName?.[locale] ?? '' },
        { key: t('insights.queue.score'), value: `${item.score} (${t(`insights.score.${item.score}`)})` },
        { key: t('insights.answer.ratedAt'), value: formatDate(locale, item.ratedAt) },
        { key: t('insights.queue.due'), value: formatLastDay(locale, item.dueAt) },
        { key: t('insights.queue.state'), value: <State item={item} context={context} /> },
      ]} />
      <h2 class="tb-heading-m">{t('insights.answer.comment')}</h2>
      {item.comment ? <Paragraphs text={item.comment} /> : <p class="tb-body">{t('insights.answer.noComment')}</p>}
      {item.answeredAt ? (
        <>
          <h2 class="tb-heading-m">{t('insights.followUp.answerLabel')}</h2>
          <Paragraphs text={item.answer ?? ''} />
          <h2 class="tb-heading-m">{t('insights.followUp.changesLabel')}</h2>
          <Paragraphs text={item.changes ?? ''} />
        </>
      ) : (
        <form method="post" action={`/backoffice/follow-ups/${item.id}`} novalidate>
          <Csrf token={context.csrfToken} />
          <Textarea name="answer" id="answer" label={t('insights.answer.answerLabel')} hint={t('insights.answer.answerHint')} error={errorFor(errors, 'answer')} value={options.typed?.answer} rows={5} />
          <Textarea name="changes" id="changes" label={t('insights.answer.changesLabel')} hint={t('insights.answer.changesHint')} error={errorFor(errors, 'changes')} value={options.typed?.changes} rows={4} />
          <Button>{t('insights.answer.send')}</Button>
        </form>
      )}
    </Layout>,
  );
}
