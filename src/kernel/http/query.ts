/**
 * A query parameter, form field or header given once, as text. Fastify's query parser makes a
 * repeated parameter an array (`?hall=a&hall=b`), as Node does a repeated header; a page that
 * passed that on met a 500 in the service (the booking steps, found by the form fuzzing, issue 9).
 * Read unvalidated parameters, fields and headers through this: a repeated or missing one is not
 * given.
 */
export const single = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
