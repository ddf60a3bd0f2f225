import type { VNode } from 'preact';
import type { Locale } from '../../kernel/i18n/index.js';
import { CSRF_FIELD, Table, Tag, type LayoutProps, type TagColour } from '../../ui/index.js';
import './messages.js';
import { formatMoney, type Payment, type PaymentStatus } from './service.js';

export type PageContext = Pick<LayoutProps, 'locale' | 't' | 'currentPath' | 'user' | 'csrfToken'>;

const DATE_TIME: Record<Locale, Intl.DateTimeFormat> = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { dateStyle: 'long', timeStyle: 'medium', timeZone: 'Asia/Shanghai' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'medium', timeZone: 'Asia/Shanghai' }),
};

/** A time as text (in a sentence), in China time. */
export const dateTimeText = (at: Date, locale: Locale): string => DATE_TIME[locale].format(at);

export function When({ at, locale }: { at: Date; locale: Locale }): VNode {
  return <time dateTime={at.toISOString()}>{DATE_TIME[locale].format(at)}</time>;
}

const COLOURS: Record<PaymentStatus, TagColour> = { pending: 'blue', succeeded: 'green', declined: 'red', refunded: 'grey' };

export function StatusTag({ status, context }: { status: PaymentStatus; context: PageContext }): VNode {
  return <Tag colour={COLOURS[status]}>{context.t(`payments.status.${status}`)}</Tag>;
}

/** The hidden fields of every payments form: CSRF, and the idempotency key a double submit repeats. */
export function FormKeys({ context, idempotencyKey }: { context: PageContext; idempotencyKey?: string }): VNode {
  return (
    <>
      <input type="hidden" name={CSRF_FIELD} value={context.csrfToken} />
      {idempotencyKey ? <input type="hidden" name="idempotency_key" value={idempotencyKey} /> : null}
    </>
  );
}

/** The payments of a bill, newest last, with receipts and (for staff) a refund link. */
export function PaymentsTable({ payments, context, refundHref }: { payments: readonly Payment[]; context: PageContext; refundHref?: (p: Payment) => string | undefined }): VNode {
  const { t, locale } = context;
  return (
    <Table
      caption={t('payments.pay.history')}
      captionSize="m"
      head={[t('payments.table.date'), t('payments.table.method'), { text: t('payments.table.amount'), numeric: true }, t('payments.table.status'), t('payments.table.receipt'), ...(refundHref ? [t('payments.table.action')] : [])]}
      rows={payments.map((p) => {
        const refund = refundHref?.(p);
        return [
          { text: <When at={p.settledAt ?? p.createdAt} locale={locale} /> },
          { text: t(`payments.method.${p.method}`) },
          { text: formatMoney(p.amount, locale), numeric: true },
          { text: <StatusTag status={p.status} context={context} /> },
          { text: p.receiptNumber ? <a href={`/payments/receipts/${p.receiptNumber}`}>{p.receiptNumber}</a> : '' },
          ...(refundHref ? [{ text: refund ? <a href={refund}>{t('payments.staff.refund')}<span class="tb-visually-hidden"> {p.receiptNumber ?? ''}</span></a> : '' }] : []),
        ];
      })}
    />
  );
}
