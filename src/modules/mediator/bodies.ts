import type { Actor, AuditTrail } from '../../kernel/audit/types.js';
import { TongbanError } from '../../kernel/http/index.js';
import './errors.js';
import type { BodyVault, Part } from './body-vault.js';
import { auditExchangeRead } from './exchange-records.js';
import type { PersonDirectory } from './memo.js';
import { sha256 } from './message-log.js';
import type { BodiesRow, MediatorStore } from './store.js';

/** Who asks to read stored bodies, and why (the purpose lands in the audit trail). */
export interface BodyReader {
  readonly actor: Actor;
  /** Only platform administrators may read stored bodies. */
  readonly platformAdmin: boolean;
  readonly purpose: string;
  readonly requestId?: string;
}

export interface StoredBodies {
  readonly messageId: string;
  readonly service: string | null;
  readonly client: string | null;
  readonly request: Buffer;
  readonly response: Buffer;
}

const sealedOf = (row: BodiesRow, part: Part) => ({
  iv: Buffer.from(row[`${part}_iv`]), tag: Buffer.from(row[`${part}_tag`]), body: Buffer.from(row[`${part}_body`]),
});

/**
 * Decrypts the bodies stored for one exchange. Each must pass its GCM tag and hash to the digest
 * the hash-chained log row holds, so a body swapped in from elsewhere is refused too. The read is
 * audited with the person as subject: stored bodies are usually that person's data.
 */
export async function readStoredBodies(deps: { store: MediatorStore; vault: BodyVault; audit: AuditTrail; people: PersonDirectory | undefined }, messageId: string, reader: BodyReader): Promise<StoredBodies> {
  if (!reader.platformAdmin) throw new TongbanError('TB_MEDIATOR_FORBIDDEN', { detail: 'Only a platform administrator may read stored bodies' });
  const purpose = reader.purpose.trim();
  if (!purpose) throw new TongbanError('TB_MEDIATOR_INVALID', { detail: 'Say why the bodies are read: the purpose is audited' });
  const [log] = await deps.store.byMessageId(messageId);
  if (!log) throw new TongbanError('TB_MEDIATOR_EXCHANGE_NOT_FOUND', { detail: `No message ${messageId}` });
  const row = await deps.store.getBodies(messageId);
  if (!row) throw new TongbanError('TB_MEDIATOR_NO_BODIES', { detail: `Service ${log.service ?? ''} did not store bodies for message ${messageId}` });
  if (row.key_id !== await deps.vault.keyId()) throw new TongbanError('TB_MEDIATOR_BODY_KEY_CHANGED', { detail: `Sealed under key ${row.key_id}` });

  const request = await deps.vault.open(messageId, 'request', sealedOf(row, 'request'));
  const response = await deps.vault.open(messageId, 'response', sealedOf(row, 'response'));
  if (sha256(request) !== log.request_digest || sha256(response) !== log.response_digest) {
    throw new TongbanError('TB_MEDIATOR_BODY_TAMPERED', { detail: `The bodies of message ${messageId} do not match the logged digests` });
  }
  await auditExchangeRead(deps.audit, deps.store.db, deps.people, log, {
    actor: reader.actor, action: 'mediator.body.read', resource: { type: 'mediator-message', id: messageId }, purpose: purpose.slice(0, 500),
    details: { service: log.service, client: log.client, requestBytes: request.length, responseBytes: response.length },
    ...(reader.requestId ? { requestId: reader.requestId } : {}),
  });
  return { messageId, service: log.service, client: log.client, request, response };
}
