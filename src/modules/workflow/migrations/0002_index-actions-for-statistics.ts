/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types */
import type { Kysely } from 'kysely';

/**
 * Statistics count the action history by time, by actor and by service: these indexes keep the
 * counts a range scan rather than a walk over every action ever taken.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('workflow_actions_at').on('workflow_actions').columns(['at', 'actor_role']).execute();
  await db.schema.createIndex('workflow_actions_actor').on('workflow_actions').columns(['actor_id', 'at']).execute();
  await db.schema.createIndex('workflow_cases_service').on('workflow_cases').columns(['agency', 'service_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('workflow_cases_service').execute();
  await db.schema.dropIndex('workflow_actions_actor').execute();
  await db.schema.dropIndex('workflow_actions_at').execute();
}
