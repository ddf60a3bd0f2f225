import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { JWK } from 'oidc-provider';
import type { Db } from '../../db/index.js';
import { getOrCreateSecret } from '../../secrets/index.js';

/** The built-in identity provider's keys: generated once, kept in the secret store, shared by every instance. */
export interface IdpKeys {
  readonly cookieKeys: string[];
  readonly signingJwk: JWK;
  readonly clientSecret: string;
}

function generateSigningJwk(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return JSON.stringify({ ...jwk, kid: `idp-${randomBytes(6).toString('hex')}`, alg: 'RS256', use: 'sig' });
}

const randomSecret = () => randomBytes(32).toString('base64url');

export async function loadIdpKeys(db: Db): Promise<IdpKeys> {
  const cookieKey = await getOrCreateSecret(db, 'idp.cookie-key', randomSecret);
  const signingJwk = JSON.parse(await getOrCreateSecret(db, 'idp.signing-jwk', generateSigningJwk)) as JWK;
  const clientSecret = await getOrCreateSecret(db, 'idp.client-secret.tongban-web', randomSecret);
  return { cookieKeys: [cookieKey], signingJwk, clientSecret };
}
