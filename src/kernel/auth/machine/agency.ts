import type { Actor } from '../../audit/types.js';
import type { Principal } from '../types.js';
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

/** The account id a system is given when it acts as its agency's case system (`client:<id>`). */
export const CLIENT_ACCOUNT_PREFIX = 'client:';

/**
 * The audit trail's actor for whoever reads for an agency: a member of staff, or a system acting
 * as that agency's case system (its principal is `client:<id>` with an officer role). A system is
 * recorded as a client, so the person's "who used my data" page says an information system read
 * it and its "Information systems" filter finds the record.
 */
export const readerActor = (reader: Pick<Principal, 'accountId'>, organisation: string): Actor =>
  reader.accountId.startsWith(CLIENT_ACCOUNT_PREFIX)
    ? { kind: 'client', id: reader.accountId.slice(CLIENT_ACCOUNT_PREFIX.length), organisation }
    : { kind: 'staff', id: reader.accountId, organisation };
