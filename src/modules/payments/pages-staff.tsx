import { Button, ErrorSummary, InsetText, Layout, NotificationBanner, Radios, renderPage, SummaryList, Table, Textarea, TextInput } from '../../ui/index.js';
import type { PayView } from './pages-person.js';
import { dateTimeText, FormKeys, PaymentsTable, When, type PageContext } from './pages-shared.js';
import { formatMoney, type Payment, type Reconciliation, type ReconciliationFlag } from './service.js';

export interface FieldErrors { readonly [field: string]: string | undefined }

const summaryOf = (errors: FieldErrors) => Object.entries(errors).flatMap(([fieldId, text]) => (text ? [{ fieldId, text }] : []));

/** `/payments/counter`: find the application by reference, then record cash or card. */
export function renderCounterPage(context: PageContext, input: {
  reference: string; view?: PayView | undefined; method?: string; payerName?: string; errors: FieldErrors; idempotencyKey: string;
}): string {
  const { t, locale } = context;
  const title = t('payments.counter.title');
  const errors = summaryOf(input.errors);
  const view = input.view;
  return renderPage(
    <Layout {...context} title={title} hasErrors={errors.length > 0}>
      <ErrorSummary errors={errors} />
      <h1 class="tb-heading-l">{title}</h1>
      <form method="get" action="/payments/counter" novalidate>
        <TextInput name="reference" label={t('payments.counter.reference')} hint={t('payments.counter.referenceHint')} value={input.reference} error={input.errors.reference} width={20} spellcheck={false} />
        <Button variant="secondary">{t('payments.counter.find')}</Button>
      </form>
      {view ? (
        <>
          <SummaryList rows={[
            { key: t('payments.pay.service'), value: view.bill.serviceName[locale] },
            { key: t('payments.pay.reference'), value: view.bill.reference },
            { key: t('payments.pay.amount'), value: view.state.state === 'not_due' ? t('payments.pay.notDueAmount') : formatMoney(view.state.state === 'due' ? view.state.due : view.bill.amount, locale) },
          ]} />
          {view.state.state === 'due' ? (
            <form method="post" action="/payments/counter" novalidate>
              <FormKeys context={context} idempotencyKey={input.idempotencyKey} />
              <input type="hidden" name="reference" value={view.bill.reference} />
              <Radios name="method" label={t('payments.counter.method')} value={input.method} error={input.errors.method} items={[
                { value: 'cash', text: t('payments.method.cash') }, { value: 'card', text: t('payments.method.card') },
              ]} />
              <TextInput name="payer_name" label={t('payments.counter.payer')} value={input.payerName} error={input.errors.payer_name} autocomplete="off" width={20} />
              <Button>{t('payments.counter.record', { amount: formatMoney(view.state.due, locale) })}</Button>
            </form>
          ) : <InsetText>{t(view.state.state === 'not_due' ? 'payments.counter.notDue' : 'payments.counter.paid')}</InsetText>}
          {view.payments.length > 0 ? <PaymentsTable payments={view.payments} context={context} /> : null}
        </>
      ) : null}
    </Layout>,
  );
}

/** `/payments/staff/:id`: an application's bill and payments for staff, with refund links. */
export function renderStaffPage(context: PageContext, view: PayView, options: { canRefund: boolean; refunded: boolean }): string {
  const { t, locale } = context;
  const title = t('payments.staff.title', { reference: view.bill.reference });
  return renderPage(
    <Layout {...context} title={title}>
      {options.refunded ? <NotificationBanner type="success" title={t('payments.refund.done')}><p class="tb-body">{t('payments.refund.done')}</p></NotificationBanner> : null}
      <h1 class="tb-heading-l">{title}</h1>
      <SummaryList rows={[
        { key: t('payments.pay.service'), value: view.bill.serviceName[locale] },
        { key: t('payments.pay.amount'), value: formatMoney(view.bill.amount, locale) },
        { key: t('payments.pay.when'), value: t(`payments.when.${view.bill.when}`) },
        { key: t('payments.table.status'), value: view.state.state === 'paid' ? t('payments.panel.staffPaid', { amount: formatMoney(view.state.paid, locale) })
          : view.state.state === 'not_due' ? t('payments.panel.staffNotDue', { amount: formatMoney(view.bill.amount - view.state.paid, locale) })
            : view.state.state === 'refunded' ? t('payments.panel.refunded')
            : t('payments.panel.due', { amount: formatMoney(view.state.due, locale) }) },
      ]} />
      {view.payments.length > 0 ? (
        <PaymentsTable payments={view.payments} context={context}
          refundHref={(p) => (options.canRefund && p.status === 'succeeded' ? `/payments/refunds/${p.id}` : undefined)} />
      ) : null}
      <RefundsAtProvider payments={view.payments} context={context} />
    </Layout>,
  );
}

/** What the provider said of each refund of money taken online (the refund job sends it, ADR 21). */
function RefundsAtProvider({ payments, context }: { payments: readonly Payment[]; context: PageContext }) {
  const { t, locale } = context;
  const sent = payments.flatMap((p) => (p.refundAtProvider ? [{ payment: p, at: p.refundAtProvider }] : []));
  if (sent.length === 0) return null;
  const text = ({ state, attempts, error, at }: NonNullable<Payment['refundAtProvider']>): string => {
    if (state === 'confirmed') return t('payments.staff.atProviderConfirmed', { at: at ? dateTimeText(at, locale) : '' });
    if (state === 'failed') return t('payments.staff.atProviderFailed', { attempts, error: error ?? '' });
    return attempts > 0 ? t('payments.staff.atProviderRetrying', { attempts, error: error ?? '' }) : t('payments.staff.atProviderPending');
  };
  return (
    <>
      <h2 class="tb-heading-m">{t('payments.staff.atProvider')}</h2>
      <SummaryList rows={sent.map(({ payment, at }) => ({ key: payment.receiptNumber ?? payment.id, value: at.state === 'failed' ? <strong>{text(at)}</strong> : text(at) }))} />
    </>
  );
}

/** `/payments/refunds/:paymentId`: the reason, then the refund. */
export function renderRefundPage(context: PageContext, payment: Payment, input: { reason: string; error?: string | undefined; idempotencyKey: string }): string {
  const { t, locale } = context;
  const title = t('payments.refund.title');
  return renderPage(
    <Layout {...context} title={title} hasErrors={input.error !== undefined}>
      <ErrorSummary errors={input.error ? [{ fieldId: 'reason', text: input.error }] : []} />
      <h1 class="tb-heading-l">{title}</h1>
      <SummaryList rows={[
        { key: t('payments.receipt.number'), value: payment.receiptNumber ?? '' },
        { key: t('payments.receipt.amount'), value: formatMoney(payment.amount, locale) },
        { key: t('payments.receipt.payer'), value: payment.payerName },
        { key: t('payments.receipt.time'), value: <When at={payment.settledAt ?? payment.createdAt} locale={locale} /> },
      ]} />
      <InsetText>{t(payment.method === 'online' ? 'payments.refund.howOnline' : payment.method === 'bank' ? 'payments.refund.howBank' : 'payments.refund.howCounter')}</InsetText>
      <form method="post" action={`/payments/refunds/${payment.id}`} novalidate>
        <FormKeys context={context} idempotencyKey={input.idempotencyKey} />
        <Textarea name="reason" label={t('payments.refund.reason')} hint={t('payments.refund.reasonHint')} value={input.reason} error={input.error} />
        <Button variant="warning">{t('payments.refund.button', { amount: formatMoney(payment.amount, locale) })}</Button>
      </form>
    </Layout>,
  );
}

/** A flag's detail in the reader's language, from what it is about (the CSV keeps the English `detail`). */
function flagDetail({ t, locale }: PageContext, { about }: ReconciliationFlag): string {
  const money = (fen: number) => formatMoney(fen, locale);
  switch (about.what) {
    case 'payment_without_application': return t('payments.reconciliation.about.paymentWithoutApplication', { payment: about.payment });
    case 'event_without_payment': return t('payments.reconciliation.about.eventWithoutPayment', { provider: about.provider, event: about.event, type: about.type });
    case 'settlement_without_payment': return t('payments.reconciliation.about.settlementWithoutPayment', { provider: about.provider, ref: about.ref });
    case 'settlement_amount': return t('payments.reconciliation.about.settlementAmount', { provider: about.provider, settled: money(about.settled), paid: money(about.paid) });
    case 'settlement_missing': return t('payments.reconciliation.about.settlementMissing', { provider: about.provider, ref: about.ref });
    case 'paid_after_close': return t('payments.reconciliation.about.paidAfterClose', {
      payment: about.payment, application: about.application, status: about.caseStatus[locale], closedAt: dateTimeText(about.closedAt, locale),
    });
    case 'fee_unpaid': return t('payments.reconciliation.about.feeUnpaid', { application: about.application, amount: money(about.owed) });
    case 'overpaid': return t('payments.reconciliation.about.overpaid', { payment: about.payment, application: about.application });
  }
}

/** `/payments/reconciliation`: one day's payments and what does not match. */
export function renderReconciliationPage(context: PageContext, input: { day: string; report?: Reconciliation | undefined; error?: string | undefined }): string {
  const { t, locale } = context;
  const title = t('payments.reconciliation.title');
  const report = input.report;
  return renderPage(
    <Layout {...context} title={title} hasErrors={input.error !== undefined}>
      <ErrorSummary errors={input.error ? [{ fieldId: 'day', text: input.error }] : []} />
      <h1 class="tb-heading-l">{title}</h1>
      <form method="get" action="/payments/reconciliation" novalidate>
        <TextInput name="day" label={t('payments.reconciliation.day')} hint={t('payments.reconciliation.dayHint')} value={input.day} error={input.error} width={10} spellcheck={false} />
        <Button variant="secondary">{t('payments.reconciliation.show')}</Button>
      </form>
      {report ? (
        <>
          <p class="tb-body"><a href={`/payments/reconciliation.csv?day=${report.day}`} download>{t('payments.reconciliation.csv')}</a></p>
          <h2 class="tb-heading-m">{t('payments.reconciliation.flags')}</h2>
          {report.flags.length === 0 ? <p class="tb-body">{t('payments.reconciliation.noFlags')}</p> : (
            <Table caption={t('payments.reconciliation.flags')} head={[t('payments.reconciliation.kind'), t('payments.reconciliation.reference'), { text: t('payments.table.amount'), numeric: true }, t('payments.reconciliation.detail')]}
              rows={report.flags.map((f) => [{ text: t(`payments.reconciliation.flag.${f.kind}`) }, { text: f.reference }, { text: formatMoney(f.amount, locale), numeric: true }, { text: flagDetail(context, f) }])} />
          )}
          {report.notDue.length > 0 ? (
            <>
              <h2 class="tb-heading-m">{t('payments.reconciliation.notDue')}</h2>
              <p class="tb-body">{t('payments.reconciliation.notDueHint')}</p>
              <Table caption={t('payments.reconciliation.notDue')} head={[t('payments.reconciliation.reference'), t('payments.reconciliation.caseStatus'), { text: t('payments.table.amount'), numeric: true }]}
                rows={report.notDue.map((n) => [{ text: n.reference }, { text: n.caseStatusName[locale] }, { text: formatMoney(n.amount, locale), numeric: true }])} />
            </>
          ) : null}
          <h2 class="tb-heading-m">{t('payments.reconciliation.payments', { day: report.day })}</h2>
          <p class="tb-body">{t('payments.reconciliation.total', { amount: formatMoney(report.total, locale) })}</p>
          {report.lines.length === 0 ? <p class="tb-body">{t('payments.reconciliation.noPayments')}</p> : (
            <Table caption={t('payments.reconciliation.payments', { day: report.day })}
              head={[t('payments.table.receipt'), t('payments.reconciliation.reference'), t('payments.table.method'), t('payments.table.status'), { text: t('payments.table.amount'), numeric: true }, t('payments.table.date')]}
              rows={report.lines.map((l) => [{ text: l.receiptNumber ?? '' }, { text: l.reference }, { text: t(`payments.method.${l.method}`) }, { text: t(`payments.status.${l.status}`) }, { text: formatMoney(l.amount, locale), numeric: true }, { text: <When at={l.settledAt} locale={locale} /> }])} />
          )}
        </>
      ) : null}
    </Layout>,
  );
}
