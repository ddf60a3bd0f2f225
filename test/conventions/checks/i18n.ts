import ts from 'typescript';
import { calleeName, lineOf, nodes, parse } from './ast.js';
import { isTest, type SourceFile } from './tree.js';

export const LOCALES = ['en', 'zh-CN'] as const;

export interface CatalogEntry {
  readonly key: string;
  readonly area: string;
  readonly texts: Readonly<Record<(typeof LOCALES)[number], string>>;
}

/** What a message key looks like: `area.words.separated.by.dots`. */
export const MESSAGE_KEY = /^[a-z][a-zA-Z0-9_-]*(?:\.[a-zA-Z0-9_-]+)+$/;

/** Top-level parameter names of a message (`{name}`, `{count, plural, …}`), not words inside plural forms. */
export function parameters(text: string): string[] {
  const names: string[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '{') {
      if (depth === 0) {
        const name = /^\{\s*(\w+)\s*[,}]/.exec(text.slice(i))?.[1];
        if (name) names.push(name);
      }
      depth++;
    } else if (text[i] === '}') {
      depth = Math.max(0, depth - 1);
    }
  }
  return [...new Set(names)].sort();
}

/** Every key has a non-empty text in both languages, the same parameters in both, and its area's prefix. */
export function checkCatalog(entries: readonly CatalogEntry[]): string[] {
  const violations: string[] = [];
  for (const { key, area, texts } of entries) {
    if (!MESSAGE_KEY.test(key)) violations.push(`message key '${key}' (area ${area}) does not look like area.words`);
    const stem = area.split(/[-.]/)[0] ?? area;
    if (!key.startsWith(`${stem}.`)) violations.push(`message key '${key}' is defined by area ${area}; its keys start with '${stem}.'`);
    for (const locale of LOCALES) {
      if ((texts[locale] ?? '').trim() === '') violations.push(`message key '${key}' has no ${locale} text`);
    }
    // Case-insensitive: an English sentence may start with `{Name}` where Chinese has `{name}`.
    const en = parameters(texts.en ?? '').map((p) => p.toLowerCase()).sort().join(', ');
    const zh = parameters(texts['zh-CN'] ?? '').map((p) => p.toLowerCase()).sort().join(', ');
    if (en !== zh) violations.push(`message key '${key}' takes {${en}} in en but {${zh}} in zh-CN`);
  }
  return violations;
}

/** How source text refers to keys: literals anywhere, and the literals that must be keys. */
export interface KeyUses {
  /** Every string literal outside property-name position (a key named in a catalog is not a use). */
  readonly literals: Set<string>;
  /** Heads of template literals ending in a dot (`ui.language.${locale}`): every key under them is used. */
  readonly prefixes: Set<string>;
  /**
   * Key-shaped literals passed to t() or translate(); each must be a defined key. Error specs'
   * `message` keys are checked by the error registry test; other `message:` fields (form
   * definitions) name texts of their own, so they are not required here.
   */
  readonly required: { key: string; where: string }[];
}

function isPropertyName(node: ts.Node): boolean {
  const parent = node.parent;
  return (ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent) || ts.isMethodDeclaration(parent)) && parent.name === node;
}

/** Collects key uses from product source (tests excluded: a key only a test uses is unused). */
export function collectKeyUses(files: readonly SourceFile[]): KeyUses {
  const uses: KeyUses = { literals: new Set(), prefixes: new Set(), required: [] };
  for (const file of files) {
    if (isTest(file.path)) continue;
    for (const node of nodes(parse(file))) {
      if (ts.isStringLiteralLike(node) && !isPropertyName(node)) uses.literals.add(node.text);
      if (ts.isTemplateExpression(node) && /^[a-z][\w.-]*\.$/.test(node.head.text)) uses.prefixes.add(node.head.text);
      if (ts.isCallExpression(node)) {
        const name = calleeName(node);
        const arg = name === 't' ? node.arguments[0] : name === 'translate' ? node.arguments[1] : undefined;
        if (arg && ts.isStringLiteralLike(arg) && MESSAGE_KEY.test(arg.text)) uses.required.push({ key: arg.text, where: `${file.path}:${lineOf(arg)}` });
      }
    }
  }
  return uses;
}

/** Keys used but not defined, and keys defined but never used (both fail: STYLE 13). */
export function checkKeyUsage(defined: readonly string[], uses: KeyUses): string[] {
  const known = new Set(defined);
  const violations = uses.required
    .filter(({ key }) => !known.has(key))
    .map(({ key, where }) => `${where} uses message key '${key}', which no messages.ts defines`);
  for (const key of defined) {
    const used = uses.literals.has(key) || [...uses.prefixes].some((prefix) => key.startsWith(prefix));
    if (!used) violations.push(`message key '${key}' is defined but never used in src/ (remove it, or use it as a literal)`);
  }
  return violations;
}
