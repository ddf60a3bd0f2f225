import { fileURLToPath } from 'node:url';
import type { ModuleEntry } from '../../kernel/module.js';
import { documentsPlugin } from './plugin.js';
import type { DocumentsService } from './service.js';

export { createDocumentsService, DocumentsErrors, verifyCredential, type CertificateSummary, type DocumentsService, type Verification } from './service.js';

/** The documents module's entry: verifiable certificates, their PDF, verification and revocation. */
export const documentsModule: ModuleEntry<{ documents: DocumentsService }> = {
  name: 'documents',
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  plugin: (app, { services }) => documentsPlugin(app, services),
};
