import { describe, expect, it } from 'vitest';
import { parseAgreement } from './forms.js';
import { checkResult, consentFromVersion, stateOf, type AgreementInput } from './model.js';

const purpose = { 'zh-CN': '预填申请', en: 'Prefill your application' };
const v1 = { purpose, items: ['name', 'dateOfBirth'], consentFromVersion: 1, needsConsent: true };
const next = (change: Partial<AgreementInput>) => ({ purpose, items: ['name', 'dateOfBirth'], lawfulBasis: 'consent' as const, ...change });
const at = new Date('2026-12-03T08:00:00Z');
const given = (version: number, expiresAt?: Date) => ({ kind: 'given' as const, agreementVersion: version, expiresAt });

describe('consent rules', () => {
  it('keeps earlier consents for a version that narrows or only rewords other fields, not for one that widens', () => {
    expect(consentFromVersion(v1, next({}), 2)).toBe(1);
    expect(consentFromVersion(v1, next({ items: ['name'] }), 2)).toBe(1);
    expect(consentFromVersion({ ...v1, consentFromVersion: 3 }, next({ items: ['dateOfBirth', 'name'] }), 5)).toBe(3);
    expect(consentFromVersion(v1, next({ items: ['name', 'dateOfBirth', 'photo'] }), 2)).toBe(2);
    expect(consentFromVersion(v1, next({ purpose: { ...purpose, en: 'Prefill your application faster' } }), 2)).toBe(2);
    expect(consentFromVersion(v1, next({ purpose: { ...purpose, 'zh-CN': '预填' } }), 2)).toBe(2);
    expect(consentFromVersion(undefined, next({}), 1)).toBe(1);
    // From a legal basis to consent: nobody has consented yet.
    expect(consentFromVersion({ ...v1, needsConsent: false }, next({}), 2)).toBe(2);
  });

  it('derives the state from the latest event at a moment', () => {
    const current = { consentFromVersion: 2 };
    expect(stateOf(undefined, current, at)).toBe('none');
    expect(stateOf({ kind: 'withdrawn', agreementVersion: 2, expiresAt: undefined }, current, at)).toBe('withdrawn');
    expect(stateOf(given(2), current, at)).toBe('given');
    expect(stateOf(given(3, new Date(at.getTime() + 1)), current, at)).toBe('given');
    expect(stateOf(given(3, at), current, at)).toBe('expired');
    expect(stateOf(given(1), current, at)).toBe('outdated');
  });

  it('answers the contract: legal basis passes, retired or unknown refuses, outdated is missing', () => {
    expect(checkResult(undefined, 'given')).toEqual({ ok: false, reason: 'unknown_agreement' });
    expect(checkResult({ needsConsent: true, active: false }, 'given')).toEqual({ ok: false, reason: 'unknown_agreement' });
    expect(checkResult({ needsConsent: false, active: true }, 'none')).toEqual({ ok: true, basis: 'legal_basis' });
    expect(checkResult({ needsConsent: true, active: true }, 'given')).toEqual({ ok: true, basis: 'consent' });
    expect(checkResult({ needsConsent: true, active: true }, 'expired')).toEqual({ ok: false, reason: 'expired' });
    expect(checkResult({ needsConsent: true, active: true }, 'withdrawn')).toEqual({ ok: false, reason: 'withdrawn' });
    expect(checkResult({ needsConsent: true, active: true }, 'outdated')).toEqual({ ok: false, reason: 'missing' });
    expect(checkResult({ needsConsent: true, active: true }, 'none')).toEqual({ ok: false, reason: 'missing' });
  });

  it('parses the agreement form, listing every problem in page order', () => {
    const good = {
      id: 'prefill-population', controller: '110000-PSB', purposeZh: ' 预填 ', purposeEn: 'Prefill', lawfulBasis: 'consent', legalBasisZh: '同意', legalBasisEn: 'Consent',
      items: 'name\ndateOfBirth, name', retentionZh: '3 年', retentionEn: '3 years', consentDays: '365',
    };
    expect(parseAgreement(good)).toEqual({ ok: true, input: expect.objectContaining({ purpose: { 'zh-CN': '预填', en: 'Prefill' }, items: ['name', 'dateOfBirth'], consentDays: 365 }) as unknown });
    expect(parseAgreement({ ...good, consentDays: '' })).toMatchObject({ ok: true, input: { consentDays: undefined } });
    const bad = parseAgreement({ ...good, id: 'X', lawfulBasis: 'because', items: 'date of birth', consentDays: '0', purposeEn: '' });
    expect(bad.ok ? [] : bad.errors.map((e) => e.field)).toEqual(['id', 'purposeEn', 'lawfulBasis', 'items', 'consentDays']);
    // On an edit the id comes from the stored agreement, never from the form.
    expect(parseAgreement({ ...good, id: 'Not Checked' }, 'prefill-population')).toMatchObject({ ok: true, input: { id: 'prefill-population' } });
  });
});
