import fc from 'fast-check';
import { firstCodePoints, nasty } from './fuzz-arbitraries.js';

/** One field of an HTML form as the page renders it: its name, kind and the values it offers. */
export interface FormField { readonly name: string; readonly kind: string; readonly options: readonly string[] }
export interface HtmlForm { readonly method: 'get' | 'post'; readonly action: string; readonly multipart: boolean; readonly fields: readonly FormField[] }

const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1]?.replaceAll('&amp;', '&');

/**
 * The forms of a page with their fields (the CSRF token left out: the fuzz adds a valid one): the
 * POST forms, or with `method` 'get' the GET forms (search, filters, the booking steps).
 */
export function formsOf(html: string, method: 'get' | 'post' = 'post'): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const open = m[1] ?? '';
    const body = m[2] ?? '';
    if ((attr(open, 'method') ?? 'get').toLowerCase() !== method) continue;
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
      method, action, multipart: (attr(open, 'enctype') ?? '').includes('multipart'),
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

/**
 * A generated query string for a GET form: its fields (offered, shaped, hostile, missing,
 * repeated, stray) encoded as a browser does. A value is cut to 1,000 characters: a real server
 * refuses an address over Node's 16 KB header limit before any handler, so longer ones test nothing.
 */
export function queryFor(fields: readonly FormField[]): fc.Arbitrary<string> {
  const cut = (v: string) => firstCodePoints(v, 1000);
  return submissionFor(fields).map((values) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(values)) for (const v of [value].flat()) params.append(cut(name), cut(v));
    return params.toString();
  });
}

/** A file part as a browser sends it. */
export interface FilePart { readonly filename: string; readonly type: string; readonly content: Buffer }

const MAGIC = { pdf: Buffer.from('%PDF-1.7\n'), png: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), jpeg: Buffer.from([0xff, 0xd8, 0xff, 0xe0]) };
const magicOf = fc.constantFrom(...Object.values(MAGIC));

/**
 * File contents: empty, a real signature with a small or an oversize body (over the platform's
 * 10 MiB limit, or a few MiB), random bytes, text that claims to be something else (HTML, SVG,
 * a script), a signature cut short.
 */
const fileContent: fc.Arbitrary<Buffer> = fc.oneof(
  { arbitrary: fc.constant(Buffer.alloc(0)), weight: 2 },
  { arbitrary: fc.tuple(magicOf, fc.uint8Array({ maxLength: 2048 })).map(([m, rest]) => Buffer.concat([m, Buffer.from(rest)])), weight: 6 },
  { arbitrary: fc.uint8Array({ minLength: 1, maxLength: 4096 }).map((b) => Buffer.from(b)), weight: 3 },
  { arbitrary: fc.constantFrom('<html><script>alert(1)</script></html>', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', '#!/bin/sh\nrm -rf /\n', 'MZ\u0090\u0000').map((t) => Buffer.from(t)), weight: 2 },
  { arbitrary: magicOf.map((m) => m.subarray(0, m.length - 1)), weight: 1 },
  { arbitrary: fc.tuple(magicOf, fc.constantFrom(10 * 1024 * 1024 + 1, 3 * 1024 * 1024)).map(([m, size]) => Buffer.concat([m, Buffer.alloc(size - m.length, 0x41)])), weight: 1 },
);

/** What the browser claims the file is: right, wrong, unknown, blank or odd. */
const claimedType = fc.constantFrom('application/pdf', 'image/png', 'image/jpeg', 'image/svg+xml', 'text/html', 'application/x-msdownload', 'application/octet-stream', 'IMAGE/PNG', 'image/png; charset=utf-8', '');

/**
 * Client file names never to trust: path traversal (both separators, absolute, drive letters),
 * dot names, a right-to-left override hiding the extension, an extension that disagrees with the
 * bytes, very long names, any unicode (never NUL, which the kernel refuses, tested apart). Quotes
 * and line breaks are escaped as a browser does (%22, %0D, %0A).
 */
export const hostileFileName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('../../etc/passwd', '..\\..\\windows\\win.ini', '/etc/shadow', 'C:\\Windows\\system32\\x.pdf', '....//....//x.png', '%2e%2e%2fx.pdf', '.', '..', '', ' ', '.htaccess',
    'invoice\u202efdp.exe', 'photo.png.exe', 'lease.pdf', 'scan.JPG', 'con.pdf', 'a/b/c.jpg', '~/.ssh/id_rsa'),
  fc.tuple(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.constantFrom('.pdf', '.png', '.jpg', '.exe', '.html', '')).map(([n, ext]) => n + ext),
  fc.tuple(fc.constantFrom('a', '文', '𠜎', '../'), fc.integer({ min: 101, max: 2000 })).map(([c, n]) => `${c.repeat(n)}.pdf`),
).map((n) => n.replaceAll('\u0000', '').replaceAll('"', '%22').replaceAll('\r', '%0D').replaceAll('\n', '%0A'));

export const filePart: fc.Arbitrary<FilePart> = fc.record({ filename: hostileFileName, type: claimedType, content: fileContent });

/** Generated file parts for a multipart form's file fields: each sent (four times in five) or not. */
export function filesFor(fields: readonly FormField[]): fc.Arbitrary<Record<string, FilePart>> {
  const files = fields.filter((f) => f.kind === 'file');
  const shape = Object.fromEntries(files.map((f) => [f.name, fc.option(filePart, { nil: undefined, freq: 5 })]));
  return fc.record(shape).map((parts) => Object.fromEntries(Object.entries(parts).filter((e): e is [string, FilePart] => e[1] !== undefined)));
}
