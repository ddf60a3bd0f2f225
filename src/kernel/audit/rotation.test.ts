import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { loadConfig } from '../config/index.js';
import { newId } from '../ids.js';
import { createLogger } from '../log.js';
import { secretsMigrations } from '../secrets/index.js';
import { checkpointMessage } from './hashing.js';
import { auditMigrations, generateSigningKey, signerFromPkcs8 } from './index.js';
import { emptyTrail, event, tickingClock } from './test-fixtures/trail.js';
import { createAuditTrail } from './trail.js';

describeEachDatabase('audit signing key rotation (ADR 39)', [secretsMigrations, auditMigrations], (use) => {
  it('verifies checkpoints signed by retired keys up to their successor; refuses an unknown key, keys out of order, and a retired key signing after its successor', async () => {
    const { db } = use().database;
    await emptyTrail(db);
    // One clock for every "instance", so the checkpoints are in the order they were signed.
    const now = tickingClock();
    const [a, b, c] = [generateSigningKey(), generateSigningKey(), generateSigningKey()];
    const pub = (key: string) => signerFromPkcs8(key).publicKey;
    const signingWith = (key: string, retired: readonly string[] = []) => {
      const config = loadConfig({ NODE_ENV: 'test', TONGBAN_AUDIT_SIGNING_KEY: key, ...(retired.length > 0 ? { TONGBAN_AUDIT_RETIRED_PUBLIC_KEYS: retired.join(' , ') } : {}) });
      return createAuditTrail({ db, config, log: createLogger(config), now });
    };

    const first = await signingWith(a);
    await first.append(db, event({ requestId: 'req-rotation-1' }));
    await first.checkpoint();
    // Rotated: b signs, a is retired.
    const second = await signingWith(b, [pub(a)]);
    await second.append(db, event({ requestId: 'req-rotation-2' }));
    await second.checkpoint();
    expect(await second.verify()).toEqual({ ok: true, records: 2, checkpoints: 2 });
    // Not told of a, the first checkpoint's key is unknown.
    expect(await (await signingWith(b)).verify()).toMatchObject({ ok: false, firstBad: { reason: 'checkpoint is signed by a key other than the audit signing key' } });

    // Rotated again: c signs, a then b retired.
    const third = await signingWith(c, [pub(a), pub(b)]);
    await third.append(db, event({ requestId: 'req-rotation-3' }));
    await third.checkpoint();
    expect(await third.verify()).toEqual({ ok: true, records: 3, checkpoints: 3 });
    // The retired keys listed newest first: b's checkpoint came after a's, which the list says is newer.
    expect(await (await signingWith(c, [pub(b), pub(a)])).verify()).toMatchObject({ ok: false, firstBad: { reason: 'checkpoint is signed by a retired key after a newer key had signed one' } });
    expect(await (await signingWith(c, [pub(b)])).verify()).toMatchObject({ ok: false, firstBad: { reason: 'checkpoint is signed by a key other than the audit signing key and the retired ones' } });
    // A verifier given the keys outright, as `tongban audit verify --public-key` does.
    expect(await first.verify({ publicKey: pub(c), retiredKeys: [pub(a), pub(b)] })).toEqual({ ok: true, records: 3, checkpoints: 3 });

    // An instance still on a retired key (a rolling restart) does not sign after the newer key has.
    await expect((await signingWith(a)).checkpoint()).rejects.toMatchObject({ code: 'TB_AUDIT_SIGNING_KEY_RETIRED' });
    await expect((await signingWith(b, [pub(a)])).checkpoint()).rejects.toMatchObject({ code: 'TB_AUDIT_SIGNING_KEY_RETIRED' });
    expect(await third.verify()).toEqual({ ok: true, records: 3, checkpoints: 3 });

    // a leaks after the rotation: a checkpoint signed with it now, written straight into the table,
    // is refused, though a is trusted for its own time.
    const id = newId();
    const at = now();
    const heads = (await sql<{ chain: number; seq: number; hash: string }>`select chain, seq, hash from tb_audit_chain_head order by chain`.execute(db)).rows;
    const signature = signerFromPkcs8(a).sign(checkpointMessage('audit', { id, at, heads, publicKey: pub(a) }));
    await sql`insert into tb_audit_checkpoint (id, at, heads, public_key, signature) values (${id}, ${at}, ${JSON.stringify(heads)}, ${pub(a)}, ${signature})`.execute(db);
    expect(await third.verify()).toMatchObject({ ok: false, firstBad: { id, reason: 'checkpoint is signed by a retired key after a newer key had signed one' } });
  });
});
