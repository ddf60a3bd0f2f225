import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '../db/index.js';

export const auditMigrations: MigrationSource = {
  name: 'kernel_audit',
  folder: fileURLToPath(new URL('./migrations', import.meta.url)),
};

export { createAuditTrail, AUDIT_CHAINS, AUDIT_LOG, type AuditDeps } from './trail.js';
export { createHashChain, DEFAULT_CHAINS, GENESIS_HASH, recordHash, chainFor, type ChainLog, type ChainSpec, type ChainRow, type ChainTables, type ChainDraft } from './chain.js';
export { canonicalJson } from './canonical.js';
export { appendDrafted, appendTogether, isMovedHead, type Drafter } from './append-together.js';
export { createGroupCommit, type GroupCommit, type GroupCommitOptions } from './group-commit.js';
export { generateSigningKey, signerFromPkcs8, verifySignature, type Signer } from './signing.js';
export { AuditErrors } from './errors.js';
export { purposeIn, purposeText } from './purposes.js';
export type * from './types.js';
