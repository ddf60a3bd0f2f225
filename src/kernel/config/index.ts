export { loadConfig, ConfigError } from './load.js';
export type { Config } from './schema.js';
export { ENV_NAMES } from './schema.js';
