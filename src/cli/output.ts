/** Where a command writes its lines; tests pass their own to read them. */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

/** Standard output for results, standard error for refusals and warnings. */
export const standardOutput: CliOutput = {
  out: (line) => { process.stdout.write(`${line}\n`); },
  err: (line) => { process.stderr.write(`${line}\n`); },
};
