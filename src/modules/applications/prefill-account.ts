import { answersFromAccount, compileForm, type AccountFacts, type Answers, type CompiledForm, type FieldDefinition, type Text } from '../../forms/index.js';
import { translate, type Locale } from '../../kernel/i18n/index.js';
import type { Account } from '../identity/service.js';
import type { PrefillMarks } from './prefill.js';

/**
 * Answers from the person's own account (docs/adr/0070): a form's `fromAccount` fields start as
 * what the signed-in person's account says, on their online drafts only. Their own sign-in data
 * needs no consent; a registry read does (ADR 19), and its values win where both fill a field.
 */
export type AccountFactsOf = (accountId: string) => Promise<AccountFacts | undefined>;

/** A person's facts; none for a business or staff account (its name is not an applicant's). */
export function accountFacts(account: Account | undefined): AccountFacts | undefined {
  if (account?.kind !== 'person') return undefined;
  return {
    name: account.name,
    ...(account.idNumber ? { idNumber: account.idNumber } : {}),
    ...(account.email ? { email: account.email } : {}),
  };
}

/** Of a draft's answers, those that still hold what the account gave (the person did not change them). */
export function answersStillFromAccount(form: CompiledForm, facts: AccountFacts | undefined, answers: Answers): Set<string> {
  const given = facts ? answersFromAccount(form.definition, facts) : {};
  return new Set(Object.keys(given).filter((id) => answers[id] === given[id]));
}

/** The form with "From your account." before the hint of each answer the account gave, unless a registry filled it. */
export function accountMarkedForm(form: CompiledForm, facts: AccountFacts | undefined, answers: Answers, marks: PrefillMarks | undefined): CompiledForm {
  const marked = answersStillFromAccount(form, facts, answers);
  for (const id of marks?.fields.keys() ?? []) marked.delete(id);
  if (marked.size === 0) return form;
  const hint = (def: FieldDefinition): Text => {
    const text = (locale: Locale) => [translate(locale, 'applications.account.mark'), def.hint?.[locale]].filter(Boolean).join(' ');
    return { 'zh-CN': text('zh-CN'), en: text('en') };
  };
  const pages = form.definition.pages.map((page) => ({
    ...page, fields: page.fields.map((def) => (marked.has(def.id) ? { ...def, hint: hint(def) } : def)),
  }));
  return compileForm({ ...form.definition, pages });
}
