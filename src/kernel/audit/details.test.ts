import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { pino } from 'pino';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { registerAuditCommands } from '../../cli/audit.js';
import { loadConfig } from '../config/index.js';
import { TongbanError } from '../http/errors.js';
import { secretsMigrations } from '../secrets/index.js';
import { canonicalJson } from './canonical.js';
import { fitDetails, MAX_DETAILS_BYTES, TRUNCATED_KEY } from './details.js';
import { auditMigrations, createAuditTrail, type AuditTrail } from './index.js';
import { emptyTrail, event, tickingClock } from './test-fixtures/trail.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

describe('audit details over the limit (ADR 36)', () => {
  it('leaves details that fit as they are, the very same object', () => {
    const details = { reason: 'x'.repeat(4000) };
    expect(fitDetails(details)).toEqual({ cut: 'none', details });
    expect(fitDetails(details).details).toBe(details);
  });

  it('cuts a long string to a prefix and notes its length and SHA-256, deterministically', () => {
    const long = '长'.repeat(3000); // 9,000 bytes of UTF-8
    const fitted = fitDetails({ reference: 'TB-2026-ABCDEF', reason: long, amount: 1000 });
    expect(fitted.cut).toBe('strings');
    expect(fitted.details).toEqual({
      reference: 'TB-2026-ABCDEF', amount: 1000, reason: '长'.repeat(1024),
      [TRUNCATED_KEY]: { '/reason': { length: 3000, sha256: sha256(long) } },
    });
    expect(bytes(fitted.details)).toBeLessThanOrEqual(MAX_DETAILS_BYTES);
    // The same input built in another order gives the same bytes.
    expect(canonicalJson(fitDetails({ amount: 1000, reason: long, reference: 'TB-2026-ABCDEF' }).details)).toBe(canonicalJson(fitted.details));
  });

  it('goes down to 256 then 64 characters, cuts nested strings by JSON Pointer, never splits a surrogate pair', () => {
    const emoji = '😀'.repeat(2000); // 2,000 characters, 4,000 UTF-16 units, 8,000 bytes
    const fitted = fitDetails({ a: 'a'.repeat(3000), b: 'b'.repeat(3000), c: 'c'.repeat(3000), nested: { 'x/y': [emoji, 'short'] } });
    expect(fitted.cut).toBe('strings');
    const d = fitted.details as { a: string; b: string; c: string; nested: { 'x/y': string[] }; _truncated: Record<string, { length: number }> };
    expect(d.a).toBe('a'.repeat(256));
    expect(d.nested['x/y']).toEqual(['😀'.repeat(256), 'short']);
    expect(Object.keys(d._truncated)).toEqual(['/a', '/b', '/c', '/nested/x~1y/0']);
    expect(d._truncated['/nested/x~1y/0']).toEqual({ length: 2000, sha256: sha256(emoji) });
    expect(bytes(d)).toBeLessThanOrEqual(MAX_DETAILS_BYTES);
    const many = fitDetails(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}`, 'z'.repeat(400)])));
    expect(many.cut).toBe('strings');
    expect((many.details as Record<string, string>).f0).toBe('z'.repeat(64));
  });

  it('keeps only the size and SHA-256 of the whole details when their bulk is not in long strings', () => {
    const details = { ids: Array.from({ length: 2000 }, (_, i) => i) };
    const fitted = fitDetails(details);
    expect(fitted).toEqual({
      cut: 'whole', bytes: Buffer.byteLength(canonicalJson(details)),
      details: { [TRUNCATED_KEY]: { '': { bytes: Buffer.byteLength(canonicalJson(details)), sha256: sha256(canonicalJson(details)) } } },
    });
  });
});

/** A trail whose warnings are kept, to see what it tells operators. */
async function trailWithLog(db: Parameters<typeof emptyTrail>[0]): Promise<{ trail: AuditTrail; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); done(); } });
  const trail = await createAuditTrail({ db, config: loadConfig({ NODE_ENV: 'test' }), log: pino({ level: 'warn' }, sink), now: tickingClock() });
  return { trail, lines };
}

/** `tongban audit verify` against this trail: what it prints and its exit code. */
async function verifyCommand(trail: AuditTrail): Promise<{ lines: string[]; errors: string[]; exitCode: number | string | undefined }> {
  const lines: string[] = [];
  const errors: string[] = [];
  const program = new Command('tongban').exitOverride();
  registerAuditCommands(program, () => Promise.resolve({ kernel: { audit: trail }, close: () => Promise.resolve() }), { out: (l) => lines.push(l), err: (l) => errors.push(l) });
  process.exitCode = undefined;
  await program.parseAsync(['audit', 'verify'], { from: 'user' });
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  return { lines, errors, exitCode };
}

describeEachDatabase('audit details over the limit, appended and verified', [secretsMigrations, auditMigrations], (use) => {
  it('stores typed text of any size through every kind of append, cut and noted, and `tongban audit verify` passes', async () => {
    const { db } = use().database;
    await emptyTrail(db);
    const { trail, lines } = await trailWithLog(db);
    const typed = `${'Ω'.repeat(5000)}\u{1F600}end`;
    const cut = { [TRUNCATED_KEY]: { '/typed': { length: 5004, sha256: sha256(typed) } } };
    const inTransaction = await db.transaction().execute((tx) => trail.append(tx, event({ details: { typed } })));
    const committed = await trail.appendCommitted(event({ details: { typed } }));
    const [many] = await db.transaction().execute((tx) => trail.appendMany(tx, [event({ details: { typed } })]));
    const whole = await trail.appendCommitted(event({ details: { ids: Array.from({ length: 3000 }, (_, i) => i) } }));
    for (const record of [inTransaction, committed, many!]) expect(record.details).toEqual({ typed: 'Ω'.repeat(1024), ...cut });
    expect(whole.details).toEqual({ [TRUNCATED_KEY]: { '': { bytes: expect.any(Number) as number, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as string } } });
    // Stored as returned, and the digest proves the original to whoever holds it.
    const { rows } = await sql<{ details: Record<string, unknown> }>`select details from tb_audit_record where id = ${committed.id}`.execute(db);
    expect(rows[0]?.details).toEqual(committed.details);
    // Cut text is what people type; only the whole-details digest is a module to fix, and it is logged once.
    expect(lines.filter((l) => l.msg === 'audit details too large even with long strings cut: kept as their size and SHA-256 only; record facts, not documents'))
      .toEqual([expect.objectContaining({ action: 'application.view', limit: MAX_DETAILS_BYTES })]);
    await trail.checkpoint();
    expect(await verifyCommand(trail)).toEqual({ lines: ['audit: 4 records and 1 checkpoint verified'], errors: [], exitCode: undefined });
  });

  it('still refuses, as a programmer\'s mistake, details that use the reserved key', async () => {
    const { db } = use().database;
    const { trail } = await trailWithLog(db);
    const error = await trail.append(db, event({ details: { [TRUNCATED_KEY]: {} } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TongbanError);
    expect((error as TongbanError).code).toBe('TB_AUDIT_INVALID_EVENT');
  });
});
