import { describe, expect, it } from 'vitest';
import { checkIdMakers } from './checks/ids.js';
import { readSources, report } from './checks/tree.js';

describe('record ids', () => {
  it('are made by newId (src/kernel/ids.ts) only', () => {
    const violations = checkIdMakers(readSources(['src']));
    expect(violations, report('uuid v7 used outside src/kernel/ids.ts', violations)).toEqual([]);
  });

  it('fails on an import of uuid\'s v7, renamed or not, and lets tests, v4 and the id maker be', () => {
    expect(checkIdMakers([
      { path: 'src/modules/a/service.ts', text: "import { v7 as uuidv7 } from 'uuid';" },
      { path: 'src/modules/a/store.ts', text: "import { v4, v7 } from 'uuid';" },
      { path: 'src/modules/a/routes.ts', text: "import { v4 as uuidv4 } from 'uuid';" },
      { path: 'src/modules/a/service.test.ts', text: "import { v7 } from 'uuid';" },
      { path: 'src/modules/a/test-kit.ts', text: "import { v7 } from 'uuid';" },
      { path: 'src/kernel/a/test-fixtures/rows.ts', text: "import { v7 } from 'uuid';" },
      { path: 'src/kernel/ids.ts', text: "import { v7 } from 'uuid';" },
    ])).toEqual([
      "src/modules/a/service.ts:1 imports uuid's v7; make ids with newId from src/kernel/ids.ts",
      "src/modules/a/store.ts:1 imports uuid's v7; make ids with newId from src/kernel/ids.ts",
    ]);
  });
});
