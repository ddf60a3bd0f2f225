import type { FastifyError, FastifyRequest } from 'fastify';
import { isDatabaseUnreachable } from '../db/unreachable.js';
import { TongbanError, type FieldProblem } from './errors.js';
import './kernel-errors.js';

/** RFC 9457 problem details, with Tongban's code, request id and field problems. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance: string;
  code: string;
  requestId: string;
  errors?: { pointer: string; detail: string; code: string }[];
}

const PROBLEM_BASE = 'https://tongban.dev/errors/';

/** Ajv's instancePath is already a JSON pointer; a missing property needs its name appended. */
function pointerOf(v: { instancePath?: string; params?: Record<string, unknown> }, context: string | undefined): string {
  const base = v.instancePath ?? '';
  const missing = v.params?.missingProperty;
  const path = typeof missing === 'string' ? `${base}/${missing}` : base;
  return context && context !== 'body' ? `/${context}${path}` : path || '/';
}

/**
 * busboy (under @fastify/multipart, which parses every multipart request on every route) throws
 * plain Errors with neither code nor status for a body it cannot read; these are its messages.
 */
const MULTIPART_PARSE_ERRORS = [
  /^Multipart: Boundary not found$/,
  /^Boundary required$/,
  /unexpected end of multipart data$/i,
  /^The needle cannot (be an empty|have a length bigger than)/,
];

function isMultipartParseError(error: unknown): boolean {
  if (!(error instanceof Error) || 'code' in error || 'statusCode' in error) return false;
  return MULTIPART_PARSE_ERRORS.some((pattern) => pattern.test(error.message));
}

/** A client error (4xx) from a plugin, by status, where the kernel has a code of its own for it. */
const CLIENT_ERROR_CODES: Readonly<Record<number, string>> = {
  401: 'TB_KERNEL_UNAUTHENTICATED',
  403: 'TB_KERNEL_FORBIDDEN',
  404: 'TB_KERNEL_NOT_FOUND',
  405: 'TB_KERNEL_METHOD_NOT_ALLOWED',
  409: 'TB_KERNEL_CONFLICT',
  413: 'TB_KERNEL_BODY_TOO_LARGE',
  414: 'TB_KERNEL_URI_TOO_LONG',
  415: 'TB_KERNEL_UNSUPPORTED_MEDIA_TYPE',
  429: 'TB_KERNEL_RATE_LIMITED',
};

/** Maps anything thrown in a request to a TongbanError; never leaks internals. */
export function toTongbanError(error: unknown): TongbanError {
  if (error instanceof TongbanError) return error;
  const fe = error as Partial<FastifyError> & { validation?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[]; validationContext?: string };
  if (Array.isArray(fe.validation)) {
    const fields: FieldProblem[] = fe.validation.map((v) => ({
      pointer: pointerOf(v, fe.validationContext),
      message: 'kernel.error.fieldInvalid',
      detail: v.message ?? 'is invalid',
    }));
    return new TongbanError('TB_KERNEL_VALIDATION', { fields, cause: error });
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return new TongbanError('TB_KERNEL_BODY_TOO_LARGE', { cause: error });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new TongbanError('TB_KERNEL_URI_TOO_LONG', { cause: error });
    case 'FST_ERR_BAD_URL':
      return new TongbanError('TB_KERNEL_VALIDATION', { detail: 'The address is not valid', cause: error });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new TongbanError('TB_KERNEL_UNSUPPORTED_MEDIA_TYPE', { cause: error });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new TongbanError('TB_KERNEL_VALIDATION', { detail: 'The request body could not be read', cause: error });
    case 'FST_CSRF_INVALID_TOKEN':
    case 'FST_CSRF_MISSING_SECRET':
      return new TongbanError('TB_KERNEL_CSRF', { cause: error });
    default:
      break;
  }
  if (fe.statusCode === 400 || (error instanceof SyntaxError && 'body' in (error as object))) {
    return new TongbanError('TB_KERNEL_VALIDATION', { detail: 'The request body could not be read', cause: error });
  }
  if (isMultipartParseError(error)) {
    return new TongbanError('TB_KERNEL_VALIDATION', { detail: 'The form could not be read', cause: error });
  }
  // Any other client error a plugin raises (a multipart JSON field that is not JSON is 406) is the
  // client's mistake: its own code where the kernel has one, else 400, never a 500.
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 0;
  if (status >= 400 && status < 500) {
    const code = CLIENT_ERROR_CODES[status];
    return code === undefined
      ? new TongbanError('TB_KERNEL_VALIDATION', { detail: 'The request could not be read', cause: error })
      : new TongbanError(code, { cause: error });
  }
  if (fe.statusCode === 503) return new TongbanError('TB_KERNEL_UNAVAILABLE', { cause: error, headers: { 'retry-after': '5' } });
  if (isDatabaseUnreachable(error)) return new TongbanError('TB_KERNEL_UNAVAILABLE', { detail: 'The database cannot be reached; try again shortly', cause: error, headers: { 'retry-after': '5' } });
  return new TongbanError('TB_KERNEL_INTERNAL', { cause: error });
}

export function toProblem(error: TongbanError, request: Pick<FastifyRequest, 'url' | 'id'>): Problem {
  const problem: Problem = {
    type: `${PROBLEM_BASE}${error.code}`,
    title: error.spec.title,
    status: error.status,
    instance: request.url,
    code: error.code,
    requestId: String(request.id),
  };
  // Server errors never echo their message (it may hold SQL or stack details); 503 details are
  // ours ("migrations are pending") and tell an operator what to wait for.
  if (error.detail && (error.status < 500 || error.status === 503)) problem.detail = error.detail;
  if (error.fields.length > 0) {
    problem.errors = error.fields.map((f) => ({ pointer: f.pointer, detail: f.detail, code: f.message }));
  }
  return problem;
}
