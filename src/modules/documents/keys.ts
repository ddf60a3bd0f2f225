import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import type { Kernel } from '../../kernel/context.js';
import { getOrCreateSecret } from '../../kernel/secrets/index.js';
import { keyId } from './credential.js';
import type { DocumentsStore, Executor, KeyRow, PublicJwk } from './store.js';

/**
 * One Ed25519 signing key per agency at a time. The private half is a secret (the kernel's secret
 * store, `documents.signing-key.<kid>`); the public half is kept in documents_keys and published
 * for ever, so rotating (a new current key, the old one retired) leaves every earlier certificate
 * verifiable. Generating a key is CPU work only, so it may happen inside a transition's transaction.
 */

export const secretName = (kid: string) => `documents.signing-key.${kid}`;

/** The published form of a key: what an offline verifier needs. */
export interface PublishedJwk { readonly kty: 'OKP'; readonly crv: 'Ed25519'; readonly x: string; readonly kid: string; readonly alg: 'EdDSA'; readonly use: 'sig' }
export interface PublishedJwks { readonly keys: PublishedJwk[] }

export const publishedJwk = (row: KeyRow): PublishedJwk => ({ kty: 'OKP', crv: 'Ed25519', x: row.public_jwk.x, kid: row.kid, alg: 'EdDSA', use: 'sig' });

function newKey(kernel: Kernel, agency: string): { kid: string; publicJwk: PublicJwk; privateJwk: JWK } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string' || typeof jwk.d !== 'string') throw new Error('Ed25519 key export gave no x or d');
  const day = kernel.now().toISOString().slice(0, 10).replaceAll('-', '');
  const kid = keyId(kernel.config.publicUrl, agency, `key-${day}-${randomBytes(4).toString('hex')}`);
  return { kid, publicJwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, privateJwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d } };
}

export function createKeyring(kernel: Kernel, store: DocumentsStore) {
  /** Makes `key` the agency's current key unless another became current first; the current one either way. */
  async function install(executor: Executor, agency: string, key: ReturnType<typeof newKey>): Promise<KeyRow> {
    if (await store.insertCurrentKey(executor, { kid: key.kid, agency, publicJwk: key.publicJwk, at: kernel.now() })) {
      await getOrCreateSecret(executor, secretName(key.kid), () => JSON.stringify(key.privateJwk));
    }
    const current = await store.currentKey(executor, agency);
    if (!current) throw new Error(`No current signing key for ${agency} right after one was installed`);
    return current;
  }

  return {
    /** The agency's current key with its private half, made on first use. */
    async signingKey(executor: Executor, agency: string): Promise<{ kid: string; privateJwk: JWK }> {
      const current = (await store.currentKey(executor, agency)) ?? await install(executor, agency, newKey(kernel, agency));
      const secret = await getOrCreateSecret(executor, secretName(current.kid), () => {
        throw new Error(`The private key of ${current.kid} is missing from the secret store`);
      });
      return { kid: current.kid, privateJwk: JSON.parse(secret) as JWK };
    },

    /** Retires the agency's current key (kept published) and makes a new one current, in `executor`'s transaction. */
    async rotate(executor: Executor, agency: string): Promise<{ kid: string; retired: string | undefined }> {
      const retired = await store.retireCurrentKey(executor, agency, kernel.now());
      const current = await install(executor, agency, newKey(kernel, agency));
      return { kid: current.kid, retired };
    },

    /** Every key ever used (current and retired), for one agency or all: a JWK Set. */
    async jwks(executor: Executor, agency?: string): Promise<PublishedJwks> {
      return { keys: (await store.listKeys(executor, agency)).map(publishedJwk) };
    },

    listKeys: (executor: Executor, agency?: string) => store.listKeys(executor, agency),
  };
}

export type Keyring = ReturnType<typeof createKeyring>;
