import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One source file: its repository-relative posix path and its text. */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const IGNORED = new Set(['node_modules', '.git', '.tongban', 'dist', 'coverage', 'results']);

/** Every file under the given repository folders, relative posix paths, sorted. */
export function listFiles(dirs: readonly string[], root: string = repoRoot): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // a folder that does not exist yet (bench/, demo/) holds nothing to check
    }
    for (const entry of entries) {
      if (IGNORED.has(entry.name)) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else found.push(relative(root, full).split(sep).join('/'));
    }
  };
  for (const dir of dirs) walk(join(root, dir));
  return found.sort();
}

export const isTypeScript = (path: string): boolean => /\.(?:ts|tsx|mts|cts)$/.test(path) && !path.endsWith('.d.ts');
export const isTest = (path: string): boolean => /\.test\.tsx?$/.test(path);

/** The TypeScript sources under the given folders, read. */
export function readSources(dirs: readonly string[], root: string = repoRoot): SourceFile[] {
  return listFiles(dirs, root).filter(isTypeScript).map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }));
}

/** Formats violations for an assertion message: one per line, so a failure names every file. */
export function report(title: string, violations: readonly string[]): string {
  return `${title}:\n  - ${violations.join('\n  - ')}`;
}
