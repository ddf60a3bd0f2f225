import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/helpers/databases.js';
import { createCatalogService, DEMO_CATALOG_DIR, type CatalogService } from '../modules/catalog/index.js';
import { catalogSources, testKernel } from '../modules/catalog/test-kit.js';
import { registerImportCommand } from './import.js';

/** Runs `tongban import <dir>`, capturing what it prints and its exit code. */
async function run(catalog: CatalogService, dir: string) {
  const lines: string[] = [];
  const errors: string[] = [];
  const program = new Command('tongban').exitOverride();
  registerImportCommand(program, () => Promise.resolve({ services: { catalog }, close: () => Promise.resolve() }), {
    out: (l) => lines.push(l),
    err: (l) => errors.push(l),
  });
  process.exitCode = undefined;
  await program.parseAsync(['import', dir], { from: 'user' });
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  return { lines, errors, exitCode };
}

afterEach(() => { process.exitCode = undefined; });

describeEachDatabase('tongban import', catalogSources, (use) => {
  let catalog: CatalogService;
  const scratch = mkdtempSync(join(tmpdir(), 'tongban-import-'));
  beforeAll(async () => { catalog = createCatalogService(await testKernel(use())); });
  afterAll(() => { rmSync(scratch, { recursive: true, force: true }); });

  it('refuses a folder with an invalid file, names the file and pointer, and imports nothing', async () => {
    const dir = join(scratch, 'bad');
    cpSync(DEMO_CATALOG_DIR, dir, { recursive: true });
    const file = join(dir, 'birth-registration.json');
    const definition = JSON.parse(readFileSync(file, 'utf8')) as { workflow: { initial: string } };
    definition.workflow.initial = 'draft';
    writeFileSync(file, JSON.stringify(definition));
    writeFileSync(join(dir, 'broken.json'), '{ "id": ');
    const result = await run(catalog, dir);
    expect(result.exitCode).toBe(1);
    expect(result.errors.some((l) => l.startsWith(`${join(dir, 'broken.json')}: is not valid JSON`))).toBe(true);
    rmSync(join(dir, 'broken.json'));
    const second = await run(catalog, dir);
    expect(second.exitCode).toBe(1);
    expect(second.errors).toEqual([`${file} at /workflow/initial: initial state "draft" is not declared`, 'nothing imported: 1 problem']);
    expect(await catalog.listAgencies()).toEqual([]);
  });

  it('prints created, then unchanged, per agency and service', async () => {
    const first = await run(catalog, DEMO_CATALOG_DIR);
    expect(first.exitCode).toBeUndefined();
    expect(first.lines).toContain('created   agency  110000-PSB');
    expect(first.lines).toContain('created   service driving-licence-renewal (version 1)');
    expect(first.lines).toHaveLength(11);
    const second = await run(catalog, DEMO_CATALOG_DIR);
    expect(second.lines.every((l) => l.startsWith('unchanged'))).toBe(true);
  });
});
