import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { Outcome } from './matrix.js';

/** Values for path parameters that are codes rather than ids; anything else gets a fresh UUID. */
const PARAMS: Record<string, string> = {
  slug: 'birth-registration', idOrSlug: 'birth-registration', locale: 'en', agency: '110000-PSB', code: '110000-PSB',
  instance: 'CN', memberClass: 'GOV', member: '110000-PSB', subsystem: 'population-system', service: 'persons',
  registry: 'population', version: '1', provider: 'test', number: 'R-0', file: 'photo',
};

export function concrete(url: string): string {
  return url.replace(/:(\w+)/g, (_m, name: string) => PARAMS[name] ?? randomUUID()).replace(/\*/g, 'x');
}

/**
 * Denied = 401/403, or a page's redirect to sign in; everything else passed the guard. A 400 is
 * reported as `invalid` when the matrix expects the request shape to be refused first.
 */
export function outcomeOf(res: LightMyRequestResponse, expected?: Outcome): Outcome {
  if (expected === 'invalid' && res.statusCode === 400) return 'invalid';
  if (isDenial(res)) return expected === 'refused' ? 'refused' : 'deny';
  if (expected === 'refused' && res.statusCode === 400) return 'refused';
  return 'allow';
}

export function isDenial(res: LightMyRequestResponse): boolean {
  if (res.statusCode === 401 || res.statusCode === 403) return true;
  const location = res.headers.location;
  return res.statusCode >= 300 && res.statusCode < 400 && typeof location === 'string' && location.includes('/auth/signin');
}
