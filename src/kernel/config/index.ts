export { loadConfig, ConfigError } from './load.js';
export type { Config } from './schema.js';
export { ENV_NAMES, RAW_ED25519_PUBLIC_KEY } from './schema.js';
