import type { Kernel } from '../../kernel/context.js';
import { DEMO_BUSINESS, DEMO_CITIZEN, DEMO_REGISTRIES, DEMO_VEHICLE } from './definitions.js';
import { syntheticPerson } from './persons.js';
import type { RegistriesService } from './service.js';

/** How many synthetic neighbours the demo population register gets beside 张伟. */
export const DEMO_PERSONS = 200;

/**
 * The demo registries and records (idempotent): the population register with 张伟 and a few
 * hundred synthetic persons, the business register with 李娜's company, and the vehicle register.
 */
export async function seedRegistriesDemo(_kernel: Pick<Kernel, 'db'>, registries: RegistriesService): Promise<void> {
  // An upsert: the same definition again changes nothing.
  for (const definition of DEMO_REGISTRIES) await registries.define(definition);
  const writer = { actor: { kind: 'system', id: 'demo-seed' } as const, reason: 'Demo data' };
  await registries.importRecords('population', [{ ...DEMO_CITIZEN }, ...Array.from({ length: DEMO_PERSONS }, (_, i) => ({ ...syntheticPerson(i) }))], writer);
  await registries.importRecords('business', [{ ...DEMO_BUSINESS }], writer);
  await registries.importRecords('vehicles', [{ ...DEMO_VEHICLE }], writer);
}
