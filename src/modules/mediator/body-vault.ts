import { randomBytes } from 'node:crypto';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import { getOrCreateSecret } from '../../kernel/secrets/index.js';
import { decodeKey32, open, seal, type Sealed } from '../../kernel/secrets/seal.js';
import './errors.js';
import { sha256 } from '../../kernel/digest.js';

/** Name of the generated key in the secret store (development and tests only). */
export const BODY_KEY_SECRET = 'mediator.body-key';

export type Part = 'request' | 'response';

/** One body sealed with AES-256-GCM. */
export type SealedBody = Sealed;

export interface BodyVault {
  readonly keyId: () => Promise<string>;
  seal(messageId: string, part: Part, plain: Buffer): Promise<SealedBody>;
  /** Throws TB_MEDIATOR_BODY_TAMPERED when the tag does not verify. */
  open(messageId: string, part: Part, sealed: SealedBody): Promise<Buffer>;
  /** Whether a key is there to seal with (production needs a configured one). */
  readonly available: boolean;
}

const decodeKey = (text: string): Buffer => {
  const key = decodeKey32(text);
  if (!key) throw new TongbanError('TB_MEDIATOR_INVALID', { detail: 'The mediator body key must be 32 bytes, base64' });
  return key;
};

/**
 * The key that seals stored bodies: the configured one, else (outside production) one generated
 * once in the secret store. It is resolved before any transaction (PGlite runs one at a time) and
 * kept in memory. The message id and part are the GCM additional data, so a sealed request cannot
 * be passed off as another exchange's, or as a response.
 */
export function createBodyVault(kernel: Pick<Kernel, 'db' | 'config'>): BodyVault {
  const configured = kernel.config.secrets.mediatorBodyKey;
  const production = kernel.config.env === 'production';
  let key: Promise<Buffer> | undefined;
  const keyOf = () => {
    if (configured !== undefined) key ??= Promise.resolve(decodeKey(configured));
    if (production && configured === undefined) {
      return Promise.reject(new TongbanError('TB_SECRETS_REQUIRED', { detail: 'secrets.mediatorBodyKey (TONGBAN_MEDIATOR_BODY_KEY) must be configured in production' }));
    }
    key ??= getOrCreateSecret(kernel.db, BODY_KEY_SECRET, () => randomBytes(32).toString('base64')).then(decodeKey);
    return key;
  };
  const aad = (messageId: string, part: Part) => `${messageId}/${part}`;

  return {
    available: configured !== undefined || !production,
    keyId: async () => sha256(await keyOf(), 'base64url').slice(0, 16),
    seal: async (messageId, part, plain) => seal(await keyOf(), aad(messageId, part), plain),
    async open(messageId, part, sealed) {
      const plain = open(await keyOf(), aad(messageId, part), sealed);
      if (!plain) throw new TongbanError('TB_MEDIATOR_BODY_TAMPERED', { detail: `The stored ${part} body of message ${messageId} does not verify` });
      return plain;
    },
  };
}
