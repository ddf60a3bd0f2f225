import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { loadConfig } from '../../kernel/config/index.js';
import { migrationSources } from '../index.js';
import { UPLOAD_LIFETIME_MS } from './service.js';
import { jpeg, pdf, png, PUBLIC_URL } from './test-kit.js';

const file = (content: Buffer, claimedType = 'application/pdf', truncated = false) => ({ filename: 'lease.pdf', claimedType, content, truncated });

describeEachDatabase('applications: uploads kept before an application exists', migrationSources, (use) => {
  let built: Built;
  let t = Date.parse('2026-03-02T09:00:00+08:00');
  beforeAll(async () => {
    const test = use();
    const config = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...config, database: test.config.database }, database: test.database, now: () => new Date(t) });
    await built.app.ready();
  });
  afterAll(async () => { await built.app.close(); });
  const applications = () => built.services.applications;

  it('keeps a checked file for its owner only, labelled as the uploader said', async () => {
    const kept = await applications().keepUpload('client:front-desk', file(pdf()), 'premises_proof');
    if (!kept.ok) throw new Error(kept.messageKey);
    expect(kept.upload).toMatchObject({ label: 'premises_proof', name: 'lease.pdf', type: 'application/pdf', size: pdf().length });
    expect(kept.upload.expiresAt.getTime() - t).toBe(UPLOAD_LIFETIME_MS);
    expect(Buffer.from((await applications().keptUpload(kept.upload.id, 'client:front-desk'))!.content)).toEqual(pdf());
    expect(await applications().keptUpload(kept.upload.id, 'client:someone-else')).toBeUndefined();
    expect(await applications().keptUpload('not-an-id', 'client:front-desk')).toBeUndefined();
    await applications().discardUploads([kept.upload.id], 'client:someone-else');
    expect(await applications().keptUpload(kept.upload.id, 'client:front-desk')).toBeDefined();
    await applications().discardUploads([kept.upload.id], 'client:front-desk');
    expect(await applications().keptUpload(kept.upload.id, 'client:front-desk')).toBeUndefined();
  });

  it('refuses what the web upload refuses: unknown bytes, a false claim, empty, too large', async () => {
    const keep = (f: ReturnType<typeof file>) => applications().keepUpload('p', f, null);
    expect(await keep(file(Buffer.from('MZ\x90\x00 an executable'), 'application/octet-stream'))).toMatchObject({ ok: false, messageKey: 'applications.upload.wrongType' });
    expect(await keep(file(pdf(), 'image/png'))).toMatchObject({ ok: false, messageKey: 'applications.upload.mismatch' });
    expect(await keep(file(Buffer.alloc(0)))).toMatchObject({ ok: false, messageKey: 'applications.upload.empty' });
    expect(await keep(file(png(10 * 1024 * 1024 + 1), 'image/png'))).toMatchObject({ ok: false, messageKey: 'applications.upload.tooLarge', params: { size: '10 MB' } });
    expect(await keep(file(jpeg(64), 'image/jpeg', true))).toMatchObject({ ok: false, messageKey: 'applications.upload.tooLarge' });
    const { rows } = await sql<{ n: number }>`select count(*)::integer as n from application_uploads where owner = 'p'`.execute(built.kernel.db);
    expect(rows[0]?.n).toBe(0);
  });

  it('expires after a day: unusable at once, deleted by its job', async () => {
    const kept = await applications().keepUpload('person-1', file(pdf()), null);
    if (!kept.ok) throw new Error(kept.messageKey);
    t += UPLOAD_LIFETIME_MS - 1000;
    expect(await applications().keptUpload(kept.upload.id, 'person-1')).toBeDefined();
    t += 1000;
    expect(await applications().keptUpload(kept.upload.id, 'person-1')).toBeUndefined();
    await built.kernel.jobs.drain();
    const { rows } = await sql<{ n: number }>`select count(*)::integer as n from application_uploads where id = ${kept.upload.id}`.execute(built.kernel.db);
    expect(rows[0]?.n).toBe(0);
  });
});
