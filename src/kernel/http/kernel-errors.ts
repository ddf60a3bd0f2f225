import { defineErrors } from './errors.js';
import { MAX_JSON_DEPTH } from './json-depth.js';

/** Codes raised by the kernel itself. Documented in docs/errors.md. */
export const KernelErrors = defineErrors('kernel', {
  TB_KERNEL_VALIDATION: { status: 400, title: 'The request is not valid', message: 'kernel.error.validation' },
  TB_KERNEL_NOT_FOUND: { status: 404, title: 'Not found', message: 'kernel.error.notFound' },
  TB_KERNEL_METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed', message: 'kernel.error.notFound' },
  TB_KERNEL_UNAUTHENTICATED: { status: 401, title: 'Sign-in required', message: 'kernel.error.unauthenticated' },
  TB_KERNEL_FORBIDDEN: { status: 403, title: 'Not allowed', message: 'kernel.error.forbidden' },
  TB_KERNEL_CSRF: { status: 403, title: 'The form has expired or did not come from this site', message: 'kernel.error.csrf' },
  TB_KERNEL_RATE_LIMITED: { status: 429, title: 'Too many requests', message: 'kernel.error.rateLimited' },
  TB_KERNEL_BODY_TOO_LARGE: { status: 413, title: 'The request body is too large', message: 'kernel.error.bodyTooLarge' },
  TB_KERNEL_BODY_TOO_DEEP: { status: 400, title: `The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep`, message: 'kernel.error.bodyTooDeep' },
  TB_KERNEL_URI_TOO_LONG: { status: 414, title: 'The address is too long', message: 'kernel.error.validation' },
  TB_KERNEL_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type', message: 'kernel.error.validation' },
  TB_KERNEL_UNAVAILABLE: { status: 503, title: 'The service is temporarily unavailable', message: 'kernel.error.unavailable' },
  TB_KERNEL_INTERNAL: { status: 500, title: 'Something went wrong on our side', message: 'kernel.error.internal' },
  TB_KERNEL_CONFLICT: { status: 409, title: 'The request conflicts with the current state', message: 'kernel.error.conflict' },
});
