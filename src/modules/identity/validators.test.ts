import { describe, expect, it } from 'vitest';
import { DEMO_PERSONAS } from './demo-personas.js';
import { completeUscc, isValidResidentId, isValidUscc, residentIdCheckChar } from './validators.js';

describe('resident ID numbers', () => {
  it('accepts the standard example and the demo citizen', () => {
    expect(isValidResidentId('11010519491231002X')).toBe(true);
    const citizen = DEMO_PERSONAS.find((p) => p.subject === 'citizen');
    expect(isValidResidentId(citizen?.idNumber ?? '')).toBe(true);
  });

  it('refuses a wrong check character, an impossible date and a bad shape', () => {
    expect(isValidResidentId('110105194912310021')).toBe(false);
    const first17 = '11010519490230002';
    expect(isValidResidentId(first17 + residentIdCheckChar(first17))).toBe(false);
    expect(isValidResidentId('11010519491231002x')).toBe(false);
    expect(isValidResidentId('1101051949123100')).toBe(false);
  });
});

describe('unified social credit codes', () => {
  it('accepts the standard example and the demo company', () => {
    expect(isValidUscc('91350100M000100Y43')).toBe(true);
    const business = DEMO_PERSONAS.find((p) => p.subject === 'business');
    expect(isValidUscc(business?.organisation?.code ?? '')).toBe(true);
    expect(isValidUscc(completeUscc('91110108MA01TB8N'))).toBe(true);
    // Registered codes whose embedded organisation code has a letter after H: a letter counts A=10 … Z=35 there.
    for (const code of ['91110108MA01MNU448', '91110108MA01R70K8D', '914403001922038216']) expect(isValidUscc(code), code).toBe(true);
  });

  it('refuses a changed character, a wrong check character and letters outside the alphabet', () => {
    expect(isValidUscc('91350100M000100Y44')).toBe(false);
    expect(isValidUscc('91350100M000101Y43')).toBe(false);
    expect(isValidUscc('91350100M00O100Y43')).toBe(false);
    expect(isValidUscc('9135010')).toBe(false);
  });
});
