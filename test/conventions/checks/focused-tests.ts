import ts from 'typescript';
import { lineOf, nodes, parse } from './ast.js';
import type { SourceFile } from './tree.js';

const TEST_FUNCTIONS = new Set(['it', 'test', 'describe', 'suite', 'bench']);
const BANNED_MODIFIERS = new Set(['skip', 'only', 'todo', 'skipIf', 'runIf']);
const BANNED_ALIASES = new Set(['xit', 'xtest', 'xdescribe', 'fit', 'fdescribe']);

/**
 * The identifier a call chain starts from and the property names of its own segment, before any
 * inner call: `describe.each([1]).skip` → describe, [skip]; `it.skipIf(x)('t')` → it, [] (the
 * inner `it.skipIf(x)` call is reported on its own).
 */
function chain(expression: ts.Expression): { root: string | undefined; names: string[] } {
  const names: string[] = [];
  let ownSegment = true;
  let current: ts.Expression = expression;
  for (;;) {
    if (ts.isPropertyAccessExpression(current)) {
      if (ownSegment) names.unshift(current.name.text);
      current = current.expression;
    } else if (ts.isCallExpression(current)) {
      ownSegment = false;
      current = current.expression;
    } else {
      break;
    }
  }
  return { root: ts.isIdentifier(current) ? current.text : undefined, names };
}

/** Skipped, focused or to-do tests: each hides a test that is not running (house rule: none). */
export function checkFocusedOrSkipped(files: readonly SourceFile[]): string[] {
  const violations: string[] = [];
  for (const file of files) {
    for (const node of nodes(parse(file))) {
      if (!ts.isCallExpression(node)) continue;
      const { root, names } = chain(node.expression);
      if (root === undefined) continue;
      const banned = BANNED_ALIASES.has(root) && node.expression.kind === ts.SyntaxKind.Identifier
        ? root
        : TEST_FUNCTIONS.has(root) ? names.find((n) => BANNED_MODIFIERS.has(n)) : undefined;
      if (banned) violations.push(`${file.path}:${lineOf(node)} uses ${banned === root ? root : `${root}.${banned}`}; every test runs (no skip, only, todo or conditional runs)`);
    }
  }
  return violations;
}
