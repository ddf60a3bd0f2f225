import { canonicalJson } from '../../kernel/audit/index.js';
import type { Actor } from '../../kernel/audit/types.js';
import type { ServiceDefinition } from './definition.js';
import { sha256 } from '../../kernel/digest.js';

/** Same definition, same hash, whatever order its keys were written or read back in. */
export const contentHash = (value: unknown) => sha256(canonicalJson(value), 'hex');

export const actorLabel = (actor: Actor) => `${actor.kind}:${actor.id}`;

/** The columns of a service row, derived from its current definition. */
export interface ServiceColumns {
  id: string;
  slug: string;
  agencyCode: string;
  version: number;
  category: string;
  lifeEvents: readonly string[];
  nameZh: string;
  nameEn: string;
  summaryZh: string;
  summaryEn: string;
  nameSearch: string;
  textSearch: string;
}

/** Everything search looks at is lower-cased once here, so that queries need no lower() in SQL. */
export function serviceColumns(d: ServiceDefinition, version: number): ServiceColumns {
  const g = d.guidance;
  const texts = [d.summary, g.whoCanApply, g.whatYouNeed, g.fees, g.howLongItTakes, ...(g.afterYouApply ? [g.afterYouApply] : [])];
  return {
    id: d.id, slug: d.slug, agencyCode: d.agency, version, category: d.category, lifeEvents: d.lifeEvents,
    nameZh: d.name['zh-CN'], nameEn: d.name.en, summaryZh: d.summary['zh-CN'], summaryEn: d.summary.en,
    nameSearch: `${d.name['zh-CN']}\n${d.name.en}`.toLowerCase(),
    textSearch: [
      d.name['zh-CN'], d.name.en, ...d.keywords['zh-CN'], ...d.keywords.en,
      ...texts.flatMap((t) => [t['zh-CN'], t.en]),
    ].join('\n').toLowerCase(),
  };
}

/** Search terms: the query lower-cased and split on white space (Chinese needs no splitting). */
export function searchTerms(text: string | undefined): { whole: string; terms: string[] } {
  const whole = (text ?? '').trim().toLowerCase().replace(/\s+/g, ' ').slice(0, 100);
  return { whole, terms: whole ? [...new Set(whole.split(' '))].slice(0, 8) : [] };
}
