import { Type } from 'typebox';

const problem = { description: 'problem+json (RFC 9457)' };
export const idempotencyHeaders = Type.Object({ 'idempotency-key': Type.String({ minLength: 8, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' }) });

export const stateSchema = Type.Object({
  due: Type.Integer({ description: 'fen' }), paid: Type.Integer({ description: 'fen' }), currency: Type.Literal('CNY'),
  state: Type.Union([Type.Literal('none'), Type.Literal('due'), Type.Literal('paid'), Type.Literal('refunded'), Type.Literal('not_due')], {
    description: 'not_due: unpaid on a case closed without a decision (rejected, withdrawn); nothing is owed and no payment is taken. A refunded payment counts as not paid: due again while the case can still be decided, refunded once it closed without a decision',
  }),
});

export const checkoutSchema = {
  operationId: 'paymentsStartCheckout', tags: ['payments'], summary: 'Start paying an application\'s fee online (the applicant)',
  params: Type.Object({ id: Type.String() }), headers: idempotencyHeaders,
  description: 'While the bill has an open checkout, that same payment is returned (redirectUrl: the provider\'s page, or the return page once the checkout finished there). 409 TB_PAYMENTS_ALREADY_PAID when nothing is due, TB_PAYMENTS_CASE_CLOSED when the case was rejected or withdrawn.',
  response: { 201: Type.Object({ paymentId: Type.String(), redirectUrl: Type.String() }), 409: problem },
};

export const statusSchema = {
  operationId: 'paymentsStatus', tags: ['payments'], summary: 'What is due and paid for an application (the applicant)',
  params: Type.Object({ id: Type.String() }), response: { 200: stateSchema },
};

export const counterSchema = {
  operationId: 'paymentsRecordAtCounter', tags: ['payments'], summary: 'Record cash or card taken at a counter (a clerk)',
  headers: idempotencyHeaders,
  body: Type.Object({ reference: Type.String({ maxLength: 40 }), method: Type.Union([Type.Literal('cash'), Type.Literal('card')]), payerName: Type.String({ minLength: 1, maxLength: 100 }) }),
  response: { 201: Type.Object({ receiptNumber: Type.String() }), 409: problem },
};

export const refundSchema = {
  operationId: 'paymentsRefund', tags: ['payments'], summary: 'Refund a completed payment, with a reason (officer, supervisor, agency admin)',
  params: Type.Object({ paymentId: Type.String() }), headers: idempotencyHeaders,
  body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }),
  response: {
    201: Type.Object({
      id: Type.String({ format: 'uuid' }), paymentId: Type.String({ format: 'uuid' }), applicationId: Type.String({ format: 'uuid' }),
      amount: Type.Integer({ description: 'The whole payment, in fen' }), currency: Type.Literal('CNY'), reason: Type.String(),
      refundedBy: Type.String({ description: 'The account of the member of staff who refunded it' }), createdAt: Type.String({ format: 'date-time' }),
      returnedThrough: Type.Union([Type.Literal('provider'), Type.Literal('where_paid')], { description: 'provider: money taken online goes back through its payment provider; where_paid: cash, card and a bank payment are given back where they were paid' }),
      providerState: Type.Union([Type.Literal('pending'), Type.Literal('confirmed'), Type.Literal('failed'), Type.Null()], {
        description: 'pending until the provider accepts the refund (retried meanwhile), then confirmed, or failed once retries gave up; null when given back where paid',
      }),
    }),
  },
};
