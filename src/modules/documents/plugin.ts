import type { FastifyInstance } from 'fastify';
import { registerDocumentsPages } from './routes-pages.js';
import { registerDocumentsRoutes } from './routes.js';
import type { DocumentsService } from './service.js';

/** The documents module's routes: keys, verification API and pages, the holder's and officers' pages. */
export async function documentsPlugin(app: FastifyInstance, services: { documents: DocumentsService }): Promise<void> {
  registerDocumentsRoutes(app, services.documents);
  registerDocumentsPages(app, services.documents);
  return Promise.resolve();
}
