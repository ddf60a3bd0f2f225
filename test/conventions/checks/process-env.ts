import ts from 'typescript';
import { lineOf, nodes, parse } from './ast.js';
import type { SourceFile } from './tree.js';

/** Only the config loader reads the environment (STYLE 8); tests read TONGBAN_TEST_* through test/helpers. */
// bench/lib starts servers as child processes and hands them their environment, like an operator.
export const ENV_READERS = ['src/kernel/config/', 'test/helpers/', 'bench/lib/'];

function isProcess(node: ts.Node): boolean {
  return ts.isIdentifier(node) && node.text === 'process';
}

/** Reads of `process.env` (property, element access or destructuring) outside the allowed folders. */
export function checkProcessEnv(files: readonly SourceFile[]): string[] {
  const violations: string[] = [];
  for (const file of files) {
    if (ENV_READERS.some((prefix) => file.path.startsWith(prefix))) continue;
    for (const node of nodes(parse(file))) {
      const read =
        (ts.isPropertyAccessExpression(node) && isProcess(node.expression) && node.name.text === 'env') ||
        (ts.isElementAccessExpression(node) && isProcess(node.expression) && ts.isStringLiteralLike(node.argumentExpression) && node.argumentExpression.text === 'env') ||
        (ts.isVariableDeclaration(node) && node.initializer !== undefined && isProcess(node.initializer) && ts.isObjectBindingPattern(node.name) &&
          node.name.elements.some((e) => (e.propertyName ?? e.name).getText() === 'env'));
      if (read) violations.push(`${file.path}:${lineOf(node)} reads process.env; settings come from src/kernel/config (loadConfig) only`);
    }
  }
  return violations;
}
