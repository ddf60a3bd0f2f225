import type { Actor } from '../../audit/types.js';
import type { MachineClient } from './tokens.js';

/**
 * The agency a system acts for. A client's organisation is its mediator identity
 * INSTANCE/CLASS/MEMBER/SUBSYSTEM, whose MEMBER code is the agency's code in the catalog; an
 * organisation without slashes is an agency code already.
 */
export function agencyOfOrganisation(organisation: string): string {
  if (!organisation.includes('/')) return organisation;
  return organisation.split('/')[2] || organisation;
}

/**
 * The audit trail's actor for a system: the client by its id, acting for its agency. The agency
 * (not the subsystem) is what a person's "who used my data" page names and sends questions to.
 */
export const clientActor = (client: Pick<MachineClient, 'clientId' | 'organisation'>): Actor => ({
  kind: 'client', id: client.clientId, organisation: agencyOfOrganisation(client.organisation),
});
