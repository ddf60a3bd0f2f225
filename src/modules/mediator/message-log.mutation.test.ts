import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { reportFigure, scaled } from '../../../test/helpers/scale.js';
import { auditMigrations } from '../../kernel/audit/index.js';
import { runMutations } from '../../kernel/audit/test-fixtures/mutations.js';
import { testTrail } from '../../kernel/audit/test-fixtures/trail.js';
import { secretsMigrations } from '../../kernel/secrets/index.js';
import { mediatorModule } from './index.js';
import { createMessageLog, MESSAGE_LOG, sha256 } from './message-log.js';

const TRIALS = scaled(120, 1200);

describeEachDatabase('mediator message log mutation suite', [secretsMigrations, auditMigrations, { name: 'mediator', folder: mediatorModule.migrations ?? '' }], (use) => {
  it(`catches every one of ${TRIALS} changes, deletions, reorderings and insertions at random places`, async () => {
    const { db } = use().database;
    const trail = await testTrail(db);
    const log = createMessageLog(db, trail);
    // Written as the mediator writes them: concurrently, so group commit batches some.
    await Promise.all(Array.from({ length: 150 }, (_, i) => log.write({
      at: new Date(Date.UTC(2026, 11, 3, 9, 0, 0, i)), messageId: `msg-${i}`, requestId: `req-${i}`, client: 'CN/GOV/110000-CAB/cases',
      service: 'CN/GOV/110000-PSB/population/persons', method: 'GET', path: `/persons/${i}`, userId: i % 3 ? `user-${i}` : undefined,
      issue: i % 4 ? 'Handling an application' : undefined, status: i % 9 ? 200 : 404, outcome: 'ok', requestDigest: sha256(undefined),
      responseDigest: sha256(Buffer.from(`body ${i}`)), requestBytes: 0, responseBytes: 6 + String(i).length, durationMs: 3, providerMs: i % 2 ? 1 : undefined,
    })));
    await log.chain.checkpoint();
    expect((await log.chain.verify()).ok).toBe(true);
    const report = await runMutations(db, MESSAGE_LOG, () => log.chain.verify(), { trials: TRIALS, seed: 4 });
    reportFigure(`message log mutation suite [${use().kind}]: ${report.caught} of ${report.trials} mutations caught ${JSON.stringify(report.byKind)}`);
    expect(report.missed).toEqual([]);
    expect(report.caught).toBe(TRIALS);
    expect((await log.chain.verify()).ok).toBe(true);
  }, 600_000);
});
