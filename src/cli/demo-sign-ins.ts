import type { Config } from '../kernel/config/index.js';

/** What `npm start` prints so a newcomer can sign in straight away. */
export function demoSignInLines(config: Config): string[] {
  if (config.oidc.kind !== 'builtin') return [`Sign-in: through ${config.oidc.issuer}`];
  return [
    '',
    `Demo sign-ins (built-in identity provider at ${config.publicUrl}/idp, password: demo):`,
    '  citizen            张伟 Zhang Wei',
    '  business           李娜 Li Na (for a demo company)',
    '  clerk              counter clerk, Civil Affairs Bureau',
    '  officer            case officer, Market Regulation Administration',
    '  agency-admin       agency administrator, Public Security Bureau',
    '  platform-admin     platform administrator',
  ];
}
