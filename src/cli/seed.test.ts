import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTongban } from '../../test/helpers/cli.js';
import { progressLine } from './seed.js';

/** `tongban seed --persons N` through the real command line, on a throw-away PGlite folder. */
describe('tongban seed --persons', () => {
  let dir = '';
  const tongban = (...args: string[]) => runTongban({ TONGBAN_DATA_DIR: join(dir, 'db'), LOG_LEVEL: 'silent' }, ...args);
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'tongban-seed-')); });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('adds synthetic persons in batches with a progress bar on stderr, and nobody twice', async () => {
    const first = await tongban('seed', '--persons', '2500', '--batch', '1000');
    expect(first.stdout).toMatch(/^seeded: .*registries/m);
    // The demo seed put persons 0…199 in the register already.
    expect(first.stdout).toMatch(/^persons: 2300 added, 200 there already, in [\d.]+ s/m);
    expect(first.stderr).toMatch(/\[#{30}\] 100% {2}2500\/2500/);
    const again = await tongban('seed', '--persons', '2500');
    expect(again.stdout).toMatch(/^persons: 0 added, 2500 there already/m);
  }, 600_000);

  it('refuses a count that is not a whole number', async () => {
    await expect(tongban('seed', '--persons', 'many')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('--persons') as string });
  }, 300_000);

  it('draws the bar with the share done, the rate and the time left', () => {
    expect(progressLine(250, 1000, 1000)).toBe(`[${'#'.repeat(8)}${'.'.repeat(22)}]  25%  250/1000  250/s  ETA 3s`);
    expect(progressLine(0, 0, 0)).toMatch(/100%/);
  });
});
