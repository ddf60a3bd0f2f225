import { purposeText } from '../../kernel/audit/index.js';
import { translate } from '../../kernel/i18n/index.js';
import type { ApplicationsService, CasePanel, PanelInput } from '../applications/service.js';
import './messages.js';
import { formatMoney, type PaymentsService } from './service.js';

/**
 * The fee on the applicant's status page (pay, or the receipt) and on the back office's case page
 * (paid, or due: a warning when it blocks the approval).
 */
export function addPaymentPanels(applications: Pick<ApplicationsService, 'addPanel'>, payments: Pick<PaymentsService, 'forApplicant' | 'forStaff'>): void {
  applications.addPanel('applicant', async (input: PanelInput): Promise<CasePanel | null> => {
    const view = await payments.forApplicant(input.application.id, input.viewer);
    if (!view) return null;
    const t = (key: string, params: Record<string, string> = {}) => translate(input.locale, key, params);
    const { state, bill } = view;
    const receipt = view.payments.find((p) => p.status === 'succeeded' && p.receiptNumber);
    if (state.state === 'paid') {
      return { id: 'payments', heading: t('payments.panel.heading'), tone: 'success', lines: [t('payments.panel.paid', { amount: formatMoney(state.paid, input.locale) })],
        links: receipt ? [{ href: `/payments/receipts/${receipt.receiptNumber ?? ''}`, text: t('payments.panel.receipt') }] : [] };
    }
    if (state.state === 'refunded') return { id: 'payments', heading: t('payments.panel.heading'), tone: 'info', lines: [t('payments.panel.refunded')], links: [] };
    // A case closed without approval owes nothing more.
    if (state.state === 'not_due') return null;
    const line = bill.when === 'after_decision' ? 'payments.panel.dueAfter' : 'payments.panel.due';
    return { id: 'payments', heading: t('payments.panel.heading'), tone: 'warning', lines: [t(line, { amount: formatMoney(state.due, input.locale) })],
      links: [{ href: `/payments/applications/${bill.applicationId}`, text: t('payments.panel.pay') }] };
  });

  applications.addPanel('staff', async (input: PanelInput): Promise<CasePanel | null> => {
    const view = await payments.forStaff(input.application.id, input.viewer, purposeText('payments.purpose.casePanel'));
    if (!view) return null;
    const t = (key: string, params: Record<string, string> = {}) => translate(input.locale, key, params);
    const { state, bill } = view;
    const link = [{ href: `/payments/staff/${bill.applicationId}`, text: t('payments.panel.staffLink') }];
    if (state.state === 'paid') return { id: 'payments', heading: t('payments.panel.heading'), tone: 'success', lines: [t('payments.panel.staffPaid', { amount: formatMoney(state.paid, input.locale) })], links: link };
    if (state.state === 'refunded') return { id: 'payments', heading: t('payments.panel.heading'), tone: 'info', lines: [t('payments.panel.refunded')], links: link };
    if (state.state === 'not_due') return { id: 'payments', heading: t('payments.panel.heading'), tone: 'info', lines: [t('payments.panel.staffNotDue', { amount: formatMoney(bill.amount - state.paid, input.locale) })], links: link };
    const line = bill.when === 'before_decision' ? 'payments.panel.staffDueBefore' : 'payments.panel.staffDueAfter';
    return { id: 'payments', heading: t('payments.panel.heading'), tone: 'warning', lines: [t(line, { amount: formatMoney(state.due, input.locale) })], links: link };
  });
}
