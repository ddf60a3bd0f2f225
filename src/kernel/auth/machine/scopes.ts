import { TongbanError, type FieldProblem } from '../../http/index.js';
import './errors.js';

/** What a scope lets a system do, in both languages: shown beside it where clients are edited. */
export interface ScopeText { readonly en: string; readonly 'zh-CN': string }

const declared = new Map<string, ScopeText>();

/**
 * Declares the scopes a module's routes check (next to the constants they check). The API client
 * form offers exactly these, and a client is given no scope that nothing checks: a typo would
 * grant nothing and say nothing.
 */
export function declareScopes(scopes: Readonly<Record<string, ScopeText>>): void {
  for (const [scope, text] of Object.entries(scopes)) declared.set(scope, text);
}

/** Every declared scope with its text, in name order. */
export function declaredScopes(): { readonly scope: string; readonly text: ScopeText }[] {
  return [...declared].map(([scope, text]) => ({ scope, text })).sort((a, b) => a.scope.localeCompare(b.scope));
}

/**
 * Refuses scopes no module declared (`TB_AUTH_CLIENT_INVALID`, one field per scope), except those
 * in `kept`: a client's scope that is no longer checked stays until someone takes it away.
 */
export function refuseUndeclaredScopes(scopes: readonly string[], kept: readonly string[] = []): void {
  const fields = undeclaredScopeProblems(scopes, kept);
  if (fields.length > 0) throw new TongbanError('TB_AUTH_CLIENT_INVALID', { detail: fields.map((f) => f.detail).join('; '), fields });
}

/** The problems `refuseUndeclaredScopes` would refuse with, one per scope, for a form to show beside others. */
export function undeclaredScopeProblems(scopes: readonly string[], kept: readonly string[] = []): FieldProblem[] {
  return scopes.flatMap((scope, i) => (declared.has(scope) || kept.includes(scope) ? [] : [{
    pointer: `/scopes/${i}`, message: 'auth.machine.error.scopeUnknown', params: { scope: scope.slice(0, 100) },
    detail: `No route checks the scope "${scope.slice(0, 100)}": choose one of ${[...declared.keys()].sort().join(', ')}`,
  }]));
}
