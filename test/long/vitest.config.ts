import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../../vitest.config.js';
import { FamilyShardSequencer } from './sequencer.js';

/** The project's config with the sequencer that gives the fuzzing files to every shard (`test:long --shards N`). */
export default mergeConfig(base, defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: { sequence: { sequencer: FamilyShardSequencer } },
}));
