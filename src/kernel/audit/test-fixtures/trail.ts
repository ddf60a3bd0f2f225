import { sql } from 'kysely';
import { createLogger } from '../../log.js';
import { loadConfig, type Config } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import { createAuditTrail } from '../trail.js';
import type { AuditEvent, AuditTrail } from '../types.js';

/** A steadily ticking clock: each call is one second after the previous. */
export function tickingClock(start = '2026-03-01T08:00:00.000Z'): () => Date {
  let t = Date.parse(start);
  return () => new Date((t += 1000));
}

export function testTrail(db: Db, config: Config = loadConfig({ NODE_ENV: 'test' })): Promise<AuditTrail> {
  return createAuditTrail({ db, config, log: createLogger(config), now: tickingClock() });
}

export function event(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    actor: { kind: 'staff', id: 'officer-7', organisation: 'civil-affairs' },
    onBehalfOf: 'citizen-1',
    action: 'application.view',
    subject: 'citizen-1',
    resource: { type: 'application', id: 'app-1' },
    purpose: 'decide the application',
    requestId: 'req-00000001',
    details: { fields: ['name', 'birthDate'], outcome: 'ok' },
    ...overrides,
  };
}

const PROTECTED = ['tb_audit_record', 'tb_audit_checkpoint'] as const;

/** What an attacker with table-owner rights does first: switch the append-only triggers off. */
export async function withTriggersOff(db: Db, work: () => Promise<void>): Promise<void> {
  for (const t of PROTECTED) await sql`alter table ${sql.table(t)} disable trigger user`.execute(db);
  try {
    await work();
  } finally {
    for (const t of PROTECTED) await sql`alter table ${sql.table(t)} enable trigger user`.execute(db);
  }
}

/** Empties the audit tables so each tamper test starts from a known trail. */
export async function emptyTrail(db: Db): Promise<void> {
  await withTriggersOff(db, async () => {
    await sql`delete from tb_audit_record`.execute(db);
    await sql`delete from tb_audit_checkpoint`.execute(db);
    await sql`delete from tb_audit_chain_head`.execute(db);
  });
}
