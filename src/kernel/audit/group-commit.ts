import type { Kysely } from 'kysely';

/**
 * Group commit for append-only logs (docs/adr/0016-mediator-performance.md,
 * docs/adr/0028-audited-read-batching.md): while one batch commits, the items that arrive meanwhile
 * queue, and the next transaction writes all of them. Nobody waits for a timer: a lone item commits
 * at once. Every submitter is answered only after the transaction holding its item committed.
 *
 * Items carry identities fixed before the first try (record ids), so a retry writes the same rows
 * again: when a batch fails, the items already in the database are answered as committed (the
 * commit went through but its acknowledgement was lost), and each of the others is tried alone, so
 * one bad item fails only its own submitter. A retry of an item that did commit after all meets its
 * own primary key and fails; it is then found present and answered as committed, never written twice.
 */
export interface GroupCommitOptions<T> {
  readonly db: Kysely<object>;
  /**
   * Writes a batch in the transaction given; with `transaction: false`, given the database, in one
   * atomic statement or a transaction of its own (append-together.ts).
   */
  readonly write: (executor: Kysely<object>, batch: readonly T[]) => Promise<void>;
  /** Whether the group commit opens the batch's transaction (default true). */
  readonly transaction?: boolean;
  /** Which of these items are in the database (after a failure: did it commit after all?). */
  readonly present: (db: Kysely<object>, items: readonly T[]) => Promise<ReadonlySet<T>>;
  /** The most items one transaction writes: bounds a statement's size and how long its callers wait. */
  readonly maxBatch: number;
  /**
   * How many batch transactions may be committing at once (default 1). With 2, items arriving while
   * one batch commits start the next at once instead of waiting for it: at a moderate rate an item
   * waits for its own commit only, not for the rest of the one ahead (docs/performance.md). Worth it
   * only with a connection pool (PostgreSQL); each batch still answers its items after its own commit.
   */
  readonly concurrency?: number;
}

export interface GroupCommit<T> {
  /** Resolves once a transaction holding `item` has committed; rejects if none did. */
  submit(item: T): Promise<void>;
  /** Items committed and the transactions that committed them, since start. */
  stats(): { readonly records: number; readonly transactions: number };
}

interface Pending<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export function createGroupCommit<T>(options: GroupCommitOptions<T>): GroupCommit<T> {
  const { db, write, present, maxBatch } = options;
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const queue: Pending<T>[] = [];
  /** Batches started (scheduled or committing) and whether one is scheduled but has not taken its items yet. */
  let inFlight = 0;
  let scheduled = false;
  let records = 0;
  let transactions = 0;

  const commit = async (batch: readonly Pending<T>[]) => {
    const items = batch.map((p) => p.item);
    if (options.transaction === false) await write(db, items);
    else await db.transaction().execute((tx) => write(tx, items));
    records += batch.length;
    transactions += 1;
  };

  /** After a failed write: the items of `batch` that are in the database nonetheless, or the error if that cannot be told. */
  const committedOf = async (batch: readonly Pending<T>[]): Promise<ReadonlySet<T> | undefined> => {
    try {
      return await present(db, batch.map((p) => p.item));
    } catch {
      return undefined;
    }
  };

  const retryAlone = async (p: Pending<T>) => {
    try {
      await commit([p]);
      p.resolve();
    } catch (error) {
      const there = await committedOf([p]);
      if (there?.has(p.item)) p.resolve();
      else p.reject(error);
    }
  };

  const flush = async () => {
    scheduled = false;
    const batch = queue.splice(0, maxBatch);
    try {
      await commit(batch);
      for (const p of batch) p.resolve();
    } catch (error) {
      const there = await committedOf(batch);
      if (there === undefined) {
        // The database cannot even say what it holds: down. Nobody is answered as logged.
        for (const p of batch) p.reject(error);
      } else {
        for (const p of batch) {
          if (there.has(p.item)) p.resolve();
          else if (batch.length === 1) p.reject(error);
          else await retryAlone(p);
        }
      }
    } finally {
      inFlight -= 1;
      kick();
    }
  };

  // setImmediate: items submitted in the same turn of the event loop join the batch. At most one
  // batch is scheduled and not yet started, so a second slot is used only by items that arrive
  // while a batch is already committing.
  function kick(): void {
    if (scheduled || inFlight >= concurrency || queue.length === 0) return;
    scheduled = true;
    inFlight += 1;
    setImmediate(() => { void flush(); });
  }

  return {
    stats: () => ({ records, transactions }),
    submit(item) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        kick();
      });
    },
  };
}
