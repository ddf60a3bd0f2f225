import type { VNode } from 'preact';
import type { Locale } from '../../kernel/i18n/index.js';
import {
  BackLink, Button, Checkboxes, ErrorSummary, InsetText, Layout, NotificationBanner, Panel, Radios, renderPage, SummaryList, Textarea,
} from '../../ui/index.js';
import { CsrfField, type PageContext } from './pages-shared.js';
import { inSentence } from './prefill-text.js';

export { inSentence } from './prefill-text.js';
import type { Draft, PrefillMarks, PrefillPlan } from './service.js';
import './messages.js';


export interface PrefillPageView {
  readonly draft: Draft;
  readonly plan: PrefillPlan;
  readonly consentPage: string | undefined;
  readonly choiceError?: string | undefined;
  /** Shown after a refused or unavailable read: why, in the reader's language. */
  readonly outcome?: { readonly title: string; readonly text: string } | undefined;
}

/**
 * Before the form's first page: what will be read from which register, why, on what legal basis
 * and who is responsible; then the choice (consent where the agreement asks for it), or a plain
 * refusal when consent was withdrawn. Works without JavaScript: one form, one button.
 */
export function renderPrefillPage(context: PageContext, view: PrefillPageView): string {
  const { t, locale } = context;
  const { plan, draft } = view;
  const counter = draft.application.channel === 'counter';
  const registry = inSentence(plan.registryName, locale);
  const title = t(counter ? 'applications.prefill.titleCounter' : 'applications.prefill.title', { registry });
  const action = `/applications/${draft.application.id}/prefill`;
  const kind = plan.standing.kind;
  const rows = [
    { key: t('applications.prefill.whereTitle'), value: t('applications.prefill.where', { registry: inSentence(plan.registryName, locale), owner: plan.ownerName[locale] }) },
    { key: t('applications.prefill.why'), value: plan.spec.purpose[locale] },
    ...(plan.agreement ? [
      { key: t('applications.prefill.legalBasis'), value: plan.agreement.legalBasis[locale] },
      { key: t('applications.prefill.controller'), value: plan.controllerName?.[locale] ?? plan.agreement.controller },
      { key: t('applications.prefill.retention'), value: plan.agreement.retention[locale] },
    ] : []),
  ];
  const selfText = t(counter ? 'applications.prefill.selfCounter' : 'applications.prefill.self');
  let choice: VNode;
  if (view.outcome || kind === 'withdrawn' || kind === 'unavailable') {
    const banner = view.outcome ?? (kind === 'withdrawn'
      ? { title: t('applications.prefill.withdrawnTitle'), text: t('applications.prefill.withdrawn', { registry }) }
      : { title: t('applications.prefill.unavailableTitle'), text: t(`applications.prefill.unavailable.${plan.standing.kind === 'unavailable' ? plan.standing.reason : 'no_record'}`, { registry: inSentence(plan.registryName, locale) }) });
    choice = (
      <>
        <NotificationBanner title={banner.title} id="prefill-outcome">
          <p class="tb-body">{banner.text}</p>
          {kind === 'withdrawn' && view.consentPage && !counter ? <p class="tb-body"><a href={view.consentPage}>{t('applications.prefill.manageConsent')}</a></p> : null}
        </NotificationBanner>
        <input type="hidden" name="choice" value="self" />
        <Button type="submit">{t('applications.prefill.fillYourself')}</Button>
      </>
    );
  } else {
    const ask = kind === 'ask-consent';
    const items = [
      { value: 'prefill', text: ask ? t(counter ? 'applications.prefill.consentYesCounter' : 'applications.prefill.consentYes', { registry }) : t('applications.prefill.use', { registry }) },
      { value: 'self', text: selfText },
    ];
    choice = (
      <>
        {ask ? null : <InsetText><p class="tb-body">{t(kind === 'consented' ? 'applications.prefill.consented' : 'applications.prefill.lawful')}</p></InsetText>}
        <Radios name="choice" label={t(ask ? (counter ? 'applications.prefill.consentLegendCounter' : 'applications.prefill.consentLegend') : 'applications.prefill.useLegend')}
          hint={ask && !counter ? t('applications.prefill.consentHint') : undefined} error={view.choiceError} items={items} />
        <Button type="submit">{t('applications.prefill.continue')}</Button>
      </>
    );
  }
  return renderPage(
    <Layout {...context} title={title} hasErrors={Boolean(view.choiceError)}>
      {view.choiceError ? <ErrorSummary errors={[{ fieldId: 'choice', text: view.choiceError }]} /> : null}
      <span class="tb-caption">{draft.service.definition.name[locale]}</span>
      <h1 class="tb-heading-l">{title}</h1>
      <p class="tb-body">{t('applications.prefill.intro')}</p>
      <h2 class="tb-heading-m">{t('applications.prefill.whatTitle')}</h2>
      <SummaryList rows={plan.items.map((item) => ({ key: item.itemTitle[locale], value: t('applications.prefill.usedFor', { field: item.fieldLabel[locale] }) }))} />
      <SummaryList rows={rows} />
      <form method="post" action={action} noValidate>
        <CsrfField token={context.csrfToken} />
        {choice}
      </form>
    </Layout>,
  );
}

/** On a form page or the check page: which answers came from the register, and where to report one that is wrong. */
export function PrefillNotice({ marks, href, t, locale, check }: { marks: PrefillMarks; href: string; t: PageContext['t']; locale: Locale; check?: boolean }): VNode {
  const registry = inSentence(marks.registryName, locale);
  return (
    <InsetText>
      <p class="tb-body">{t(check ? 'applications.prefill.checkNotice' : 'applications.prefill.pageNotice', { registry })}</p>
      <p class="tb-body"><a href={href}>{t('applications.prefill.reportLink', { registry })}</a></p>
    </InsetText>
  );
}

export interface ReportView {
  readonly draft: Draft;
  readonly plan: PrefillPlan;
  /** The prefilled fields one can report on. */
  readonly fields: readonly string[];
  readonly back: string;
  readonly errors?: readonly { readonly fieldId: string; readonly text: string }[] | undefined;
  readonly chosen?: readonly string[] | undefined;
  readonly description?: string | undefined;
}

/** "Report wrong information": which answers are wrong and what is wrong, sent to the register's owner. */
export function renderReportPage(context: PageContext, view: ReportView): string {
  const { t, locale } = context;
  const { plan, draft } = view;
  const title = t('applications.report.title', { registry: inSentence(plan.registryName, locale) });
  const errors = view.errors ?? [];
  const errorFor = (id: string) => errors.find((e) => e.fieldId === id)?.text;
  const items = plan.items.filter((i) => view.fields.includes(i.field))
    .map((i) => ({ value: i.field, text: i.fieldLabel[locale], hint: i.itemTitle[locale] }));
  return renderPage(
    <Layout {...context} title={title} hasErrors={errors.length > 0} beforeContent={<BackLink href={view.back} />}>
      <ErrorSummary errors={errors} />
      <span class="tb-caption">{draft.service.definition.name[locale]}</span>
      <h1 class="tb-heading-l">{title}</h1>
      <p class="tb-body">{t('applications.report.intro', { owner: plan.ownerName[locale] })}</p>
      <form method="post" action={`/applications/${draft.application.id}/prefill/report`} noValidate>
        <CsrfField token={context.csrfToken} />
        <input type="hidden" name="back" value={view.back} />
        <Checkboxes name="fields" label={t('applications.report.fieldsLegend')} items={items} value={view.chosen} error={errorFor('fields')} />
        <Textarea name="description" label={t('applications.report.descriptionLabel')} hint={t('applications.report.descriptionHint')}
          value={view.description} error={errorFor('description')} rows={5} />
        <Button type="submit">{t('applications.report.send')}</Button>
      </form>
    </Layout>,
  );
}

/** After a report: who will check it, its reference, and the way back to the form. */
export function renderReportSentPage(context: PageContext, view: { plan: PrefillPlan; taskId: string; back: string }): string {
  const { t, locale } = context;
  const title = t('applications.report.sentTitle');
  return renderPage(
    <Layout {...context} title={title}>
      <Panel title={title} headingLevel={1}>{t('applications.report.reference', { reference: view.taskId })}</Panel>
      <p class="tb-body">{t('applications.report.sent', { owner: view.plan.ownerName[locale], registry: inSentence(view.plan.registryName, locale) })}</p>
      <p class="tb-body"><a href={view.back}>{t('applications.report.back')}</a></p>
    </Layout>,
  );
}
