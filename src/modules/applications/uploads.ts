import { newId } from '../../kernel/ids.js';
import type { Kernel } from '../../kernel/context.js';
import { withIdempotency, type IdempotencyClaim } from '../../kernel/idempotency/index.js';
import { checkFile, type FileCheck, type Upload } from './journey.js';
import type { ApplicationsStore, Executor } from './store.js';
import { sha256 } from '../../kernel/digest.js';

/** Uploads not yet attached to an application are kept this long, then deleted by a job. */
export const UPLOAD_LIFETIME_MS = 24 * 3_600_000;
export const UPLOAD_EXPIRY_QUEUE = 'applications.upload.expire';

/** Who owns a kept upload: a person's account id, or `client:<id>` for a system. */
export type UploadOwner = string;

export interface KeptUpload {
  readonly id: string;
  /** What the uploader said the file is, e.g. the service's document id `premises_proof`. */
  readonly label: string | null;
  readonly name: string;
  readonly type: string;
  readonly size: number;
  readonly expiresAt: Date;
}

export type KeepResult = { readonly ok: true; readonly upload: KeptUpload } | Extract<FileCheck, { ok: false }>;

/**
 * Files uploaded before the application that will use them exists (the GovStack `POST
 * /documents`): checked as a browser upload is, kept with their owner for a day, and copied into
 * an application's files when its documents page is saved with them (then discarded).
 */
export function createKeptUploads({ kernel, store }: { kernel: Kernel; store: Pick<ApplicationsStore, 'insertUpload' | 'getUpload' | 'deleteUploads' | 'deleteExpiredUpload'> }) {
  const db: Executor = kernel.db;
  kernel.jobs.register<{ id: string }>(UPLOAD_EXPIRY_QUEUE, ({ id }) => store.deleteExpiredUpload(db, id, kernel.now()));

  return {
    /**
     * Checks the file like a web upload (size, sniffed type, claim) and keeps it for its owner.
     * With an Idempotency-Key claim the key is recorded in the same transaction (ADR 31): a retry keeps no second file.
     */
    async keepUpload(owner: UploadOwner, upload: Omit<Upload, 'fieldId'>, label: string | null, options: { idempotency?: IdempotencyClaim | undefined } = {}): Promise<KeepResult> {
      const checked = checkFile(upload);
      if (!checked.ok) return checked;
      const at = kernel.now();
      const row = {
        id: newId(), owner, label, display_name: checked.name, content_type: checked.type, size: upload.content.length,
        sha256: sha256(upload.content, 'hex'), content: upload.content,
        uploaded_at: at, expires_at: new Date(at.getTime() + UPLOAD_LIFETIME_MS),
      };
      const kept: KeepResult = { ok: true, upload: { id: row.id, label, name: row.display_name, type: row.content_type, size: row.size, expiresAt: row.expires_at } };
      return db.transaction().execute((tx) => withIdempotency(tx, options.idempotency, async () => {
        await store.insertUpload(tx, row);
        await kernel.jobs.enqueue(tx, UPLOAD_EXPIRY_QUEUE, { id: row.id }, { runAt: row.expires_at, key: row.id });
        return kept;
      }));
    },

    /** The owner's unexpired upload with its bytes; undefined for anyone else's, so its existence is not learnt. */
    async keptUpload(id: string, owner: UploadOwner): Promise<(KeptUpload & { content: Uint8Array }) | undefined> {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
      const row = await store.getUpload(db, id.toLowerCase(), owner, kernel.now());
      return row && { id: row.id, label: row.label, name: row.display_name, type: row.content_type, size: row.size, expiresAt: row.expires_at, content: row.content };
    },

    /** Drops uploads once an application holds their copies. */
    async discardUploads(ids: readonly string[], owner: UploadOwner): Promise<void> {
      await store.deleteUploads(db, ids, owner);
    },
  };
}
