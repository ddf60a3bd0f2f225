import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from '../kernel/digest.js';

export const ASSETS_DIR = fileURLToPath(new URL('./assets/', import.meta.url));
export const ASSETS_PREFIX = '/assets/';

const versions = new Map<string, string>();

/**
 * The URL of an asset with its content hash, so it can be cached for a year (`immutable`) and a
 * new release still reaches every browser at once.
 */
export function assetUrl(file: string): string {
  let version = versions.get(file);
  if (version === undefined) {
    version = sha256(readFileSync(join(ASSETS_DIR, file)), 'hex').slice(0, 12);
    versions.set(file, version);
  }
  return `${ASSETS_PREFIX}${file}?v=${version}`;
}
