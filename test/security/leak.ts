/**
 * The fuzzers' one test for an internal detail in an answer (issue 9): stack frames, source paths,
 * SQL and driver names. Case-sensitive: answers echo the generated input back (e.g. "pG" in a
 * field error).
 */
export const LEAK = /\n\s+at |\.ts:\d|\bSELECT\b|\bINSERT INTO\b|[Kk]ysely|PGlite|pglite|node_modules|relation "|\bpg\//;

/** How an echoed text may appear in an answer: as sent, inside a JSON string, or in HTML. */
function spellings(text: string): string[] {
  const json = JSON.stringify(text).slice(1, -1);
  const html = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return [...new Set([text, json, html])];
}

/**
 * What in `body` reads as an internal detail once the request's own texts are taken out, or
 * undefined. An answer may echo what it was sent (a problem's `instance` is the request's URL, a
 * form shows the values typed): a generated path segment `pg` makes `/pg/` in it, which is the
 * caller's text, not the driver's. Only an echo that reads as a leak by itself is cut out (as a
 * space, so no new word is joined): cutting a short innocent one (`t`) could break a real stack
 * frame apart. A leak outside the echoes is still found.
 */
export function leakIn(body: string, echoed: readonly string[] = []): string | undefined {
  let rest = body;
  // Longest first, so a short echo never cuts a longer one apart before it is taken out.
  const texts = echoed.flatMap(spellings).filter((t) => LEAK.test(t)).sort((a, b) => b.length - a.length);
  for (const text of texts) rest = rest.split(text).join(' ');
  return LEAK.exec(rest)?.[0];
}
