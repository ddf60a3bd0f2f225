import { builtinIssuer, createIdpUserStore, DEMO_PASSWORD } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { DEMO_PERSONAS } from './demo-personas.js';
import type { IdentityService } from './service.js';

/**
 * The demo personas: an account each, their roles, and a login at the built-in IdP linked to the
 * account. Idempotent: every write is an upsert or an insert-if-missing.
 */
export async function seedIdentity(kernel: Pick<Kernel, 'db' | 'config'>, identity: IdentityService): Promise<void> {
  const idpUsers = createIdpUserStore(kernel.db);
  const issuer = builtinIssuer(kernel.config);
  for (const [position, persona] of DEMO_PERSONAS.entries()) {
    await identity.saveAccount({
      id: persona.accountId, kind: persona.kind, name: persona.name, idNumber: persona.idNumber, email: persona.email, organisation: persona.organisation,
    });
    for (const role of persona.roles) await identity.grantRole(persona.accountId, role.agency, role.role);
    await idpUsers.upsert({ subject: persona.subject, name: persona.name, descriptionKey: persona.descriptionKey, position, password: DEMO_PASSWORD });
    await identity.linkIdentity(issuer, persona.subject, persona.accountId);
  }
}
