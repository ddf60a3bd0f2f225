/**
 * The consent rules as pure functions: which earlier consents a new agreement version keeps, and
 * a person's state from their latest event. No database, no clock of its own (docs/adr/0018).
 */

export interface LocalizedText {
  readonly 'zh-CN': string;
  readonly en: string;
}

export const LAWFUL_BASES = ['consent', 'legal_obligation', 'public_task', 'contract', 'vital_interest', 'legitimate_interest'] as const;
export type LawfulBasis = (typeof LAWFUL_BASES)[number];

export const CHANNELS = ['online', 'counter', 'api'] as const;
export type Channel = (typeof CHANNELS)[number];

/** One version of a data agreement, as other modules see it (the contract's fields first). */
export interface DataAgreement {
  readonly id: string;
  readonly version: number;
  /** Agency code of the data controller. */
  readonly controller: string;
  readonly purpose: LocalizedText;
  readonly legalBasis: LocalizedText;
  readonly items: readonly string[];
  readonly retention: LocalizedText;
  readonly needsConsent: boolean;
  readonly lawfulBasis: LawfulBasis;
  /** Days a consent stays valid; undefined: until withdrawn. */
  readonly consentDays: number | undefined;
  /** The oldest version whose consents hold under this one. */
  readonly consentFromVersion: number;
  readonly active: boolean;
  readonly createdAt: Date;
  readonly createdBy: string;
}

/** What an administrator writes; the version, carry-over and dates are decided by the service. */
export interface AgreementInput {
  readonly id: string;
  readonly controller: string;
  readonly purpose: LocalizedText;
  readonly lawfulBasis: LawfulBasis;
  readonly legalBasis: LocalizedText;
  readonly items: readonly string[];
  readonly retention: LocalizedText;
  readonly consentDays?: number | undefined;
}

/** One consent event: what the person (or a clerk, or a system for them) did, and when. */
export interface ConsentEvent {
  readonly id: string;
  readonly agreementId: string;
  readonly agreementVersion: number;
  readonly idNumber: string;
  readonly accountId: string | undefined;
  readonly kind: 'given' | 'withdrawn';
  readonly channel: Channel;
  readonly at: Date;
  readonly expiresAt: Date | undefined;
  readonly actor: { readonly kind: string; readonly id: string };
}

/**
 * A person's consent under one agreement, derived: `outdated` when it was given to a version
 * that the current one widened (a new purpose or more data items), so it must be given again.
 */
export type ConsentState = 'none' | 'given' | 'withdrawn' | 'expired' | 'outdated';

/** The contract's record: the event as written, with the state it led to at the time asked. */
export interface ConsentRecord extends ConsentEvent {
  readonly state: ConsentState;
}

/**
 * The first version whose consents still hold under `next`: the previous carry-over point when
 * the purpose is word for word the same and no data item is added; `nextVersion` otherwise.
 * Narrowing (fewer items, shorter retention, another legal text) keeps consents: the person
 * agreed to more than is now asked.
 */
export function consentFromVersion(previous: Pick<DataAgreement, 'purpose' | 'items' | 'consentFromVersion' | 'needsConsent'> | undefined, next: Pick<AgreementInput, 'purpose' | 'items' | 'lawfulBasis'>, nextVersion: number): number {
  if (!previous || !previous.needsConsent || next.lawfulBasis !== 'consent') return nextVersion;
  const samePurpose = previous.purpose['zh-CN'] === next.purpose['zh-CN'] && previous.purpose.en === next.purpose.en;
  const known = new Set(previous.items);
  const noNewItems = next.items.every((item) => known.has(item));
  return samePurpose && noNewItems ? previous.consentFromVersion : nextVersion;
}

/** The state of the latest event at `at`, judged against the agreement's current version. */
export function stateOf(latest: Pick<ConsentEvent, 'kind' | 'agreementVersion' | 'expiresAt'> | undefined, current: Pick<DataAgreement, 'consentFromVersion'>, at: Date): ConsentState {
  if (!latest) return 'none';
  if (latest.kind === 'withdrawn') return 'withdrawn';
  if (latest.expiresAt !== undefined && latest.expiresAt.getTime() <= at.getTime()) return 'expired';
  if (latest.agreementVersion < current.consentFromVersion) return 'outdated';
  return 'given';
}

export type CheckResult =
  | { readonly ok: true; readonly basis: 'consent' | 'legal_basis' }
  | { readonly ok: false; readonly reason: 'missing' | 'withdrawn' | 'expired' | 'unknown_agreement' };

/** The contract's answer for a state: an outdated consent is missing consent for the current version. */
export function checkResult(agreement: Pick<DataAgreement, 'needsConsent' | 'active'> | undefined, state: ConsentState): CheckResult {
  if (!agreement?.active) return { ok: false, reason: 'unknown_agreement' };
  if (!agreement.needsConsent) return { ok: true, basis: 'legal_basis' };
  if (state === 'given') return { ok: true, basis: 'consent' };
  if (state === 'withdrawn' || state === 'expired') return { ok: false, reason: state };
  return { ok: false, reason: 'missing' };
}

const ID_NUMBER = /^\d{17}[\dX]$/;
/** A resident ID number's shape (18 characters, the last a digit or X). */
export const isIdNumber = (value: string): boolean => ID_NUMBER.test(value);

const AGREEMENT_ID = /^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$/;
/** Agreement ids are stable, readable slugs: `prefill-population`. */
export const isAgreementId = (value: string): boolean => AGREEMENT_ID.test(value);

const ITEM = /^[A-Za-z][A-Za-z0-9_.]{0,99}$/;
/** Data items are the registry schema's property names: `dateOfBirth`. */
export const isDataItem = (value: string): boolean => ITEM.test(value);
