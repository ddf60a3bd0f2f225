import ts from 'typescript';
import { lineOf, nodes, parse } from './ast.js';
import { isTest, type SourceFile } from './tree.js';

/** The one maker of record ids: a pooled UUIDv7 (ADR 38). */
export const ID_MAKER = 'src/kernel/ids.ts';

/** Code that only tests run: fixtures and test kits. */
const testOnly = (path: string) => isTest(path) || path.includes('/test-fixtures/') || /(^|\/)test-kit\.tsx?$/.test(path);

/**
 * Imports of `uuid`'s `v7` in the platform's code outside the id maker: ids come from `newId`, so
 * there is one way to make them (and one place to change it). Tests may use `uuid` as they like.
 */
export function checkIdMakers(files: readonly SourceFile[]): string[] {
  const violations: string[] = [];
  for (const file of files) {
    if (file.path === ID_MAKER || testOnly(file.path) || !file.path.startsWith('src/')) continue;
    for (const node of nodes(parse(file))) {
      if (!ts.isImportDeclaration(node) || !ts.isStringLiteral(node.moduleSpecifier) || node.moduleSpecifier.text !== 'uuid') continue;
      const named = node.importClause?.namedBindings;
      if (named && ts.isNamedImports(named) && named.elements.some((e) => (e.propertyName ?? e.name).text === 'v7')) {
        violations.push(`${file.path}:${lineOf(node)} imports uuid's v7; make ids with newId from src/kernel/ids.ts`);
      }
    }
  }
  return violations;
}
