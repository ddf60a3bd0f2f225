import { describe, expect, it } from 'vitest';
import { loadRegistries } from '../../src/cli/errors-doc.js';
import { allMessageKeys } from '../../src/kernel/i18n/index.js';
import { checkCatalog, checkKeyUsage, collectKeyUses, parameters } from './checks/i18n.js';
import { readSources, report } from './checks/tree.js';

describe('i18n completeness', () => {
  it('gives every key a text in en and zh-CN with the same parameters', async () => {
    await loadRegistries();
    const entries = allMessageKeys();
    expect(entries.map((e) => e.key)).toContain('kernel.error.csrf');
    const violations = checkCatalog(entries);
    expect(violations, report('Message catalog incomplete', violations)).toEqual([]);
  });

  it('defines every key the source uses, and uses every key it defines', async () => {
    await loadRegistries();
    const violations = checkKeyUsage(allMessageKeys().map((e) => e.key), collectKeyUses(readSources(['src'])));
    expect(violations, report('Message keys missing or unused', violations)).toEqual([]);
  });

  it('fails on a missing text, mismatched parameters, an undefined key and an unused key', () => {
    expect(parameters('You have {count, plural, one {# day} other {# days}} left, {name}')).toEqual(['count', 'name']);
    expect(checkCatalog([
      { key: 'a.ok', area: 'a', texts: { en: 'Hello {name}', 'zh-CN': '{name}，你好' } },
      { key: 'a.empty', area: 'a', texts: { en: 'Text', 'zh-CN': ' ' } },
      { key: 'a.params', area: 'a', texts: { en: 'Hello {name}', 'zh-CN': '你好' } },
      { key: 'b.elsewhere', area: 'a', texts: { en: 'x', 'zh-CN': 'x' } },
    ])).toEqual([
      "message key 'a.empty' has no zh-CN text",
      "message key 'a.params' takes {name} in en but {} in zh-CN",
      "message key 'b.elsewhere' is defined by area a; its keys start with 'a.'",
    ]);

    const uses = collectKeyUses([
      { path: 'src/modules/a/messages.ts', text: "defineMessages('a', { en: { 'a.used': 'x', 'a.unused': 'y', 'a.lang.en': 'E' } });" },
      { path: 'src/modules/a/pages.tsx', text: "const h = t('a.used'); const l = t(`a.lang.${locale}`); const m = request.t('a.typo');" },
      { path: 'src/modules/a/definitions.ts', text: "const label = t('Full name', '姓名');" },
      { path: 'src/modules/a/pages.test.tsx', text: "t('a.unused');" },
    ]);
    expect(checkKeyUsage(['a.used', 'a.unused', 'a.lang.en'], uses)).toEqual([
      "src/modules/a/pages.tsx:1 uses message key 'a.typo', which no messages.ts defines",
      "message key 'a.unused' is defined but never used in src/ (remove it, or use it as a literal)",
    ]);
  });
});
