import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { reportFigure, scaled } from '../../../test/helpers/scale.js';
import { secretsMigrations } from '../secrets/index.js';
import { auditMigrations, AUDIT_LOG } from './index.js';
import { runMutations } from './test-fixtures/mutations.js';
import { emptyTrail, event, testTrail } from './test-fixtures/trail.js';

const TRIALS = scaled(120, 1200);

describeEachDatabase('audit trail mutation suite', [secretsMigrations, auditMigrations], (use) => {
  it(`catches every one of ${TRIALS} changes, deletions, reorderings and insertions at random places`, async () => {
    const { db } = use().database;
    await emptyTrail(db);
    const trail = await testTrail(db);
    for (let i = 0; i < 160; i++) {
      await trail.append(db, event({ requestId: `req-mutation-${i % 23}-xxxxxx`, subject: `person-${i % 7}`, details: { n: i }, ...(i % 5 === 0 ? { purpose: undefined } : {}) }));
    }
    await trail.checkpoint();
    expect((await trail.verify()).ok).toBe(true);
    const report = await runMutations(db, AUDIT_LOG, () => trail.verify(), { trials: TRIALS, seed: 20261203 });
    reportFigure(`audit trail mutation suite [${use().kind}]: ${report.caught} of ${report.trials} mutations caught ${JSON.stringify(report.byKind)}`);
    expect(report.missed).toEqual([]);
    expect(report.caught).toBe(TRIALS);
    // Restored afterwards: the trail verifies again.
    expect((await trail.verify()).ok).toBe(true);
    // The suite itself can fail: a verifier that sees nothing misses every mutation.
    const blind = await runMutations(db, AUDIT_LOG, () => Promise.resolve({ ok: true, records: 0, checkpoints: 0 }), { trials: 6, seed: 1 });
    expect(blind.missed).toHaveLength(6);
  }, 600_000);
});
