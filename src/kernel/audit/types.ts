import type { Kysely } from 'kysely';

/** Who did something. `organisation` is the agency or member the actor acted for. */
export interface Actor {
  readonly kind: 'person' | 'staff' | 'client' | 'system' | 'anonymous';
  readonly id: string;
  readonly organisation?: string;
}

/** One audited event: who, acting for whom, did what, to whose data, why, in which request. */
export interface AuditEvent {
  readonly actor: Actor;
  /** The person or business the actor acted on behalf of (a clerk at a counter, a representative). */
  readonly onBehalfOf?: string;
  /** Dotted verb, e.g. `application.view`, `registry.record.read`, `auth.signin`. */
  readonly action: string;
  /** Whose personal data was touched: the person's account id (shown on "who used my data"). */
  readonly subject?: string;
  readonly resource?: { readonly type: string; readonly id: string };
  /** Purpose or legal basis of a read of personal data. */
  readonly purpose?: string;
  readonly requestId?: string;
  /** Small extra facts (field names read, outcome); never whole documents. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface AuditRecord extends AuditEvent {
  readonly id: string;
  readonly chain: number;
  readonly seq: number;
  readonly at: Date;
  readonly hash: string;
}

/** What `tongban audit verify` reports. */
export type VerifyResult =
  | { readonly ok: true; readonly records: number; readonly checkpoints: number }
  | { readonly ok: false; readonly records: number; readonly firstBad: { readonly chain: number; readonly seq: number; readonly id: string | undefined; readonly reason: string } };

/**
 * The audit trail port. `executor` is the caller's transaction (or the database), so an audit
 * record commits or rolls back with the change it describes.
 */
export interface AuditTrail {
  append(executor: Kysely<object>, event: AuditEvent): Promise<AuditRecord>;
  listBySubject(subject: string, options?: { limit?: number; before?: Date }): Promise<AuditRecord[]>;
  verify(): Promise<VerifyResult>;
}
