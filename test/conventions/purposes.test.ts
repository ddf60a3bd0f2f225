import { describe, expect, it } from 'vitest';
import { checkPurposes } from './checks/purposes.js';
import { readSources, report } from './checks/tree.js';

describe('purposes the platform states are declared in both languages (ADR 60)', () => {
  it('writes no purpose as text in product source', () => {
    const violations = checkPurposes(readSources(['src']));
    expect(violations, report('Purposes written as text', violations)).toEqual([]);
  });

  it('finds a purpose property, a purpose variable and a purpose-taking call, and leaves the declared and the empty alone', () => {
    const file = (text: string) => ({ path: 'src/modules/a/service.ts', text });
    expect(checkPurposes([file([
      "audit.append(tx, { action: 'a.read', purpose: 'Reading it' });",
      "const FOLLOW_UP_PURPOSE = 'Answering';",
      "await staff.authorise(row, viewer, 'Reading a document');",
      'const purpose = (op) => `API ${op}`;',
      "audit.append(tx, { purpose: purposeText('a.purpose.read') });",
      "const form = { purpose: '' };",
      "log({ action: 'a.read', detail: 'Reading it' });",
    ].join('\n'))])).toEqual([
      'src/modules/a/service.ts:1 writes the purpose "Reading it" as text: declare it as a message <area>.purpose.<name> in both languages and write purposeText(key)',
      'src/modules/a/service.ts:2 writes the purpose "Answering" as text: declare it as a message <area>.purpose.<name> in both languages and write purposeText(key)',
      'src/modules/a/service.ts:3 writes the purpose "Reading a document" as text: declare it as a message <area>.purpose.<name> in both languages and write purposeText(key)',
      'src/modules/a/service.ts:4 writes the purpose "API " as text: declare it as a message <area>.purpose.<name> in both languages and write purposeText(key)',
    ]);
    expect(checkPurposes([{ path: 'src/modules/a/service.test.ts', text: "x({ purpose: 'Reading it' });" }])).toEqual([]);
  });
});
