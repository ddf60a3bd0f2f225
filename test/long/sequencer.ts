import { relative, sep } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { FAMILY_SHARDED_FILES } from '../helpers/long-options.js';

/**
 * vitest's `--shard` for `test:long --shards N` (test/long/run.ts): the other files are split as
 * vitest splits them; the family-sharded fuzzing files go to every shard, where each runs only its
 * shard's families (TONGBAN_FUZZ_SHARD, test/helpers/scale.ts).
 */
export class FamilyShardSequencer extends BaseSequencer {
  override async shard(files: TestSpecification[]): Promise<TestSpecification[]> {
    const everywhere = (spec: TestSpecification) => FAMILY_SHARDED_FILES.includes(relative(this.ctx.config.root, spec.moduleId).split(sep).join('/'));
    const split = await super.shard(files.filter((spec) => !everywhere(spec)));
    return [...files.filter(everywhere), ...split];
  }
}
