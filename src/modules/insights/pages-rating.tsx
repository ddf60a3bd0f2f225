import type { VNode } from 'preact';
import { BackLink, Button, Layout, NotificationBanner, Radios, renderPage, SummaryList, Textarea, TextInput } from '../../ui/index.js';
import { formatLastDay } from './format.js';
import './messages.js';
import { Csrf, errorFor, Errors, Paragraphs, type PageContext, type PageError } from './pages-shared.js';
import { COMMENT_MAX, type RatingView } from './service.js';

const SCORES = [5, 4, 3, 2, 1] as const;

export interface RatingTyped { readonly score?: string | undefined; readonly comment?: string | undefined; readonly reference?: string | undefined }

function ScoreFields({ context, errors, typed }: { context: PageContext; errors: readonly PageError[]; typed: RatingTyped }): VNode {
  const { t } = context;
  return (
    <>
      <Radios name="score" id="score" label={t('insights.rate.scoreLabel')} hint={t('insights.rate.scoreHint')} error={errorFor(errors, 'score')}
        value={typed.score} items={SCORES.map((s) => ({ value: String(s), text: t(`insights.score.${s}`) }))} />
      <Textarea name="comment" id="comment" label={t('insights.rate.commentLabel')} hint={t('insights.rate.commentHint', { max: COMMENT_MAX })}
        error={errorFor(errors, 'comment')} value={typed.comment} rows={5} />
    </>
  );
}

/** `/applications/:id/rating`: rate a finished case, then see the rating, the follow-up and respond to its answer. */
export function renderRatingPage(context: PageContext, view: RatingView, options: { errors?: readonly PageError[]; typed?: RatingTyped; banner?: 'rated' | 'responded' } = {}): string {
  const { t, locale } = context;
  const errors = options.errors ?? [];
  const title = t('insights.rate.title');
  const { rating, followUp } = view;
  const reference = view.application.reference ?? '';
  return renderPage(
    <Layout {...context} title={title} hasErrors={errors.length > 0} beforeContent={<BackLink href={`/applications/${view.application.id}`} text={t('insights.rate.back')} />}>
      <Errors errors={errors} />
      {options.banner ? <NotificationBanner type="success"><p class="tb-body">{t(`insights.rate.done.${options.banner}`)}</p></NotificationBanner> : null}
      <h1 class="tb-heading-l">{title}</h1>
      <SummaryList rows={[
        { key: t('insights.rate.service'), value: view.serviceName?.[locale] ?? '' },
        { key: t('insights.rate.reference'), value: reference },
        { key: t('insights.rate.outcome'), value: view.case.statusName[locale] },
      ]} />
      {!view.case.final ? <p class="tb-body">{t('insights.rate.notFinished')}</p> : null}
      {view.case.final && !rating ? (
        <form method="post" action={`/applications/${view.application.id}/rating`} novalidate>
          <Csrf token={context.csrfToken} />
          <p class="tb-body">{t('insights.rate.intro')}</p>
          <ScoreFields context={context} errors={errors} typed={options.typed ?? {}} />
          <Button>{t('insights.rate.send')}</Button>
        </form>
      ) : null}
      {rating ? (
        <>
          <h2 class="tb-heading-m">{t('insights.rate.yourRating')}</h2>
          <p class="tb-body">{t('insights.panel.rated', { score: rating.score })} ({t(`insights.score.${rating.score}`)})</p>
          {rating.comment ? <Paragraphs text={rating.comment} /> : null}
        </>
      ) : null}
      {followUp ? (
        <section aria-labelledby="follow-up-heading">
          <h2 class="tb-heading-m" id="follow-up-heading">{t('insights.followUp.heading')}</h2>
          {followUp.answeredAt ? (
            <>
              <h3 class="tb-heading-s">{t('insights.followUp.answerLabel')}</h3>
              <Paragraphs text={followUp.answer ?? ''} />
              <h3 class="tb-heading-s">{t('insights.followUp.changesLabel')}</h3>
              <Paragraphs text={followUp.changes ?? ''} />
              {followUp.respondedAt ? <p class="tb-body">{t(followUp.resolved ? 'insights.followUp.resolvedYes' : 'insights.followUp.resolvedNo')}</p> : (
                <form method="post" action={`/applications/${view.application.id}/rating/response`} novalidate>
                  <Csrf token={context.csrfToken} />
                  <Radios name="resolved" id="resolved" label={t('insights.followUp.resolvedLabel')} error={errorFor(errors, 'resolved')} inline
                    items={[{ value: 'yes', text: t('insights.followUp.yes') }, { value: 'no', text: t('insights.followUp.no') }]} />
                  <Button>{t('insights.followUp.send')}</Button>
                </form>
              )}
            </>
          ) : <p class="tb-body">{t('insights.panel.followUpOpen', { date: formatLastDay(locale, followUp.dueAt) })}</p>}
        </section>
      ) : null}
    </Layout>,
  );
}

/** `/counter/ratings`: a clerk records the rating a person gives at the counter. */
export function renderCounterRatingPage(context: PageContext, options: { errors?: readonly PageError[]; typed?: RatingTyped; done?: string | undefined } = {}): string {
  const { t } = context;
  const errors = options.errors ?? [];
  const typed = options.typed ?? {};
  const title = t('insights.counter.title');
  return renderPage(
    <Layout {...context} title={title} hasErrors={errors.length > 0}>
      <Errors errors={errors} />
      {options.done ? <NotificationBanner type="success"><p class="tb-body">{t('insights.counter.done', { reference: options.done })}</p></NotificationBanner> : null}
      <h1 class="tb-heading-l">{title}</h1>
      <p class="tb-body">{t('insights.counter.intro')}</p>
      <form method="post" action="/counter/ratings" novalidate>
        <Csrf token={context.csrfToken} />
        <TextInput name="reference" id="reference" label={t('insights.counter.referenceLabel')} hint={t('insights.counter.referenceHint')}
          error={errorFor(errors, 'reference')} value={typed.reference} width={20} spellcheck={false} />
        <ScoreFields context={context} errors={errors} typed={typed} />
        <Button>{t('insights.counter.send')}</Button>
      </form>
    </Layout>,
  );
}
