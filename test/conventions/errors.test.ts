import { describe, expect, it } from 'vitest';
import { loadRegistries, readErrorsDoc, renderErrorsDoc } from '../../src/cli/errors-doc.js';
import { registeredErrors } from '../../src/kernel/http/index.js';
import { hasMessage } from '../../src/kernel/i18n/index.js';
import { checkErrorRegistry, checkRegistryPlacement, checkUniqueCodes, declaredCodes, documentedCodes } from './checks/registry.js';
import { readSources, report } from './checks/tree.js';

describe('error registry', () => {
  it('declares codes and messages only where the loaders look', () => {
    const violations = checkRegistryPlacement(readSources(['src']));
    expect(violations, report('Registry calls outside errors.ts / messages.ts', violations)).toEqual([]);
  });

  it('declares every code once', () => {
    const declared = declaredCodes(readSources(['src']));
    expect(declared.length).toBeGreaterThan(10);
    const violations = checkUniqueCodes(declared);
    expect(violations, report('Duplicate error codes', violations)).toEqual([]);
  });

  it('has well-formed codes with messages, all documented in an up-to-date docs/errors.md', async () => {
    await loadRegistries();
    const errors = registeredErrors();
    expect(errors.map((e) => e.code)).toContain('TB_KERNEL_CSRF');
    const doc = readErrorsDoc();
    const violations = checkErrorRegistry(errors, doc, hasMessage);
    expect(violations, report('Error registry broken', violations)).toEqual([]);
    expect(doc, 'docs/errors.md is stale: run npm run docs:errors').toBe(renderErrorsDoc(errors));
  });

  it('fails on duplicates, bad codes, unknown messages and a doc out of step', () => {
    expect(checkUniqueCodes(declaredCodes([
      { path: 'src/modules/a/errors.ts', text: "defineErrors('a', { TB_A_GONE: x, TB_A_OTHER: y });" },
      { path: 'src/modules/b/errors.ts', text: "defineErrors('b', { 'TB_A_GONE': x });" },
    ]))).toEqual(['TB_A_GONE is declared more than once: src/modules/a/errors.ts, src/modules/b/errors.ts']);

    const doc = '| code | HTTP status |\n|---|---|\n| `TB_A_GONE` | 410 |\n| `TB_A_OLD` | 400 |\n';
    expect(documentedCodes(doc)).toEqual(['TB_A_GONE', 'TB_A_OLD']);
    expect(checkErrorRegistry([
      { code: 'TB_A_GONE', area: 'a', status: 410, message: 'a.gone' },
      { code: 'TB_a_lower', area: 'a', status: 400, message: 'a.gone' },
      { code: 'TB_B_WRONG_AREA', area: 'a', status: 200, message: 'a.missing' },
    ], doc, (key) => key === 'a.gone')).toEqual([
      'TB_a_lower (area a) does not look like TB_<AREA>_<WHAT>',
      'TB_a_lower is missing from docs/errors.md (run npm run docs:errors)',
      'TB_B_WRONG_AREA is declared by area a; its codes start with TB_A_',
      'TB_B_WRONG_AREA has status 200; errors answer 4xx or 5xx',
      "TB_B_WRONG_AREA uses message key 'a.missing', which no messages.ts defines",
      'TB_B_WRONG_AREA is missing from docs/errors.md (run npm run docs:errors)',
      'docs/errors.md lists TB_A_OLD, which no errors.ts declares (run npm run docs:errors)',
    ]);

    expect(checkRegistryPlacement([
      { path: 'src/modules/a/service.ts', text: "const E = defineErrors('a', {});\nconst M = defineMessages('a', { en: {}, 'zh-CN': {} });" },
      { path: 'src/modules/a/errors.ts', text: "export const E = defineErrors('a', {});" },
    ])).toEqual([
      'src/modules/a/service.ts:1 calls defineErrors; declare it in a file named errors.ts so the registry loaders find it',
      'src/modules/a/service.ts:2 calls defineMessages; declare it in a file named messages.ts so the registry loaders find it',
    ]);
  });
});
