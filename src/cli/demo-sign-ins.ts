import type { Config } from '../kernel/config/index.js';
import { DEMO_PASSWORD } from '../kernel/auth/index.js';
import { DEMO_PERSONAS } from '../modules/identity/index.js';

/** What `npm start` prints so a newcomer can sign in straight away. */
export function demoSignInLines(config: Config): string[] {
  if (config.oidc.kind !== 'builtin') return [`Sign-in: through ${config.oidc.issuer}`];
  return [
    '',
    `Demo sign-ins: choose a person on the built-in sign-in page (password "${DEMO_PASSWORD}"):`,
    ...DEMO_PERSONAS.map((p) => {
      const roles = p.roles.map((r) => `${r.role}@${r.agency}`).join(', ');
      return `  ${p.subject.padEnd(16)} ${p.name}  ${roles || p.kind}`;
    }),
  ];
}
