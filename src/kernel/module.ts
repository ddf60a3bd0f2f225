import type { FastifyInstance } from 'fastify';
import type { Kernel } from './context.js';

/**
 * How a capability plugs into the app: its migration history, its Fastify plugin (routes and
 * pages, encapsulated), and its demo data. Its service is built in src/modules/index.ts so that
 * dependencies between services stay explicit and typed.
 */
export interface ModuleEntry<S> {
  readonly name: string;
  /** Absolute path of the module's migrations folder, if it owns tables. */
  readonly migrations?: string;
  readonly plugin?: (app: FastifyInstance, context: { kernel: Kernel; services: S }) => Promise<void>;
  /** Idempotent demo data: running it twice changes nothing. */
  readonly seed?: (context: { kernel: Kernel; services: S }) => Promise<void>;
}
