/**
 * The closed browse vocabulary. A closed list keeps the browse page consistent across agencies
 * (one "Business" category, not three spellings of it) and every term has reviewed zh-CN and en
 * names in messages.ts. docs/service-definition.schema.json repeats these lists as enums; a test
 * keeps the two in step.
 */
export const CATEGORIES = [
  'business',
  'identity-and-residence',
  'family',
  'housing-and-construction',
  'social-support',
  'transport',
  'health',
  'education',
  'employment',
  'tax',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const LIFE_EVENTS = [
  'starting-a-business',
  'moving-home',
  'having-a-baby',
  'building-a-home',
  'facing-hardship',
  'owning-a-vehicle',
  'getting-married',
  'looking-for-work',
  'retiring',
  'bereavement',
] as const;
export type LifeEvent = (typeof LIFE_EVENTS)[number];

export function isCategory(value: unknown): value is Category {
  return (CATEGORIES as readonly unknown[]).includes(value);
}

export function isLifeEvent(value: unknown): value is LifeEvent {
  return (LIFE_EVENTS as readonly unknown[]).includes(value);
}

export const categoryMessage = (id: Category) => `catalog.category.${id}` as const;
export const lifeEventMessage = (id: LifeEvent) => `catalog.lifeEvent.${id}` as const;
