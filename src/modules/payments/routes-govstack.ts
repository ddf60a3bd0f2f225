import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { IncomingMessage } from 'node:http';
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
    // No dueDate: a fee has no date, it is due while its case is open (ADR 21); the spec does not require one.
    amountonDueDate: Type.Integer(), amountAfterDueDate: Type.Integer(),
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

const INQUIRY_BODY_LIMIT = 1024;

/**
 * The spec's bill inquiry is a GET with a JSON body (`{ requestId, billId }`). Fastify parses no body
 * on GET (and refuses a body schema there), so the route reads it here: `undefined` when none was
 * sent, `invalid` when it is not that object.
 */
async function inquiryBody(raw: IncomingMessage): Promise<{ requestId?: string; billId?: string } | 'invalid' | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of raw) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > INQUIRY_BODY_LIMIT) return 'invalid';
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch { return 'invalid'; }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'invalid';
  const { requestId, billId } = parsed as Record<string, unknown>;
  if (requestId !== undefined && (typeof requestId !== 'string' || requestId.length > 12)) return 'invalid';
  if (billId !== undefined && (typeof billId !== 'string' || billId.length > 20)) return 'invalid';
  return { ...(requestId !== undefined ? { requestId } : {}), ...(billId !== undefined ? { billId } : {}) };
}

/**
 * The GovStack Payments P2G bill operations for a bank or payment platform (a machine client
 * with the `payments:bills` scope): inquiry answered synchronously in the 202 (the spec's later
 * callback carries the same fields), and the payment notification recorded once (ADR 21).
 */
export function registerGovstackRoutes(scope: FastifyInstance, payments: PaymentsService): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const guard = requireClientScope(BILLS_SCOPE);

  app.get(`${GOVSTACK_PREFIX}/bills/:billId`, { schema: inquirySchema, preHandler: guard }, async (request, reply) => {
    // The bank's requestId is echoed; a bank that sends no body gets its correlation id's first 12 characters.
    const body = await inquiryBody(request.raw);
    const requestId = (body !== 'invalid' ? body?.requestId : undefined) ?? request.headers['x-correlationid'].slice(0, 12);
    if (body === 'invalid') return reply.status(400).send({ responseCode: '01', reason: 'The body is not a bill inquiry request: a JSON object with requestId (at most 12 characters) and billId', requestId });
    if (body?.billId !== undefined && body.billId !== request.params.billId) return reply.status(400).send({ responseCode: '01', reason: 'The billId in the body is not the one in the path', requestId });
    const found = await payments.billByReference(request.params.billId);
    if (!found) return reply.status(400).send({ responseCode: '01', reason: 'No bill has this id', requestId });
    const { bill, state } = found;
    const billStatus = state.state === 'paid' ? 'PAID' : state.state === 'refunded' ? 'REFUNDED' : state.state === 'not_due' ? 'NOT_DUE' : 'DUE';
    return reply.status(202).send({
      responseCode: '00', reason: 'Bill found', requestId, code: 0, billId: bill.reference,
      billDetails: {
        billerId: bill.agencyCode.slice(0, 10), billerName: (bill.agencyCode.split('-')[1] ?? bill.agencyCode).slice(0, 10), billStatus,
        amountonDueDate: state.state === 'due' ? state.due : 0, amountAfterDueDate: state.state === 'due' ? state.due : 0,
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
