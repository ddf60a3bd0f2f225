import { fileURLToPath } from 'node:url';
import type { ModuleEntry } from '../../kernel/module.js';
import { messagingPlugin } from './plugin.js';
import type { MessagingService } from './service.js';

export { createMessagingService, DELIVER_QUEUE, type AccountLookup, type Message, type MessagePage, type MessageStatus, type MessagingService, type NotifyInput } from './service.js';
export { TEMPLATES, TEMPLATE_IDS, type TemplateId, type TemplateParams } from './templates.js';
export { MessagingErrors } from './errors.js';
export { MESSAGING_BASE, SEND_SCOPE } from './routes-govstack.js';

/** The messaging module's entry: notifications, their outbox, the Messages and outbox pages. */
export const messagingModule: ModuleEntry<{ messaging: MessagingService }> = {
  name: 'messaging',
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  plugin: (app, { kernel, services }) => messagingPlugin(app, services, kernel),
};
