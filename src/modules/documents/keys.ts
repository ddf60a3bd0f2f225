import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import { getOrCreateSecret, readSecret, replaceSecret } from '../../kernel/secrets/index.js';
import { decodeKey32, open, parseSealedText, seal, sealedText, type Sealed } from '../../kernel/secrets/seal.js';
import { keyId } from './credential.js';
import type { DocumentsStore, Executor, KeyRow, PublicJwk } from './store.js';

/**
 * One Ed25519 signing key per agency at a time. The private half is kept in the kernel's secret
 * store (`documents.signing-key.<kid>`), sealed with AES-256-GCM under the configured wrapping key
 * with the kid as additional data (ADR 40): a copy of the database (a backup, a replica, a dump)
 * cannot sign certificates, and a sealed key moved onto another kid does not open. The public half
 * is kept in documents_keys and published for ever, so rotating (a new current key, the old one
 * retired) leaves every earlier certificate verifiable. Generating a key is CPU work only, so it
 * may happen inside a transition's transaction.
 */

export const secretName = (kid: string) => `documents.signing-key.${kid}`;
/** Name of the generated wrapping key in the secret store (development and tests only). */
export const WRAPPING_KEY_SECRET = 'documents.wrapping-key';
/** What a sealed private key is bound to: its kid (GCM additional data). */
export const aadOf = (kid: string) => `documents.signing-key/${kid}`;

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

/** What `tongban keys reseal` did: kids moved onto the current wrapping key, and kids it could not open. */
export interface ResealReport {
  /** Sealed under an accepted wrapping key, or stored unsealed before ADR 40: now under the current one. */
  readonly resealed: readonly string[];
  /** Already under the current wrapping key. */
  readonly unchanged: number;
  /** Opened by no configured wrapping key, or missing from the secret store: left as they were. */
  readonly unopened: readonly string[];
}

/** A private key stored as plain JWK text before ADR 40, as bytes to seal; undefined for anything else. */
function unsealedJwk(stored: string): { plain: Buffer; current: false } | undefined {
  try {
    const jwk = JSON.parse(stored) as { kty?: unknown; crv?: unknown; d?: unknown };
    return jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.d === 'string' ? { plain: Buffer.from(stored, 'utf8'), current: false } : undefined;
  } catch {
    return undefined;
  }
}

export function createKeyring(kernel: Kernel, store: DocumentsStore) {
  const configured = kernel.config.secrets.certificateWrappingKey;
  const configuredKey = configured === undefined ? undefined : decodeKey32(configured);
  // Validated at start-up (config/load.ts); a key that did not decode could not open anything.
  const acceptedKeys = (kernel.config.secrets.certificateAcceptedWrappingKeys ?? []).flatMap((text) => decodeKey32(text) ?? []);
  let warnedUnsealed = false;
  let warnedAccepted = false;

  /**
   * The wrapping key: the configured one; outside production, one generated once in the secret
   * store (which protects nothing, but keeps development on the same path). Read in `executor`'s
   * transaction and not kept: a generated key must not outlive a transaction that rolled back.
   */
  async function wrappingKey(executor: Executor): Promise<Buffer> {
    if (configuredKey) return configuredKey;
    if (configured !== undefined || kernel.config.env === 'production') {
      throw new TongbanError('TB_SECRETS_REQUIRED', { detail: 'secrets.certificateWrappingKey (TONGBAN_CERTIFICATE_WRAPPING_KEY): 32 bytes, base64, required in production' });
    }
    const generated = decodeKey32(await getOrCreateSecret(executor, WRAPPING_KEY_SECRET, () => randomBytes(32).toString('base64')));
    if (!generated) throw new Error(`The stored ${WRAPPING_KEY_SECRET} is not 32 bytes of base64`);
    return generated;
  }

  /** The private half as stored: sealed, or (kept before ADR 40) plain JWK text, still read. */
  async function privateJwkOf(executor: Executor, kid: string, stored: string): Promise<JWK> {
    const sealed = parseSealedText(stored);
    if (!sealed) {
      if (!warnedUnsealed) {
        warnedUnsealed = true;
        kernel.log.warn({ kid }, 'a certificate signing key is stored unsealed (made before ADR 40): rotate it with `tongban keys rotate`');
      }
      return JSON.parse(stored) as JWK;
    }
    const opened = await openSealed(executor, kid, sealed);
    if (!opened) throw new Error(`The private key of ${kid} does not open with the configured TONGBAN_CERTIFICATE_WRAPPING_KEY nor any of TONGBAN_CERTIFICATE_ACCEPTED_WRAPPING_KEYS (another key, or changed bytes)`);
    if (!opened.current && !warnedAccepted) {
      warnedAccepted = true;
      kernel.log.warn({ kid }, 'a certificate signing key is sealed under an accepted wrapping key, not the current one: run `tongban keys reseal`');
    }
    return JSON.parse(opened.plain.toString('utf8')) as JWK;
  }

  /** Opens with the current wrapping key first, then each accepted one. */
  async function openSealed(executor: Executor, kid: string, sealed: Sealed): Promise<{ plain: Buffer; current: boolean } | undefined> {
    const plain = open(await wrappingKey(executor), aadOf(kid), sealed);
    if (plain) return { plain, current: true };
    for (const key of acceptedKeys) {
      const opened = open(key, aadOf(kid), sealed);
      if (opened) return { plain: opened, current: false };
    }
    return undefined;
  }

  /** One key of `reseal`: read, open, seal under `current`, replace if still the value read (twice at most). */
  async function resealOne(executor: Executor, current: Buffer, kid: string): Promise<'resealed' | 'unchanged' | 'unopened'> {
    const name = secretName(kid);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const stored = await readSecret(executor, name);
      if (stored === undefined) return 'unopened';
      const sealed = parseSealedText(stored);
      const opened = sealed ? await openSealed(executor, kid, sealed) : unsealedJwk(stored);
      if (!opened) return 'unopened';
      if (opened.current) return 'unchanged';
      if (await replaceSecret(executor, name, stored, sealedText(seal(current, aadOf(kid), opened.plain)))) return 'resealed';
      // Changed meanwhile (another instance's reseal): judge the new value.
    }
    return 'unopened';
  }

  /** Makes `key` the agency's current key unless another became current first; the current one either way. */
  async function install(executor: Executor, agency: string, key: ReturnType<typeof newKey>): Promise<KeyRow> {
    // Sealed first: without a wrapping key no key row is left behind without its private half.
    const wrapped = sealedText(seal(await wrappingKey(executor), aadOf(key.kid), Buffer.from(JSON.stringify(key.privateJwk), 'utf8')));
    if (await store.insertCurrentKey(executor, { kid: key.kid, agency, publicJwk: key.publicJwk, at: kernel.now() })) {
      await getOrCreateSecret(executor, secretName(key.kid), () => wrapped);
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
      return { kid: current.kid, privateJwk: await privateJwkOf(executor, current.kid, secret) };
    },

    /** Retires the agency's current key (kept published) and makes a new one current, in `executor`'s transaction. */
    async rotate(executor: Executor, agency: string): Promise<{ kid: string; retired: string | undefined }> {
      const retired = await store.retireCurrentKey(executor, agency, kernel.now());
      const current = await install(executor, agency, newKey(kernel, agency));
      return { kid: current.kid, retired };
    },

    /**
     * Seals every stored private key (current and retired, all agencies) under the current
     * wrapping key: those under an accepted key and those stored unsealed before ADR 40. Each is
     * replaced only if its stored value is still the one read (another instance's reseal or a
     * concurrent change wins), and one that opens under no configured key is left as it was.
     */
    async reseal(executor: Executor): Promise<ResealReport> {
      const current = await wrappingKey(executor);
      const resealed: string[] = [];
      const unopened: string[] = [];
      let unchanged = 0;
      for (const { kid } of await store.listKeys(executor)) {
        const outcome = await resealOne(executor, current, kid);
        if (outcome === 'resealed') resealed.push(kid);
        else if (outcome === 'unchanged') unchanged += 1;
        else unopened.push(kid);
      }
      return { resealed, unchanged, unopened };
    },

    /** Every key ever used (current and retired), for one agency or all: a JWK Set. */
    async jwks(executor: Executor, agency?: string): Promise<PublishedJwks> {
      return { keys: (await store.listKeys(executor, agency)).map(publishedJwk) };
    },

    listKeys: (executor: Executor, agency?: string) => store.listKeys(executor, agency),
  };
}

export type Keyring = ReturnType<typeof createKeyring>;
