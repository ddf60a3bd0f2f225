/**
 * A query parameter, form field or header given once, as text. Fastify's query parser makes a
 * repeated parameter an array (`?hall=a&hall=b`), as Node does a repeated header; a page that
 * passed that on met a 500 in the service (the booking steps, found by the form fuzzing, issue 9).
 * Read unvalidated parameters and headers through this: a repeated or missing one is not given.
 */
export const single = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * A text field of a posted urlencoded form: the first value when the field is repeated (as the
 * booking steps read theirs), so the page answers what was typed rather than "Enter ..." over an
 * empty box; a missing or non-text one is not given. Forms' body schemas accept a string or an
 * array of strings for such a field, and the handler checks it, so its errors come with the form.
 */
export function field(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}
