/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types */
import { sql, type Kysely } from 'kysely';

/**
 * `name_search` now holds a service's keywords after its names (search matches them leniently and
 * ranks them first): fill it from each service's current definition, as a new publication would.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    update catalog_services s set name_search = lower(concat_ws(E'\n',
      v.definition->'name'->>'zh-CN', v.definition->'name'->>'en',
      (select string_agg(k, E'\n' order by n) from jsonb_array_elements_text(v.definition->'keywords'->'zh-CN') with ordinality as z(k, n)),
      (select string_agg(k, E'\n' order by n) from jsonb_array_elements_text(v.definition->'keywords'->'en') with ordinality as e(k, n))))
    from catalog_service_versions v
    where v.service_id = s.id and v.version = s.current_version`.execute(db);
}

/** Names only, as before. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql`update catalog_services set name_search = lower(name_zh || E'\n' || name_en)`.execute(db);
}
