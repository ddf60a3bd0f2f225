import { fileURLToPath } from 'node:url';
import type { ModuleEntry } from '../../kernel/module.js';
import { paymentsPlugin } from './plugin.js';
import type { PaymentsService } from './service.js';

export { createPaymentsService, PaymentsErrors, type PaymentsService, type PaymentState } from './service.js';
export { addPaymentPanels } from './panels.js';

/** The payments module's entry: fees, payments, receipts, refunds, reconciliation, the test provider. */
export const paymentsModule: ModuleEntry<{ payments: PaymentsService }> = {
  name: 'payments',
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  plugin: (app, { services }) => paymentsPlugin(app, services),
};
