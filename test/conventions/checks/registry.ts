import ts from 'typescript';
import { calleeName, lineOf, nodes, parse } from './ast.js';
import { isTest, type SourceFile } from './tree.js';

/** `TB_<AREA>_<WHAT>`: upper-case words joined by underscores, at least three. */
export const ERROR_CODE = /^TB_[A-Z0-9]+_[A-Z0-9]+(?:_[A-Z0-9]+)*$/;

export interface ErrorEntry {
  readonly code: string;
  readonly area: string;
  readonly status: number;
  readonly message: string;
}

/** The upper-case stem an area's codes start with: `auth-machine` → `AUTH`. */
function areaStem(area: string): string {
  return (area.split(/[-.]/)[0] ?? area).toUpperCase();
}

/**
 * Where each registry call may live: `defineErrors` in files ending `errors.ts`,
 * `defineMessages` in files ending `messages.ts`. The docs generator and the checks below load
 * the registries by importing exactly those files, so a call elsewhere would go unseen.
 */
export function checkRegistryPlacement(files: readonly SourceFile[]): string[] {
  const violations: string[] = [];
  const rules = new Map([['defineErrors', /errors\.tsx?$/], ['defineMessages', /messages\.tsx?$/]]);
  for (const file of files) {
    if (isTest(file.path) || file.path.includes('/test-fixtures/')) continue;
    for (const node of nodes(parse(file))) {
      if (!ts.isCallExpression(node)) continue;
      const name = calleeName(node);
      const rule = name === undefined ? undefined : rules.get(name);
      if (rule && !rule.test(file.path)) {
        violations.push(`${file.path}:${lineOf(node)} calls ${name}; declare it in a file named ${name === 'defineErrors' ? 'errors.ts' : 'messages.ts'} so the registry loaders find it`);
      }
    }
  }
  return violations;
}

/** Codes declared in source (`defineErrors(area, { TB_…: … })`), with the file that declares each. */
export function declaredCodes(files: readonly SourceFile[]): { code: string; file: string }[] {
  const found: { code: string; file: string }[] = [];
  for (const file of files) {
    if (isTest(file.path)) continue;
    for (const node of nodes(parse(file))) {
      if (!ts.isCallExpression(node) || calleeName(node) !== 'defineErrors') continue;
      const specs = node.arguments[1];
      if (!specs || !ts.isObjectLiteralExpression(specs)) continue;
      for (const property of specs.properties) {
        const name = property.name;
        if (name && (ts.isIdentifier(name) || ts.isStringLiteral(name))) found.push({ code: name.text, file: file.path });
      }
    }
  }
  return found;
}

/** A code declared twice, in one file or two: the registry would refuse it at start-up. */
export function checkUniqueCodes(declared: readonly { code: string; file: string }[]): string[] {
  const byCode = new Map<string, string[]>();
  for (const { code, file } of declared) byCode.set(code, [...(byCode.get(code) ?? []), file]);
  return [...byCode].filter(([, where]) => where.length > 1).map(([code, where]) => `${code} is declared more than once: ${where.join(', ')}`);
}

/** The codes docs/errors.md lists: the first cell of each table row. */
export function documentedCodes(doc: string): string[] {
  return [...doc.matchAll(/^\|\s*`?(TB_[A-Z0-9_]+)`?\s*\|/gm)].map((m) => m[1]!);
}

/**
 * The registry against its rules and its documentation: code format and area prefix, a message
 * key that exists, a plausible HTTP error status, and docs/errors.md listing exactly these codes.
 */
export function checkErrorRegistry(errors: readonly ErrorEntry[], doc: string, hasMessage: (key: string) => boolean): string[] {
  const violations: string[] = [];
  const documented = new Set(documentedCodes(doc));
  for (const e of errors) {
    if (!ERROR_CODE.test(e.code)) violations.push(`${e.code} (area ${e.area}) does not look like TB_<AREA>_<WHAT>`);
    else if (!e.code.startsWith(`TB_${areaStem(e.area)}_`)) violations.push(`${e.code} is declared by area ${e.area}; its codes start with TB_${areaStem(e.area)}_`);
    if (!Number.isInteger(e.status) || e.status < 400 || e.status > 599) violations.push(`${e.code} has status ${e.status}; errors answer 4xx or 5xx`);
    if (!hasMessage(e.message)) violations.push(`${e.code} uses message key '${e.message}', which no messages.ts defines`);
    if (!documented.has(e.code)) violations.push(`${e.code} is missing from docs/errors.md (run npm run docs:errors)`);
  }
  const known = new Set(errors.map((e) => e.code));
  for (const code of documented) {
    if (!known.has(code)) violations.push(`docs/errors.md lists ${code}, which no errors.ts declares (run npm run docs:errors)`);
  }
  return violations;
}
