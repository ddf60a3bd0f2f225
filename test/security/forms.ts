import fc from 'fast-check';
import { nasty } from './fuzz-arbitraries.js';

/** One field of an HTML form as the page renders it: its name, kind and the values it offers. */
export interface FormField { readonly name: string; readonly kind: string; readonly options: readonly string[] }
export interface HtmlForm { readonly action: string; readonly multipart: boolean; readonly fields: readonly FormField[] }

const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1]?.replaceAll('&amp;', '&');

/** The POST forms of a page with their fields (the CSRF token left out: the fuzz adds a valid one). */
export function formsOf(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const open = m[1] ?? '';
    const body = m[2] ?? '';
    if ((attr(open, 'method') ?? 'get').toLowerCase() !== 'post') continue;
    const action = attr(open, 'action');
    if (!action?.startsWith('/')) continue;
    const fields = new Map<string, { kind: string; options: Set<string> }>();
    const add = (name: string | undefined, kind: string, value?: string) => {
      if (!name || name === '_csrf') return;
      const field = fields.get(name) ?? { kind, options: new Set<string>() };
      if (value !== undefined) field.options.add(value);
      fields.set(name, field);
    };
    for (const input of body.matchAll(/<input\b[^>]*>/g)) add(attr(input[0], 'name'), attr(input[0], 'type') ?? 'text', attr(input[0], 'value'));
    for (const area of body.matchAll(/<textarea\b[^>]*>/g)) add(attr(area[0], 'name'), 'textarea');
    for (const select of body.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
      const name = attr(select[1] ?? '', 'name');
      add(name, 'select');
      for (const option of (select[2] ?? '').matchAll(/<option\b[^>]*>/g)) add(name, 'select', attr(option[0], 'value') ?? '');
    }
    for (const button of body.matchAll(/<button\b[^>]*>/g)) add(attr(button[0], 'name'), 'button', attr(button[0], 'value'));
    forms.push({
      action, multipart: (attr(open, 'enctype') ?? '').includes('multipart'),
      fields: [...fields].map(([name, f]) => ({ name, kind: f.kind, options: [...f.options] })),
    });
  }
  return forms;
}

/** Every link of a page to this site (no query strings of downloads, no sign-out). */
export function linksOf(html: string): string[] {
  return [...html.matchAll(/<a\b[^>]*\shref="(\/[^"#]*)"/g)].map((m) => (m[1] ?? '').replaceAll('&amp;', '&'));
}

/** A value for a field: one it offers, the shape it wants, or something hostile. */
function valueOf(field: FormField): fc.Arbitrary<string | string[]> {
  const offered = field.options.length > 0 ? [fc.constantFrom(...field.options)] : [];
  const shaped = field.kind === 'number' || /day|month|year|amount|count|rating|employees|capital/.test(field.name)
    ? fc.oneof(fc.integer({ min: -5, max: 3000 }).map(String), fc.constantFrom('1e309', '0x10', '-0', '', ' 12 '))
    : field.kind === 'date' ? fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))
      : fc.string({ maxLength: 40 });
  const single = fc.oneof({ arbitrary: fc.oneof(...offered, shaped), weight: 3 }, { arbitrary: nasty, weight: 2 });
  return fc.oneof({ arbitrary: single, weight: 9 }, { arbitrary: fc.array(single, { minLength: 2, maxLength: 3 }), weight: 1 });
}

/**
 * A generated submission of `form`: each field present with an offered, shaped or hostile value,
 * or left out; sometimes stray fields besides.
 */
export function submissionFor(fields: readonly FormField[]): fc.Arbitrary<Record<string, string | string[]>> {
  const shape = Object.fromEntries(fields.map((f) => [f.name, valueOf(f)]));
  return fc.tuple(
    fc.record(shape, { requiredKeys: [] }),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== '_csrf' && !(k in shape)), nasty, { maxKeys: 2 }),
  ).map(([body, extra]) => ({ ...extra, ...body }) as Record<string, string | string[]>);
}
