import safeRegex from 'safe-regex2';

/** A `pattern` (or `patternProperties` key) of a JSON Schema that cannot be trusted to run in linear time. */
export interface UnsafePattern {
  /** Where it is, as a JSON Pointer below the given base. */
  readonly pointer: string;
  readonly detail: string;
}

/** Values that are data, not schemas: a `pattern` key inside them is not a keyword. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples']);
/** Longer patterns are refused outright: a schema's pattern checks a code or a format, not a text. */
const MAX_PATTERN_LENGTH = 1_000;

const escape = (token: string) => token.replaceAll('~', '~0').replaceAll('/', '~1');

function problemOf(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `the pattern is longer than ${MAX_PATTERN_LENGTH} characters`;
  try {
    // As Ajv runs it (unicodeRegExp): a pattern that does not compile is Ajv's to report.
    new RegExp(pattern, 'u');
  } catch {
    return undefined;
  }
  return safeRegex(pattern)
    ? undefined
    : `the pattern "${pattern}" can take exponential time on some input (a repetition inside a repetition): write it without nesting them`;
}

/**
 * The regular expressions of a JSON Schema written by an agency or a member system (a form's
 * conditions, a registry's schema, an event type's schema, a fee's conditions) that could make a
 * check of someone else's input backtrack for seconds: JavaScript has no linear-time engine, so
 * they are refused when the schema is defined (safe-regex2's star-height test, as Fastify's router
 * uses it). Walked without recursion.
 */
export function unsafePatterns(schema: unknown, base = ''): UnsafePattern[] {
  const found: UnsafePattern[] = [];
  const stack: { value: unknown; pointer: string }[] = [{ value: schema, pointer: base }];
  while (stack.length > 0) {
    const { value, pointer } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, pointer: `${pointer}/${i}` }));
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      const at = `${pointer}/${escape(key)}`;
      if (DATA_KEYWORDS.has(key)) continue;
      if (key === 'pattern' && typeof child === 'string') {
        const detail = problemOf(child);
        if (detail !== undefined) found.push({ pointer: at, detail });
        continue;
      }
      if (key === 'patternProperties' && child !== null && typeof child === 'object' && !Array.isArray(child)) {
        for (const name of Object.keys(child as object)) {
          const detail = problemOf(name);
          if (detail !== undefined) found.push({ pointer: `${at}/${escape(name)}`, detail });
        }
      }
      stack.push({ value: child, pointer: at });
    }
  }
  return found.sort((a, b) => a.pointer.localeCompare(b.pointer));
}
