import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { ASSETS_DIR, ASSETS_PREFIX } from './assets.js';

/**
 * Serves src/ui/assets at /assets/. Layout links each file with a content hash (`assetUrl`), so a
 * year of `immutable` caching is safe. Encapsulated (no fastify-plugin): it adds routes only, and
 * `decorateReply: false` leaves `reply.sendFile` free for anyone else registering @fastify/static.
 */
export async function uiAssetsPlugin(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, {
    root: ASSETS_DIR,
    prefix: ASSETS_PREFIX,
    decorateReply: false,
    maxAge: '365d',
    immutable: true,
    index: false,
    list: false,
    dotfiles: 'deny',
  });
}
