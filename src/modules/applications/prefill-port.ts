import type { Actor } from '../../kernel/audit/types.js';
import type { LocalizedText } from '../catalog/service.js';

/*
 * What the prefill step needs from the registries and consent modules (contracts.md), as a small
 * structural port (STYLE 5): applications never imports them; src/modules/index.ts passes their
 * services in, and unit tests can pass a fake.
 */

export interface PrefillRegistryInfo {
  readonly code: string;
  readonly name: LocalizedText;
  /** The owner agency's code. */
  readonly owner: string;
  readonly items: readonly { readonly id: string; readonly title: LocalizedText }[];
}

export interface PrefillAgreement {
  readonly id: string;
  readonly version: number;
  /** Agency code of the data controller. */
  readonly controller: string;
  readonly purpose: LocalizedText;
  readonly legalBasis: LocalizedText;
  readonly items: readonly string[];
  readonly retention: LocalizedText;
  readonly needsConsent: boolean;
}

export type PrefillConsentCheck =
  | { readonly ok: true; readonly basis: 'consent' | 'legal_basis' }
  | { readonly ok: false; readonly reason: 'missing' | 'withdrawn' | 'expired' | 'unknown_agreement' };

export interface PrefillConsentChange {
  readonly agreementId: string;
  readonly idNumber: string;
  readonly accountId?: string;
  readonly channel: 'online' | 'counter' | 'api';
  readonly actor: Actor;
  readonly requestId?: string;
}

export interface PrefillPort {
  /** Where a person gives or withdraws consent (the consent module's page), linked after a refusal. */
  readonly consentPage?: string;
  /** registries.describe */
  describe(registry: string): Promise<PrefillRegistryInfo | undefined>;
  /** registries.readForPerson: audited by the registries module as `registry.record.read`. */
  readForPerson(input: {
    registry: string; idNumber: string; items: readonly string[]; actor: Actor; subject?: string; purpose: string; requestId?: string;
  }): Promise<{ values: Record<string, unknown>; registry: { code: string; name: LocalizedText; owner: string } } | null>;
  /** registries.reportWrongData: a correction task for the registry owner's agency; `actor` a clerk at a counter reports for the person. */
  reportWrongData(input: {
    registry: string; idNumber: string; items: readonly string[]; description: string; reporter: { accountId: string }; actor?: Actor; requestId?: string;
  }): Promise<{ taskId: string }>;
  /** consent.agreement */
  agreement(id: string): Promise<PrefillAgreement | undefined>;
  /** consent.check */
  check(input: { agreementId: string; idNumber: string; at?: Date }): Promise<PrefillConsentCheck>;
  /** consent.give */
  give(input: PrefillConsentChange): Promise<unknown>;
}
