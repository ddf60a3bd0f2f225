import { BackLink, Button, ErrorSummary, InsetText, Layout, NotificationBanner, Radios, renderPage, SummaryList } from '../../ui/index.js';
import { FormKeys, PaymentsTable, StatusTag, When, type PageContext } from './pages-shared.js';
import { formatMoney, type Bill, type Payment, type PaymentState, type Receipt } from './service.js';

export interface PayView { readonly bill: Bill; readonly payments: readonly Payment[]; readonly state: PaymentState }

const back = (context: PageContext, applicationId: string) => <BackLink href={`/applications/${applicationId}`} text={context.t('payments.pay.back')} />;

/**
 * `/payments/applications/:id`: what is owed, past attempts, and the button to the provider.
 * `closed`: a payment was tried on a case that is closed (the page was opened before it closed).
 */
export function renderPayPage(context: PageContext, view: PayView, options: { idempotencyKey: string; declined: boolean; closed?: boolean }): string {
  const { t, locale } = context;
  const { bill, state } = view;
  const title = t('payments.pay.title');
  const errors = [
    ...(options.declined ? [{ fieldId: 'pay', text: t('payments.pay.declined') }] : []),
    ...(options.closed ? [{ fieldId: 'fee-status', text: t('payments.pay.caseClosed') }] : []),
  ];
  const amount = state.state === 'due' ? formatMoney(state.due, locale) : state.state === 'not_due' ? t('payments.pay.notDueAmount') : formatMoney(bill.amount, locale);
  const status = state.state === 'paid' ? 'payments.pay.paid' : state.state === 'not_due' ? 'payments.pay.notDue' : 'payments.pay.nothing';
  return renderPage(
    <Layout {...context} title={title} hasErrors={errors.length > 0} beforeContent={back(context, bill.applicationId)}>
      <ErrorSummary errors={errors} />
      <h1 class="tb-heading-l">{title}</h1>
      <SummaryList rows={[
        { key: t('payments.pay.service'), value: bill.serviceName[locale] },
        { key: t('payments.pay.reference'), value: bill.reference },
        { key: t('payments.pay.amount'), value: amount },
        { key: t('payments.pay.when'), value: t(`payments.when.${bill.when}`) },
      ]} />
      {state.state === 'due' ? (
        <form method="post" action={`/payments/applications/${bill.applicationId}/pay`} novalidate>
          <FormKeys context={context} idempotencyKey={options.idempotencyKey} />
          <p class="tb-body">{t('payments.pay.provider')}</p>
          <Button id="pay">{t('payments.pay.button', { amount: formatMoney(state.due, locale) })}</Button>
        </form>
      ) : <div id="fee-status"><InsetText>{t(status)}</InsetText></div>}
      {view.payments.length > 0 ? <PaymentsTable payments={view.payments} context={context} /> : null}
    </Layout>,
  );
}

/** The provider has not confirmed yet: no JavaScript polling, a link to look again. */
export function renderPendingPage(context: PageContext, applicationId: string, payment: Payment): string {
  const { t } = context;
  const title = t('payments.pay.pendingTitle');
  return renderPage(
    <Layout {...context} title={title} beforeContent={back(context, applicationId)}>
      <h1 class="tb-heading-l">{title}</h1>
      <p class="tb-body"><StatusTag status={payment.status} context={context} /></p>
      <p class="tb-body">{t('payments.pay.pendingBody')}</p>
      <p class="tb-body"><a href={`/payments/applications/${applicationId}/return?payment=${payment.id}`}>{t('payments.pay.checkAgain')}</a></p>
    </Layout>,
  );
}

/** `/payments/receipts/:number`: everything a receipt says, in the reader's language. */
export function renderReceiptPage(context: PageContext, receipt: Receipt): string {
  const { t, locale } = context;
  const { payment, bill } = receipt;
  const number = payment.receiptNumber ?? '';
  const title = t('payments.receipt.title', { number });
  return renderPage(
    <Layout {...context} title={title}>
      <h1 class="tb-heading-l">{title}</h1>
      {payment.status === 'refunded' ? <NotificationBanner title={t('payments.status.refunded')}><p class="tb-body">{t('payments.receipt.refunded', { reason: payment.refundReason ?? '' })}</p></NotificationBanner> : null}
      <SummaryList rows={[
        { key: t('payments.receipt.number'), value: number },
        { key: t('payments.receipt.amount'), value: formatMoney(payment.amount, locale) },
        { key: t('payments.receipt.payer'), value: payment.payerName },
        { key: t('payments.receipt.service'), value: bill.serviceName[locale] },
        { key: t('payments.receipt.reference'), value: bill.reference },
        { key: t('payments.receipt.method'), value: t(`payments.method.${payment.method}`) },
        { key: t('payments.receipt.time'), value: <When at={payment.settledAt ?? payment.createdAt} locale={locale} /> },
        { key: t('payments.receipt.status'), value: <StatusTag status={payment.status} context={context} /> },
      ]} />
      <p class="tb-body">{t('payments.receipt.print')}</p>
      {bill.applicantAccountId ? <p class="tb-body"><a href={`/applications/${bill.applicationId}`}>{t('payments.pay.back')}</a></p> : null}
    </Layout>,
  );
}

export interface CheckoutView { readonly ref: string; readonly amount: number; readonly description: string; readonly open: boolean }

/** The built-in test provider's checkout page: clearly not a real payment page. */
export function renderCheckoutPage(context: PageContext, checkout: CheckoutView, error?: string): string {
  const { t, locale } = context;
  const title = t('payments.provider.title');
  return renderPage(
    <Layout {...context} title={title} hasErrors={error !== undefined}>
      {error ? <ErrorSummary errors={[{ fieldId: 'outcome', text: error }]} /> : null}
      <NotificationBanner title={title}><p class="tb-body">{t('payments.provider.banner')}</p></NotificationBanner>
      <h1 class="tb-heading-l">{title}</h1>
      <SummaryList rows={[
        { key: t('payments.provider.for'), value: checkout.description },
        { key: t('payments.provider.amount'), value: formatMoney(checkout.amount, locale) },
      ]} />
      {checkout.open ? (
        <form method="post" action={`/payments/test-provider/checkout/${checkout.ref}`} novalidate>
          <FormKeys context={context} />
          <Radios name="outcome" label={t('payments.provider.outcome')} error={error} items={[
            { value: 'success', text: t('payments.provider.success') },
            { value: 'declined', text: t('payments.provider.declined') },
            { value: 'pending', text: t('payments.provider.pending') },
          ]} />
          <Button>{t('payments.provider.continue')}</Button>
        </form>
      ) : <InsetText>{t('payments.provider.done')}</InsetText>}
    </Layout>,
  );
}
