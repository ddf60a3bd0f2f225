import type { BenchDatabase } from './lib/tongban.js';
import type { BenchOptions } from './options.js';
import type { Measured } from './report.js';

/**
 * One benchmark scenario (issue 8): measures Tongban against a bare baseline in the same run, on
 * the database it is given, and reports each figure as soon as it is measured.
 */
export interface ScenarioContext {
  readonly options: BenchOptions;
  /** A fresh, empty database of one kind; the harness drops it afterwards. */
  readonly database: BenchDatabase;
  report(figure: Measured): void;
  /** A line of progress or explanation, printed but not recorded. */
  note(line: string): void;
}

export interface Scenario {
  /** What `--only` selects and figure names start with. */
  readonly name: string;
  readonly summary: string;
  run(context: ScenarioContext): Promise<void>;
}
