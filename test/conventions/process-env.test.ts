import { describe, expect, it } from 'vitest';
import { checkProcessEnv } from './checks/process-env.js';
import { readSources, report } from './checks/tree.js';

describe('process.env', () => {
  it('is read only in src/kernel/config (and test/helpers)', () => {
    const violations = checkProcessEnv(readSources(['src', 'bin', 'test', 'bench', 'demo']));
    expect(violations, report('process.env read outside the config', violations)).toEqual([]);
  });

  it('fails on every way of reading it, and ignores comments and strings', () => {
    expect(checkProcessEnv([
      { path: 'src/modules/a/service.ts', text: 'const a = process.env.DATABASE_URL;\nconst b = process["env"];\nconst { env } = process;' },
      { path: 'src/modules/a/plugin.ts', text: "// process.env is read in config\nconst s = 'process.env.X';" },
      { path: 'src/kernel/config/load.ts', text: 'export const e = process.env;' },
    ])).toEqual([
      'src/modules/a/service.ts:1 reads process.env; settings come from src/kernel/config (loadConfig) only',
      'src/modules/a/service.ts:2 reads process.env; settings come from src/kernel/config (loadConfig) only',
      'src/modules/a/service.ts:3 reads process.env; settings come from src/kernel/config (loadConfig) only',
    ]);
  });
});
