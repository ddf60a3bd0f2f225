import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTongban } from '../../test/helpers/cli.js';

/** The real command line, as an operator runs it, on a throw-away PGlite folder. */
describe('tongban migrate', () => {
  let dir = '';
  const tongban = (...args: string[]) => runTongban({ TONGBAN_DATA_DIR: join(dir, 'db'), LOG_LEVEL: 'silent' }, ...args);
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'tongban-cli-')); });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('applies, lists, and undoes migrations per history', async () => {
    const up = await tongban('migrate', 'up');
    expect(up.stdout).toMatch(/^applied kernel_audit\/0001_create-audit-trail$/m);
    expect((await tongban('migrate', 'up')).stdout.trim()).toBe('already up to date');

    const status = (await tongban('migrate', 'status')).stdout;
    expect(status).toMatch(/^\d{4}-\d\d-\d\dT\S+ {2}kernel_jobs\/0001_create-jobs$/m);
    expect(status).not.toMatch(/^pending/m);

    const down = await tongban('migrate', 'down', '--module', 'kernel_jobs');
    expect(down.stdout.trim()).toBe('undid kernel_jobs/0002_index-failed-jobs');
    expect((await tongban('migrate', 'status')).stdout).toMatch(/^pending\s+kernel_jobs\/0002_index-failed-jobs$/m);

    await expect(tongban('migrate', 'down', '--module', 'nonsense')).rejects.toMatchObject({ code: 1 });
  }, 120_000);

  it('undoes the mediator\'s migrations one by one, then applies them again', async () => {
    await tongban('migrate', 'up');
    const undone: string[] = [];
    for (let i = 0; i < 4; i++) undone.push((await tongban('migrate', 'down', '--module', 'mediator')).stdout.trim());
    expect(undone).toEqual(['undid mediator/0006_delivery-failed-at', 'undid mediator/0005_create-pubsub', 'undid mediator/0004_message-log-by-message-id', 'undid mediator/0003_create-client-certificates']);
    expect((await tongban('migrate', 'status')).stdout).toMatch(/^pending\s+mediator\/0003_create-client-certificates$/m);
    expect((await tongban('migrate', 'up')).stdout).toMatch(/^applied mediator\/0003_create-client-certificates$/m);
  }, 180_000);

  it('refuses a bad setting, naming the variable', async () => {
    const failed = runTongban({ PORT: 'x' }, 'migrate', 'status');
    await expect(failed).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('PORT: must be a whole number') as string });
  }, 60_000);
});
