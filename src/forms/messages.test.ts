import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allMessageKeys } from '../kernel/i18n/index.js';
import { fieldModules, formsMessages } from './index.js';
import { RULE_MESSAGE_KEYS } from './definition.js';

const here = new URL('.', import.meta.url).pathname;
const sources = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
  const path = join(dir, e.name);
  if (e.isDirectory()) return sources(path);
  return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) && e.name !== 'messages.ts' ? [readFileSync(path, 'utf8')] : [];
});

const keys = Object.keys(formsMessages.en);
const moduleKeys = new Set(Object.values(fieldModules).flatMap((m) => [...m.messageKeys, m.requiredKey]));
const code = sources(here).join('\n');
const params = (text: string) => [...text.matchAll(/\{(\w+)/g)].map((m) => m[1]!.toLowerCase()).sort();

describe('form engine messages', () => {
  it('has every key a field type uses, in both languages', () => {
    const catalog = new Map(allMessageKeys().map((m) => [m.key, m.texts]));
    for (const key of moduleKeys) {
      expect(catalog.get(key)?.en, key).toBeTruthy();
      expect(catalog.get(key)?.['zh-CN'], key).toBeTruthy();
    }
  });

  it('uses every key it defines', () => {
    const unused = keys.filter((key) => !moduleKeys.has(key as never) && !code.includes(`'${key}'`));
    expect(unused).toEqual([]);
  });

  it('fills the same parameters in both languages', () => {
    for (const key of keys as (keyof typeof formsMessages.en)[]) {
      expect(params(formsMessages['zh-CN'][key]), key).toEqual(params(formsMessages.en[key]).filter((p, i, all) => all.indexOf(p) === i));
    }
  });

  it('offers built-in rule messages that exist', () => {
    for (const key of RULE_MESSAGE_KEYS) expect(keys).toContain(key);
  });
});
