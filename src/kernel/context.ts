import type { Logger } from 'pino';
import type { AuditTrail } from './audit/types.js';
import type { Config } from './config/index.js';
import type { Database, Db } from './db/index.js';
import type { JobQueue } from './jobs/types.js';
import type { Resolve } from './net/pinned.js';

/** What the kernel hands every module's service: built once at start-up. */
export interface Kernel {
  readonly config: Config;
  readonly database: Database;
  readonly db: Db;
  readonly log: Logger;
  readonly audit: AuditTrail;
  readonly jobs: JobQueue;
  /** The one clock; tests pass a fixed one. */
  readonly now: () => Date;
  /**
   * The DNS resolver of outbound calls to addresses callers chose (src/kernel/net/pinned.ts);
   * absent: the system resolver. Tests pass one that answers without a network.
   */
  readonly resolve?: Resolve;
}
