import type { ModuleEntry } from '../../kernel/module.js';
import { helpPlugin } from './plugin.js';

export { INFO_PAGES, type InfoPage } from './content.js';
export { CONTACTS } from './contacts.js';

/** The help module's entry: static information pages, no tables and no service. */
export const helpModule: ModuleEntry<object> = {
  name: 'help',
  plugin: (app) => helpPlugin(app),
};
