import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { declareScopes, requireClientScope } from '../../kernel/auth/machine/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import { PaymentsErrors, type PaymentsService } from './service.js';

export const GOVSTACK_PREFIX = '/govstack/payments';
export const BILLS_SCOPE = 'payments:bills';
declareScopes({ [BILLS_SCOPE]: { en: 'Payments: read bills and record payments received by bank transfer', 'zh-CN': '缴费：查看账单并登记银行转账收款' } });

const text = (max: number) => Type.String({ minLength: 1, maxLength: max });
// The 202 of the inquiry with the fields of the spec's bill inquiry response (billInquiryResponse.yml) in it.
const answer = Type.Object({
  responseCode: Type.String({ maxLength: 2 }), reason: Type.String({ maxLength: 200 }), requestId: Type.String({ maxLength: 12 }),
  code: Type.Integer(), billId: Type.String({ maxLength: 20 }),
  billDetails: Type.Object({
    billerId: Type.String({ maxLength: 10 }), billerName: Type.String({ maxLength: 10 }), billStatus: Type.String({ maxLength: 10 }),
    dueDate: Type.Integer(), amountonDueDate: Type.Integer(), amountAfterDueDate: Type.Integer(),
  }),
});

const inquirySchema = {
  operationId: 'govstackBillInquiry', tags: ['govstack-payments'], summary: 'GovStack Payments bill inquiry: a bill by the application reference',
  params: Type.Object({ billId: text(20) }),
  querystring: Type.Object({ fields: Type.Literal('inquiry') }),
  headers: Type.Object({ 'x-correlationid': text(20), 'platform-tenantid': text(20), 'payerfi-id': text(20) }),
  // The spec's 400 shape is sent as is; problem+json answers (a bad header) share the status.
  response: { 202: answer, 400: Type.Unknown() },
};

const paymentSchema = {
  operationId: 'govstackBillPayment', tags: ['govstack-payments'], summary: 'GovStack Payments bill payment notification from a payer FI',
  headers: Type.Object({ 'x-correlationid': text(20), 'x-platform-tenantid': text(20), 'x-payerfi-id': text(20), 'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 128 })) }),
  body: Type.Object({ requestId: text(12), billInquiryRequestId: text(12), billId: text(20), paymentReferenceID: text(16) }),
  response: { 202: Type.Object({ responseCode: Type.String(), reason: Type.String(), requestID: Type.String() }), 400: Type.Unknown() },
};

const requestIdOf = (body: unknown, correlation: string): string => {
  const given = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).requestId : undefined;
  return typeof given === 'string' && given.length <= 12 ? given : correlation.slice(0, 12);
};

/**
 * The GovStack Payments P2G bill operations for a bank or payment platform (a machine client
 * with the `payments:bills` scope): inquiry answered synchronously in the 202 (the spec's later
 * callback carries the same fields), and the payment notification recorded once (ADR 21).
 */
export function registerGovstackRoutes(scope: FastifyInstance, payments: PaymentsService): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const guard = requireClientScope(BILLS_SCOPE);

  app.get(`${GOVSTACK_PREFIX}/bills/:billId`, { schema: inquirySchema, preHandler: guard }, async (request, reply) => {
    const requestId = requestIdOf(request.body, request.headers['x-correlationid']);
    const found = await payments.billByReference(request.params.billId);
    if (!found) return reply.status(400).send({ responseCode: '01', reason: 'No bill has this id', requestId });
    const { bill, state } = found;
    const billStatus = state.state === 'paid' ? 'PAID' : state.state === 'refunded' ? 'REFUNDED' : state.state === 'not_due' ? 'NOT_DUE' : 'DUE';
    return reply.status(202).send({
      responseCode: '00', reason: 'Bill found', requestId, code: 0, billId: bill.reference,
      billDetails: {
        billerId: bill.agencyCode.slice(0, 10), billerName: (bill.agencyCode.split('-')[1] ?? bill.agencyCode).slice(0, 10), billStatus,
        dueDate: 0, amountonDueDate: state.state === 'due' ? state.due : 0, amountAfterDueDate: state.state === 'due' ? state.due : 0,
      },
    });
  });

  app.post(`${GOVSTACK_PREFIX}/billTransferRequests`, { schema: paymentSchema, preHandler: guard }, async (request, reply) => {
    const client = request.client!;
    const { body } = request;
    try {
      // The payment reference is the payer FI's own idempotency key when no header is sent.
      await payments.recordBankPayment(client, {
        reference: body.billId, paymentReference: body.paymentReferenceID, key: request.headers['idempotency-key'] ?? `ref:${body.paymentReferenceID}`, requestId: request.id,
      });
      return await reply.status(202).send({ responseCode: '00', reason: 'Payment recorded', requestID: body.requestId });
    } catch (error) {
      if (!(error instanceof TongbanError)) throw error;
      const reason = error.code === PaymentsErrors.TB_PAYMENTS_ALREADY_PAID ? 'The bill is already paid'
        : error.code === PaymentsErrors.TB_PAYMENTS_CASE_CLOSED ? 'The bill is not due: the application is closed'
        : error.code === PaymentsErrors.TB_PAYMENTS_NOT_FOUND ? 'No bill has this id'
          : error.code === PaymentsErrors.TB_PAYMENTS_IDEMPOTENCY_CONFLICT ? 'This payment reference was used for another bill' : undefined;
      if (!reason) throw error;
      return reply.status(400).send({ code: '01', reason, requestID: body.requestId });
    }
  });
}
