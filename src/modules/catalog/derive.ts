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
    // What the service is called, its keywords included: matched leniently and ranked first (search.ts).
    nameSearch: [d.name['zh-CN'], d.name.en, ...d.keywords['zh-CN'], ...d.keywords.en].join('\n').toLowerCase(),
    textSearch: [
      d.name['zh-CN'], d.name.en, ...d.keywords['zh-CN'], ...d.keywords.en,
      ...texts.flatMap((t) => [t['zh-CN'], t.en]),
    ].join('\n').toLowerCase(),
  };
}
