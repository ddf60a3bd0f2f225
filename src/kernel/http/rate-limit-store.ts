import { createRequire } from 'node:module';
import { sql, type Kysely } from 'kysely';

/** The answer @fastify/rate-limit expects of a store: hits in the window, and ms until it ends. */
interface Count { readonly current: number; readonly ttl: number }
type Done = (error: Error | null, result?: Count) => void;

/** @fastify/rate-limit's store contract (its `store` option), as far as Tongban uses it. */
export interface RateLimitStore {
  incr(key: string, done: Done, timeWindow: number, max: number): void;
  read(key: string, done: Done, timeWindow: number, max: number): void;
  child(params: object): RateLimitStore;
}

interface LocalStoreConstructor { new (continueExceeding: boolean, exponentialBackoff: boolean, cache?: number): RateLimitStore }
// The plugin's own in-memory store (no types of its own): per instance, for the API limit.
const LocalStore = createRequire(import.meta.url)('@fastify/rate-limit/store/LocalStore.js') as LocalStoreConstructor;

type Tables = { kernel_rate_limit: { key: string; window_started_at: Date; hits: number } };

/** Windows that ended this long ago are deleted, at most once per this long per instance. */
const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Counts in the database, shared by every instance (ADR 57): a route whose rate-limit config says
 * `shared: true` (the sign-in steps) draws from one allowance per address however many instances
 * answer it. One upsert per attempt: a fixed window that starts again once it has passed.
 */
class SharedStore implements RateLimitStore {
  private lastPrune = 0;
  constructor(private readonly db: Kysely<Tables>, private readonly route: string) {}

  incr(key: string, done: Done, timeWindow: number): void {
    const now = new Date();
    const expired = new Date(now.getTime() - timeWindow);
    const id = `${this.route} ${key}`;
    this.prune(now, timeWindow);
    this.db.insertInto('kernel_rate_limit').values({ key: id, window_started_at: now, hits: 1 })
      .onConflict((c) => c.column('key').doUpdateSet({
        hits: sql<number>`case when kernel_rate_limit.window_started_at <= ${expired} then 1 else kernel_rate_limit.hits + 1 end`,
        window_started_at: sql<Date>`case when kernel_rate_limit.window_started_at <= ${expired} then ${now} else kernel_rate_limit.window_started_at end`,
      }))
      .returning(['hits', 'window_started_at'])
      .executeTakeFirstOrThrow()
      .then((row) => { done(null, { current: row.hits, ttl: remaining(row.window_started_at, timeWindow, now) }); }, (error: Error) => { done(error); });
  }

  read(key: string, done: Done, timeWindow: number): void {
    const now = new Date();
    this.db.selectFrom('kernel_rate_limit').select(['hits', 'window_started_at']).where('key', '=', `${this.route} ${key}`).executeTakeFirst()
      .then((row) => {
        const live = row !== undefined && remaining(row.window_started_at, timeWindow, now) > 0;
        done(null, live ? { current: row.hits, ttl: remaining(row.window_started_at, timeWindow, now) } : { current: 0, ttl: 0 });
      }, (error: Error) => { done(error); });
  }

  child(): RateLimitStore {
    return this;
  }

  private prune(now: Date, timeWindow: number): void {
    if (now.getTime() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now.getTime();
    this.db.deleteFrom('kernel_rate_limit').where('window_started_at', '<', new Date(now.getTime() - timeWindow - PRUNE_EVERY_MS)).execute().catch(() => {});
  }
}

const remaining = (started: Date, timeWindow: number, now: Date) => Math.max(0, new Date(started).getTime() + timeWindow - now.getTime());

/**
 * The `store` for @fastify/rate-limit: in memory per instance, except for routes that say
 * `shared: true` in their rate-limit config, counted in the database when there is one.
 */
export function rateLimitStore(db: Kysely<object> | undefined): new (params: object) => RateLimitStore {
  return class KernelRateLimitStore implements RateLimitStore {
    private readonly local: RateLimitStore;
    constructor(params: object) {
      const { continueExceeding, exponentialBackoff } = params as { continueExceeding?: unknown; exponentialBackoff?: unknown };
      this.local = new LocalStore(continueExceeding === true, exponentialBackoff === true);
    }
    incr(key: string, done: Done, timeWindow: number, max: number): void { this.local.incr(key, done, timeWindow, max); }
    read(key: string, done: Done, timeWindow: number, max: number): void { this.local.read(key, done, timeWindow, max); }
    child(params: object): RateLimitStore {
      const { shared, routeInfo } = params as { shared?: unknown; routeInfo?: { method?: unknown; url?: unknown } };
      if (shared === true && db !== undefined) {
        const text = (value: unknown) => (Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : '');
        return new SharedStore(db as Kysely<Tables>, `${text(routeInfo?.method)} ${text(routeInfo?.url)}`);
      }
      return this.local.child(params);
    }
  };
}
