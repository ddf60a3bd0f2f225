import type { Kysely } from 'kysely';
import type { ChainDraft, ChainLog, ChainSpec } from './chain.js';

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
  /**
   * Small extra facts (field names read, outcome); never whole documents. Over 4 KB of JSON, long
   * strings are cut and noted under `_truncated` (a reserved key) with their length and SHA-256 (ADR 36).
   */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface AuditRecord extends AuditEvent {
  readonly id: string;
  readonly chain: number;
  readonly seq: number;
  readonly at: Date;
  readonly hash: string;
}

/**
 * The first thing found wrong. For a missing record `id` is undefined and `seq` is the first
 * missing one. For a bad checkpoint `chain` and `seq` are -1 and `checkpoint` is its id.
 */
export interface BadEntry {
  readonly chain: number;
  readonly seq: number;
  readonly id: string | undefined;
  readonly reason: string;
  readonly checkpoint?: string;
}

/** What `tongban audit verify` reports. `from` is the signed checkpoint the walk was anchored at, if any. */
export type VerifyResult =
  | { readonly ok: true; readonly records: number; readonly checkpoints: number; readonly from?: CheckpointRef }
  | { readonly ok: false; readonly records: number; readonly firstBad: BadEntry };

export interface CheckpointRef { readonly id: string; readonly at: Date }

/**
 * Where a verification may start (ADR 35): at a signed checkpoint, named or the first one at or
 * after a time. Records older than it may be missing (a detached, archived partition); every
 * record still present is checked all the same.
 */
export type VerifyFrom = { readonly checkpoint: string } | { readonly at: Date };

export interface VerifyOptions {
  readonly from?: VerifyFrom;
  /** The Ed25519 public key (raw, base64url) checkpoints must be signed by; default: the configured signing key's. */
  readonly publicKey?: string;
  /**
   * The keys that signed checkpoints before `publicKey`, oldest first: their checkpoints verify up
   * to the first one signed by a newer key (ADR 39). Default: the configured retired keys.
   */
  readonly retiredKeys?: readonly string[];
}

/** A signed statement of every chain head at one moment. */
export interface CheckpointInfo {
  readonly id: string;
  readonly at: Date;
  /** Number of chains whose heads it covers. */
  readonly chains: number;
  /** Records it covers: the sum of the head sequence numbers. */
  readonly records: number;
  /** The Ed25519 public key (raw, base64url) that signed it. */
  readonly publicKey: string;
}

/** A hash-chained, checkpointed log that `tongban audit verify` can check. */
export interface VerifiableLog {
  readonly name: string;
  verify(options?: VerifyOptions): Promise<VerifyResult>;
  checkpoint(): Promise<CheckpointInfo>;
  /** One of this log's checkpoints by id, or undefined. */
  findCheckpoint(id: string): Promise<CheckpointRef | undefined>;
}

/** Narrows a subject's records; every filter is optional and they combine with "and". */
export interface SubjectQuery {
  readonly limit?: number;
  /** Strictly older than this. */
  readonly before?: Date;
  /** Strictly older than this record in (time, id) order: a cursor that never skips records sharing a time. */
  readonly olderThan?: { readonly at: Date; readonly id: string };
  /** At or after this. */
  readonly from?: Date;
  /** Strictly before this (e.g. the day after the last day asked for). */
  readonly to?: Date;
  /** Only records of actors acting for this agency (also those naming one of its mediator members or subsystems, written before ADR 56). */
  readonly organisation?: string;
  /** Leaves out what this actor did (a person's own actions on "who used my data"). */
  readonly notBy?: string;
  /** Only actors of these kinds. */
  readonly actorKinds?: readonly Actor['kind'][];
}

/**
 * The audit trail port. `executor` is the caller's transaction (or the database), so an audit
 * record commits or rolls back with the change it describes. Given the database, `append` is
 * `appendCommitted`: a transaction shared with other appends, resolved once it committed.
 */
export interface AuditTrail extends VerifiableLog {
  append(executor: Kysely<object>, event: AuditEvent): Promise<AuditRecord>;
  /**
   * Several events in one chain with one statement (a batch of exchanges committed together).
   * `options.ids` fixes the records' ids (one per event) so that a retried batch cannot append twice.
   */
  appendMany(executor: Kysely<object>, events: readonly AuditEvent[], options?: { readonly ids?: readonly string[] }): Promise<AuditRecord[]>;
  /** Which of these record ids are stored (a group commit after a failure: did it commit after all?). */
  present(executor: Kysely<object>, ids: readonly string[]): Promise<Set<string>>;
  /**
   * Events linked from a chain head this process holds in memory, for one statement with another
   * log's records (`appendDrafted`, docs/adr/0037-one-statement-appends.md). One id per event.
   */
  draft(executor: Kysely<object>, events: readonly AuditEvent[], ids: readonly string[], options?: { readonly lock?: boolean }): Promise<ChainDraft>;
  /**
   * Appends in a transaction of its own, group-committed with the appends that arrive while
   * another batch commits (docs/adr/0028-audited-read-batching.md): for records that describe no
   * change of the caller's (a read). Resolves once the record has committed.
   */
  appendCommitted(event: AuditEvent): Promise<AuditRecord>;
  /** Newest first; `before` pages back from the oldest record of the previous page. */
  listBySubject(subject: string, options?: SubjectQuery): Promise<AuditRecord[]>;
  /** One record about the subject, or undefined (also when it is about someone else). */
  recordFor(subject: string, id: string): Promise<AuditRecord | undefined>;
  /** Whether a record with this id exists, whoever it is about: only to log a refused read of someone else's record as a security event. */
  exists(id: string): Promise<boolean>;
  verify(options?: VerifyOptions): Promise<VerifyResult>;
  /** Signs every chain head now; run periodically (job or `tongban audit checkpoint`). */
  checkpoint(): Promise<CheckpointInfo>;
  /**
   * Another hash-chained log (the mediator's message log) signed with the audit key and checked
   * by `tongban audit verify`. Its tables follow the shape described in chain.ts.
   */
  createLog(spec: ChainSpec): ChainLog;
  /** Every log `tongban audit verify` checks: the trail itself first. */
  logs(): readonly VerifiableLog[];
}
