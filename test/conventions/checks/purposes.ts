import ts from 'typescript';
import { calleeName, lineOf, nodes, parse } from './ast.js';
import { isTest, type SourceFile } from './tree.js';

/** Calls whose string argument is a purpose written to the audit trail. */
const TAKES_A_PURPOSE = new Set(['authorise', 'forStaff', 'viewForStaff', 'individual', 'individuals']);
const NAMED_PURPOSE = /purpose/i;

const isText = (node: ts.Node): node is ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateExpression =>
  ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node);

const nameOf = (name: ts.Node): string | undefined => (ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined);

/** Is this text the purpose an audit record is written with: a `purpose` property or variable, or a purpose-taking call's argument? */
function writtenAsPurpose(node: ts.Node): boolean {
  const parent = node.parent;
  if (ts.isPropertyAssignment(parent) && parent.initializer === node) return NAMED_PURPOSE.test(nameOf(parent.name) ?? '');
  if (ts.isVariableDeclaration(parent) && parent.initializer === node) return NAMED_PURPOSE.test(nameOf(parent.name) ?? '');
  // `const purpose = (request) => \`…\``: the function's answer is the purpose.
  if (ts.isArrowFunction(parent) && parent.body === node) return writtenAsPurpose(parent);
  if (ts.isCallExpression(parent) && parent.arguments.includes(node as ts.Expression)) return TAKES_A_PURPOSE.has(calleeName(parent) ?? '');
  return false;
}

/**
 * Purposes the platform states itself are declared messages written with `purposeText` (ADR 60),
 * so "who used my data" shows them in the reader's language: text written directly is a violation.
 */
export function checkPurposes(files: readonly SourceFile[]): string[] {
  const violations: string[] = [];
  for (const file of files) {
    // Message catalogues hold the declarations themselves (and form labels about purposes).
    if (isTest(file.path) || /test-(kit|fixtures)/.test(file.path) || file.path.endsWith('messages.ts') || !file.path.startsWith('src/')) continue;
    for (const node of nodes(parse(file))) {
      if (!isText(node) || !writtenAsPurpose(node)) continue;
      const text = ts.isTemplateExpression(node) ? node.head.text : node.text;
      if (text.trim() === '' && !ts.isTemplateExpression(node)) continue;
      violations.push(`${file.path}:${lineOf(node)} writes the purpose ${JSON.stringify(text)} as text: declare it as a message <area>.purpose.<name> in both languages and write purposeText(key)`);
    }
  }
  return violations;
}
