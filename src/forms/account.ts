import type { Answers, FormDefinition } from './types.js';

/**
 * What a signed-in person's own account says about them, by the name a field's `fromAccount`
 * uses, and the one field type each fits (docs/adr/0070): a name is typed in a short text, a
 * resident ID number in a resident-id field, an email address in an email field.
 */
export const ACCOUNT_FACT_TYPES = { name: 'short-text', idNumber: 'resident-id', email: 'email' } as const;

export type AccountFact = keyof typeof ACCOUNT_FACT_TYPES;
export type AccountFacts = Readonly<Partial<Record<AccountFact, string>>>;

/** The fact a field type may take its starting value from, if any. */
export function accountFactFor(type: string): AccountFact | undefined {
  return (Object.keys(ACCOUNT_FACT_TYPES) as AccountFact[]).find((fact) => ACCOUNT_FACT_TYPES[fact] === type);
}

/**
 * The starting answers of a form's `fromAccount` fields (top-level fields only: an entry of a
 * repeating group is someone else), for the facts the account has. Pure.
 */
export function answersFromAccount(definition: FormDefinition, facts: AccountFacts): Answers {
  const answers: Record<string, unknown> = {};
  for (const field of definition.pages.flatMap((page) => page.fields)) {
    if (!('fromAccount' in field) || field.fromAccount === undefined) continue;
    const value = facts[field.fromAccount]?.trim();
    if (value) answers[field.id] = value;
  }
  return answers;
}
