/**
 * How big the long-running suites (tamper mutations, crash trials, fuzzing) are: small inside
 * `npm test`, full with `npm run test:long` (TONGBAN_TEST_LONG=1). Every such suite prints the
 * figure it reached, so a run says what it proved.
 */
export const longRun = process.env.TONGBAN_TEST_LONG === '1';

/** Runs per fuzzing family for a measurement (TONGBAN_FUZZ_RUNS); neither `npm test` nor `test:long` sets it. */
export const fuzzRunsOverride: number | undefined = Number(process.env.TONGBAN_FUZZ_RUNS) || undefined;

export function scaled(small: number, full: number): number {
  return longRun ? full : small;
}

/** Prints a suite's figure on its own line, so it shows in CI's output whatever the reporter. */
export function reportFigure(line: string): void {
  process.stdout.write(`\n[figure] ${line}\n`);
}
