/**
 * What every HTML page must say about itself (docs/adr/0009-http-platform.md). Returns one line
 * per problem, so a journey can collect them over many pages and fail once with the whole list.
 */
export function securityHeaderProblems(headers: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const csp = headers['content-security-policy'];
  if (!csp) return ['no Content-Security-Policy header'];
  const directives = new Map(csp.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name = '', ...values] = d.split(/\s+/);
    return [name.toLowerCase(), values] as const;
  }));
  for (const name of ['object-src', 'base-uri', 'frame-ancestors']) {
    const values = directives.get(name);
    if (values?.join(' ') !== "'none'") problems.push(`CSP ${name} is ${values ? `"${values.join(' ')}"` : 'missing'}, not 'none'`);
  }
  // Without script-src, default-src governs scripts: check whichever applies.
  const scripts = directives.get('script-src') ?? directives.get('default-src');
  if (!scripts) problems.push('CSP restricts no scripts (no script-src or default-src)');
  else if (scripts.some((v) => v === "'unsafe-inline'" || v === "'unsafe-eval'" || v === '*')) {
    problems.push(`CSP script-src allows "${scripts.join(' ')}"`);
  }
  const expect = (name: string, wanted: RegExp) => {
    const value = headers[name];
    if (value === undefined || !wanted.test(value)) problems.push(`${name} is ${value === undefined ? 'missing' : `"${value}"`}`);
  };
  expect('x-content-type-options', /^nosniff$/i);
  expect('x-frame-options', /^deny$/i);
  expect('referrer-policy', /^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/);
  expect('cross-origin-opener-policy', /^same-origin$/);
  return problems;
}
