import { fileURLToPath } from 'node:url';
import type { Kernel } from '../kernel/context.js';
import type { MigrationSource } from '../kernel/db/index.js';
import { registerIdempotencyCleanup } from '../kernel/idempotency/index.js';
import type { ModuleEntry } from '../kernel/module.js';
import { applicationsModule, createApplicationsService, createStaffRenderer, type PrefillPort } from './applications/index.js';
import { catalogModule, createCatalogService } from './catalog/index.js';
import { copySources } from './copy-sources.js';
import { createDocumentsService, documentsModule } from './documents/index.js';
import { consentModule, createConsentService, mediatorConsentPort } from './consent/index.js';
import { helpModule } from './help/index.js';
import { createInsightsService, insightsModule } from './insights/index.js';
import { createMediatorService, mediatorModule } from './mediator/index.js';
import { createIdentityService, identityModule } from './identity/index.js';
import { govstackRegistrationModule } from './govstack-registration/plugin.js';
import { createMessagingService, messagingModule } from './messaging/index.js';
import { addPaymentPanels, createPaymentsService, paymentsModule } from './payments/index.js';
import { createPrivacyService, privacyModule } from './privacy/index.js';
import { createRegistriesService, registriesModule } from './registries/index.js';
import { createSchedulingService, schedulingModule } from './scheduling/index.js';
import { createWorkflowModule, createWorkflowService } from './workflow/index.js';

const kernelFolder = (path: string) => fileURLToPath(new URL(`../kernel/${path}`, import.meta.url));

/** The kernel's own migration histories, run before any module's. */
export const kernelMigrationSources: readonly MigrationSource[] = [
  { name: 'kernel_secrets', folder: kernelFolder('secrets/migrations') },
  { name: 'kernel_audit', folder: kernelFolder('audit/migrations') },
  { name: 'kernel_jobs', folder: kernelFolder('jobs/migrations') },
  { name: 'kernel_auth', folder: kernelFolder('auth/migrations') },
  { name: 'kernel_oidc', folder: kernelFolder('auth/idp/migrations') },
  { name: 'kernel_api_clients', folder: kernelFolder('auth/machine/migrations') },
  { name: 'kernel_idempotency', folder: kernelFolder('idempotency/migrations') },
];

/** Every module's service, built in dependency order so that the wiring is explicit and typed. */
export function createServices(kernel: Kernel) {
  // Idempotency-Key rows expire; an hourly durable job deletes them (docs/adr/0031-idempotency-keys.md).
  registerIdempotencyCleanup(kernel);
  const identity = createIdentityService(kernel);
  // A service's prefill may read only what its data agreement lists: checked at publishing against consent, built below.
  const catalog = createCatalogService(kernel, { agreementItems: async (id) => (await consent.agreement(id))?.items });
  const messaging = createMessagingService(kernel, { identity });
  // Transition listeners (notifications, applicant tasks) are added with workflow.onTransition.
  const workflow = createWorkflowService(kernel);
  // Once-only prefill reads through registries and asks consent, both built below: the port calls them late (docs/adr/0019-once-only-prefill.md).
  const prefill: PrefillPort = {
    consentPage: '/account/consent', describe: (code) => registries.describe(code), readForPerson: (input) => registries.readForPerson(input),
    reportWrongData: (input) => registries.reportWrongData(input), agreement: (id) => consent.agreement(id), check: (input) => consent.check(input), give: (input) => consent.give(input),
  };
  const applications = createApplicationsService(kernel, { catalog, workflow, messaging, identity, prefill });
  // Closing an account waits for applications in progress and deletes drafts (docs/adr/0068-closing-an-account.md).
  identity.addClosingStep(applications.closingStep);
  // Issues a signed certificate on approval (a transition listener) and adds its panels (docs/adr/0020-verifiable-certificates.md).
  const documents = createDocumentsService(kernel, { applications, catalog, workflow });
  // Fees: approval waits for a fee due before the decision (a transition listener); panels to pay and to see it paid (docs/adr/0021-payments.md).
  const payments = createPaymentsService(kernel, { applications, workflow });
  addPaymentPanels(applications, payments);
  // Data agreements and consent; the mediator asks it before a call that needs consent (docs/adr/0018-consent.md).
  const consent = createConsentService(kernel, { identity, catalog });
  // The audit subject of a person's data read is their account, never the ID number (ADR 0016).
  const mediator = createMediatorService(kernel, { consent: mediatorConsentPort(consent), people: { accountIdOf: async (idNumber) => (await identity.auditSubjectByIdNumber(idNumber))?.id } });
  const registries = createRegistriesService(kernel, { identity });
  // Ratings and the public dashboard read the others through their services (docs/adr/0023-insights.md).
  const insights = createInsightsService(kernel, { applications, workflow, catalog });
  // Appointments for the in-person step; adds its panels to the application pages; cancels a closed case's appointment (a transition listener) (docs/adr/0022-scheduling.md).
  const scheduling = createSchedulingService(kernel, { applications, catalog, identity, messaging, workflow });
  // "Who used my data" reads the audit trail; questions go to the organisation that acted (docs/adr/0024-who-used-my-data.md).
  // A person's copy of their data (PIPL art. 45) gathers each module's part through its service.
  const privacy = createPrivacyService(kernel, { identity, catalog, messaging, copy: copySources({ identity, applications, payments, scheduling, documents, consent, registries, messaging }) });
  return { identity, catalog, messaging, workflow, applications, documents, payments, consent, mediator, registries, insights, scheduling, privacy };
}

export type Services = ReturnType<typeof createServices>;

// The case page shows the application through the applications module (which audits the read).
const workflowModule = createWorkflowModule<Services>({ renderApplication: (services) => createStaffRenderer(services.applications) });

/** The modules in the order their plugins, migrations and seeds run. */
export const modules: readonly ModuleEntry<Services>[] = [identityModule, catalogModule, messagingModule, helpModule, workflowModule, applicationsModule, documentsModule, paymentsModule, govstackRegistrationModule, consentModule, mediatorModule, registriesModule, insightsModule, schedulingModule, privacyModule];

export const migrationSources: readonly MigrationSource[] = [
  ...kernelMigrationSources,
  ...modules.flatMap((m) => (m.migrations ? [{ name: m.name, folder: m.migrations }] : [])),
];
