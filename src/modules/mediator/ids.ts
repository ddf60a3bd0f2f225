/**
 * X-Road style identifiers, written as slash-joined parts: a member `CN/GOV/110000-PSB`
 * (instance/class/code), a subsystem `CN/GOV/110000-PSB/population`, a service
 * `CN/GOV/110000-PSB/population/persons`. Pure functions, no I/O.
 */
const PART = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface SubsystemRef {
  readonly instance: string;
  readonly memberClass: string;
  readonly member: string;
  readonly subsystem: string;
}

export const isPart = (value: string): boolean => PART.test(value);

export const memberId = (instance: string, memberClass: string, code: string): string => `${instance}/${memberClass}/${code}`;

export const memberIdOf = (ref: Pick<SubsystemRef, 'instance' | 'memberClass' | 'member'>): string => memberId(ref.instance, ref.memberClass, ref.member);
export const subsystemIdOf = (ref: SubsystemRef): string => `${ref.instance}/${ref.memberClass}/${ref.member}/${ref.subsystem}`;

/** The Information-Mediator-Client (or X-Road-Client) header: four parts, or undefined. */
export function parseSubsystemId(value: string | undefined): SubsystemRef | undefined {
  if (value === undefined) return undefined;
  const parts = value.trim().split('/');
  if (parts.length !== 4 || !parts.every(isPart)) return undefined;
  const [instance, memberClass, member, subsystem] = parts as [string, string, string, string];
  return { instance, memberClass, member, subsystem };
}

/**
 * Whether `path` (no query string) matches an access right's pattern: `*` stands for one path
 * segment, a trailing `/**` for any rest (also none); everything else matches literally.
 */
export function pathMatches(pattern: string, path: string): boolean {
  const want = pattern.split('/');
  const have = path.split('/');
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    if (w === '**' && i === want.length - 1) return true;
    const h = have[i];
    if (h === undefined) return false;
    if (w === '*') {
      if (h === '') return false;
      continue;
    }
    if (w !== h) return false;
  }
  return have.length === want.length;
}

export function methodMatches(pattern: string, method: string): boolean {
  return pattern === '*' || pattern.toUpperCase() === method.toUpperCase();
}

const SEGMENT = /^[A-Za-z0-9._~!$&'()+,;=:@%-]+$/;
const METHODS = new Set(['*', 'GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

// Literal segments and `*` anywhere; `**` (any rest) only as the last segment.
export function isPathPattern(pattern: string): boolean {
  if (!pattern.startsWith('/') || pattern.length > 500) return false;
  const segments = pattern.slice(1).split('/');
  return segments.every((segment, i) => {
    const last = i === segments.length - 1;
    return SEGMENT.test(segment) || segment === '*' || (last && (segment === '**' || segment === ''));
  });
}
export const isMethodPattern = (method: string): boolean => METHODS.has(method);

/**
 * A Chinese resident identity number in a path segment (17 digits and a digit or X): a
 * read about that person. Checked only for shape; the provider knows whether it exists.
 */
const RESIDENT_ID = /^[1-9]\d{16}[\dXx]$/;

/**
 * The resident ID number a path segment, query value or header names, as the provider reads it:
 * percent-decoded (a provider's router decodes `%31%31…` to digits) and with a lowercase `x`
 * made `X`; undefined when it names none. Matching the raw text let `/persons/%31%31…` or a
 * number ending in `x` reach a person's record with no consent check and no audit record.
 */
export function residentIdIn(text: string): string | undefined {
  let decoded = text;
  if (text.includes('%')) {
    try {
      decoded = decodeURIComponent(text);
    } catch {
      return undefined;
    }
  }
  return RESIDENT_ID.test(decoded) ? decoded.toUpperCase() : undefined;
}

/**
 * The people a call is about: every resident ID number that is a whole segment of its path or a
 * whole value of its query, once each; without one, the person `X-Road-UserId` names. What the
 * call asks for decides whose consent it needs and whose data it carries, so a header naming
 * someone else does not stand in for the person in the path.
 */
export function peopleOfCall(userId: string | undefined, path: string, query: string): string[] {
  const found = new Set<string>();
  for (const segment of path.split('/')) {
    const person = residentIdIn(segment);
    if (person !== undefined) found.add(person);
  }
  for (const value of new URLSearchParams(query).values()) {
    const person = residentIdIn(value);
    if (person !== undefined) found.add(person);
  }
  if (found.size === 0 && userId !== undefined) found.add(residentIdIn(userId) ?? userId);
  return [...found];
}

/** `.`, `..` and the forms some servers read as them (`..;jsessionid`). */
const DOT_SEGMENT = /^\.{1,2}(;.*)?$/s;

/**
 * Whether the path below a service reaches the provider as the path its access right was checked
 * against: a segment that decodes to a dot segment (WHATWG URLs resolve `%2e%2e` as `..`), an
 * encoded slash or a backslash would let `/persons/%2e%2e/admin` pass a `/persons/**` right and
 * reach `/admin`.
 */
export function isPlainPath(path: string): boolean {
  if (path.includes('\\')) return false;
  return path.split('/').every((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return false;
    }
    return !DOT_SEGMENT.test(decoded) && !decoded.includes('/') && !decoded.includes('\\');
  });
}

/**
 * The people an event names: every string value in it that is a resident identity number (as a
 * path segment is one), once each, in the order met. Walked without recursion: an event's depth
 * is the publisher's to choose.
 */
export function personsIn(value: unknown): string[] {
  const found = new Set<string>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (RESIDENT_ID.test(item)) found.add(item.toUpperCase());
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push(item[i]);
    } else if (item !== null && typeof item === 'object') {
      const values = Object.values(item);
      for (let i = values.length - 1; i >= 0; i--) stack.push(values[i]);
    }
  }
  return [...found];
}
