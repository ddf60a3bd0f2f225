import type { VNode } from 'preact';
import { BackLink, Button, ErrorSummary, Layout, NotificationBanner, renderPage, SummaryList, Tag, Textarea } from '../../ui/index.js';
import { CsrfField, formatWhen, When, whatText, whoText, whyText, type PageContext } from './pages-shared.js';
import type { Access, Question } from './service.js';

/** `/my-data/questions`: the person's questions about uses of their data, and the answers. */
export function renderQuestionsPage(context: PageContext, questions: readonly Question[], organisationName: (code: string) => string, options: { asked?: boolean } = {}): string {
  const { t, locale } = context;
  const title = t('privacy.questions.title');
  return renderPage(
    <Layout {...context} title={title} beforeContent={<BackLink href="/my-data/accesses" text={t('privacy.questions.back')} />}>
      {options.asked ? <NotificationBanner type="success"><p class="tb-body">{t('privacy.questions.asked')}</p></NotificationBanner> : null}
      <h1 class="tb-heading-l">{title}</h1>
      {questions.length === 0 ? <p class="tb-body">{t('privacy.questions.none')}</p> : null}
      {questions.map((q, i) => (
        <section key={q.id} aria-labelledby={`question-${i}`} class="tb-inset-text">
          <h2 class="tb-heading-s" id={`question-${i}`}>{t('privacy.questions.askedOn', { when: formatWhen(q.askedAt, locale) })}</h2>
          <p class="tb-body-s">{t('privacy.questions.to', { organisation: organisationName(q.organisation) })} · <Tag colour={q.answer ? 'green' : 'blue'}>{t(q.answer ? 'privacy.questions.answered' : 'privacy.questions.waiting')}</Tag></p>
          <p class="tb-body">{q.question}</p>
          {q.answer ? (
            <>
              <h3 class="tb-heading-s">{t('privacy.questions.answer', { when: formatWhen(q.answer.at, locale) })}</h3>
              <p class="tb-body">{q.answer.text}</p>
            </>
          ) : null}
        </section>
      ))}
    </Layout>,
  );
}

export interface OpenQuestion {
  readonly question: Question;
  readonly access: Access | undefined;
}

function OpenQuestionForm({ context, item, error, typed }: { context: PageContext; item: OpenQuestion; error: string | undefined; typed: string | undefined }): VNode {
  const { t, locale } = context;
  const { question, access } = item;
  const field = `answer-${question.id}`;
  return (
    <section aria-labelledby={`q-${question.id}`} class="tb-inset-text">
      <h2 class="tb-heading-s" id={`q-${question.id}`}>
        {access ? t('privacy.staff.asked', { when: formatWhen(question.askedAt, locale), usedWhen: formatWhen(access.at, locale) }) : t('privacy.questions.askedOn', { when: formatWhen(question.askedAt, locale) })}
      </h2>
      {access ? (
        <SummaryList rows={[
          { key: t('privacy.accesses.when'), value: <When at={access.at} locale={locale} /> },
          { key: t('privacy.accesses.who'), value: whoText(access, t, locale) },
          { key: t('privacy.accesses.what'), value: whatText(access, t) },
          { key: t('privacy.accesses.why'), value: whyText(access, t, locale) },
        ]} />
      ) : <p class="tb-body">{t('privacy.staff.useUnknown')}</p>}
      <p class="tb-body">{question.question}</p>
      <form method="post" action={`/admin/privacy/questions/${question.id}/answer`} noValidate>
        <CsrfField token={context.csrfToken} />
        <Textarea name="answer" id={field} label={t('privacy.staff.answerLabel')} error={error} value={typed ?? ''} />
        <Button type="submit">{t('privacy.staff.send')}</Button>
      </form>
    </section>
  );
}

/** `/admin/privacy/questions`: the data-protection contact's open questions. */
export function renderStaffQuestionsPage(context: PageContext, items: readonly OpenQuestion[], options: { sent?: boolean; errorFor?: string; error?: string; typed?: string } = {}): string {
  const { t } = context;
  const title = t('privacy.staff.title');
  return renderPage(
    <Layout {...context} title={title} hasErrors={Boolean(options.error)}>
      {options.error && options.errorFor ? <ErrorSummary errors={[{ fieldId: `answer-${options.errorFor}`, text: options.error }]} /> : null}
      {options.sent ? <NotificationBanner type="success"><p class="tb-body">{t('privacy.staff.sent')}</p></NotificationBanner> : null}
      <h1 class="tb-heading-l">{title}</h1>
      <p class="tb-body">{t('privacy.staff.lead')}</p>
      {items.length === 0 ? <p class="tb-body">{t('privacy.staff.none')}</p> : null}
      {items.map((item) => (
        <OpenQuestionForm key={item.question.id} context={context} item={item}
          error={options.errorFor === item.question.id ? options.error : undefined} typed={options.errorFor === item.question.id ? options.typed : undefined} />
      ))}
    </Layout>,
  );
}
