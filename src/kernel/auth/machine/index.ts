import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '../../db/index.js';

export { MachineErrors } from './errors.js';
export { machineMessages } from './messages.js';
export {
  registerClient, rotateKeys, removeKey, changeClient, clientChanged, clientChangeDetails, disableClient, enableClient, getClient, listClients,
  type ApiClient, type ClientChange, type NewApiClient,
} from './service.js';
export { hasPrivateMembers } from './jwk.js';
export { forgetClientState, CLIENT_STATE_SECONDS } from './client-state.js';
export { machineAuthPlugin, type MachineAuthOptions } from './plugin.js';
export type { MachineAuth } from './plugin-types.js';
export { requireClientScope } from './guard.js';
export { agencyOfOrganisation, clientActor, CLIENT_ACCOUNT_PREFIX, readerActor } from './agency.js';
export { declareScopes, declaredScopes, refuseUndeclaredScopes, undeclaredScopeProblems, type ScopeText } from './scopes.js';
export type { MachineClient } from './tokens.js';
export { CLIENT_ASSERTION_TYPE } from './assertion.js';
export { createClientAssertion, tokenRequestBody, type AssertionInput } from './client-side.js';
export { seedDemoClient, describeDemoClient, type DemoClient, type DemoClientInput } from './demo.js';

/** The registry's own migration history (kernel_api_clients). */
export const machineMigrations: MigrationSource = {
  name: 'kernel_api_clients',
  folder: fileURLToPath(new URL('./migrations', import.meta.url)),
};
