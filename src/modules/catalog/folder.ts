import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** One file of an import: its name (for messages) and its parsed JSON. */
export interface DefinitionFile {
  readonly file: string;
  readonly json: unknown;
}

/** Agencies first, then service definitions: what `tongban import` and the demo seed load. */
export interface DefinitionBundle {
  readonly agencies?: DefinitionFile;
  readonly services: readonly DefinitionFile[];
}

/** A problem in one file of an import, located by JSON Pointer ("" is the whole file). */
export interface FileProblem {
  readonly file: string;
  readonly pointer: string;
  readonly detail: string;
}

export const AGENCIES_FILE = 'agencies.json';

/**
 * Reads `agencies.json` (optional) and every other `*.json` directly in `dir`, in name order.
 * A file that is not JSON is a problem, not an exception, so one run reports every bad file.
 */
export async function loadDefinitionFolder(dir: string): Promise<{ bundle: DefinitionBundle; problems: FileProblem[] }> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => e.name)
    .sort();
  const problems: FileProblem[] = [];
  const files: DefinitionFile[] = [];
  for (const name of names) {
    const file = join(dir, name);
    try {
      files.push({ file, json: JSON.parse(await readFile(file, 'utf8')) as unknown });
    } catch (error) {
      problems.push({ file, pointer: '', detail: `is not valid JSON: ${(error as Error).message}` });
    }
  }
  if (names.length === 0) problems.push({ file: dir, pointer: '', detail: 'holds no .json files' });
  const agencies = files.find((f) => basename(f.file) === AGENCIES_FILE);
  return { bundle: { ...(agencies ? { agencies } : {}), services: files.filter((f) => f !== agencies) }, problems };
}
