/**
 * What a recorded action means to the person, as a message key. Actions are dotted verbs chosen
 * by each module; the first prefix that matches wins, and anything new still reads sensibly.
 */
const MEANINGS: readonly (readonly [prefix: string, key: string])[] = [
  ['application.view', 'privacy.action.applicationView'],
  ['application.submit', 'privacy.action.applicationSubmit'],
  ['application.', 'privacy.action.application'],
  ['workflow.case.view', 'privacy.action.caseView'],
  ['workflow.', 'privacy.action.workflow'],
  ['registry.correction.view', 'privacy.action.correctionView'],
  ['registry.correction.report', 'privacy.action.correctionReport'],
  ['registry.correction.resolve', 'privacy.action.correctionResolve'],
  ['registry.usage.read', 'privacy.action.registryUsage'],
  ['registry.', 'privacy.action.registry'],
  ['registries.', 'privacy.action.registry'],
  ['prefill.', 'privacy.action.registry'],
  ['mediator.exchange', 'privacy.action.mediatorExchange'],
  ['mediator.body', 'privacy.action.mediatorBody'],
  ['mediator.log', 'privacy.action.mediatorLog'],
  ['mediator.event', 'privacy.action.mediatorEvent'],
  ['mediator.', 'privacy.action.mediatorExchange'],
  ['govstack.', 'privacy.action.govstack'],
  // Reads of consent records before the rest of `consent.`: looking at a consent is not recording one.
  ['consent.record.read', 'privacy.action.consentRead'],
  ['consent.individual.read', 'privacy.action.consentRead'],
  ['consent.records.delete-all', 'privacy.action.consentDelete'],
  ['consent.', 'privacy.action.consent'],
  ['messaging.', 'privacy.action.messaging'],
  ['privacy.question.view', 'privacy.action.questionView'],
  ['privacy.question.answer', 'privacy.action.questionAnswer'],
  // Only the person takes a copy of their own data, so it is not listed for them; words all the same.
  ['privacy.copy', 'privacy.action.copy'],
  // Closing and reopening one's own account: the person's own acts, never listed for them (ADR 68).
  ['account.close', 'privacy.action.accountClose'],
  ['account.reopen', 'privacy.action.accountReopen'],
  ['documents.', 'privacy.action.documents'],
  ['payments.', 'privacy.action.payments'],
  ['scheduling.', 'privacy.action.scheduling'],
  ['insights.follow_up.read', 'privacy.action.ratingRead'],
  ['insights.rating.create', 'privacy.action.ratingCreate'],
  ['insights.', 'privacy.action.ratingFollowUp'],
];

export const ACTION_KEYS = [...new Set([...MEANINGS.map(([, key]) => key), 'privacy.action.other'])];

export function actionKey(action: string): string {
  return MEANINGS.find(([prefix]) => action === prefix || action.startsWith(prefix.endsWith('.') ? prefix : `${prefix}.`))?.[1] ?? 'privacy.action.other';
}
