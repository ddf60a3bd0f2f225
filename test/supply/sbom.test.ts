import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

interface Bom { bomFormat: string; specVersion: string; components: { name: string; version: string; purl?: string; scope?: string }[] }

it('npm run sbom writes a CycloneDX bill of materials of the runtime dependencies', async () => {
  await rm(`${root}/sbom.cdx.json`, { force: true });
  await run('npm', ['run', '-s', 'sbom'], { cwd: root, timeout: 120_000 });
  const bom = JSON.parse(await readFile(`${root}/sbom.cdx.json`, 'utf8')) as Bom;
  expect(bom.bomFormat).toBe('CycloneDX');
  expect(Number(bom.specVersion)).toBeGreaterThanOrEqual(1.5);
  const names = new Set(bom.components.map((c) => c.name));
  for (const runtime of ['fastify', 'kysely', 'pg', 'jose', '@electric-sql/pglite']) expect(names).toContain(runtime);
  // Development tools are not shipped, so they are not in the bill.
  for (const tool of ['vitest', 'eslint', 'typescript']) expect(names).not.toContain(tool);
  for (const component of bom.components) expect(component.purl).toMatch(/^pkg:npm\//);
}, 130_000);
