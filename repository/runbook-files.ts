// Runbooks on disk, for the CLI and the receiver: files or folders for `validate`, and the
// runbooks beside a file (by `name:`) for child `runbook:` steps.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { ActionCatalog, RunbookResolver } from '../dsl/catalog';
import { compileRunbook, type CompileResult } from '../dsl/compile';
import { LOAD_LIMITS } from '../dsl/load';

export const YAML_FILE = /\.ya?ml$/;

/** Files named on the command line, folders expanded (recursively) to their YAML files. */
export function expandPaths(paths: string[]): { files: string[]; unreadable: Array<{ file: string; reason: string }> } {
  const files: string[] = [];
  const unreadable: Array<{ file: string; reason: string }> = [];
  for (const p of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(p).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      unreadable.push({ file: p, reason: code === 'ENOENT' ? 'no such file or directory' : `cannot read (${code})` });
      continue;
    }
    if (!isDirectory) {
      files.push(p);
      continue;
    }
    for (const entry of readdirSync(p, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(p, entry.name);
      if (entry.isDirectory()) {
        const nested = expandPaths([full]);
        files.push(...nested.files);
        unreadable.push(...nested.unreadable);
      } else if (YAML_FILE.test(entry.name)) {
        files.push(full);
      }
    }
  }
  return { files, unreadable };
}

/** Reads a runbook, refusing oversized files before reading them. */
export function readRunbookText(file: string): string {
  const size = statSync(file).size;
  // The loader reports the limit with a position; read only enough to let it.
  if (size > LOAD_LIMITS.maxBytes) return ' '.repeat(LOAD_LIMITS.maxBytes + 1);
  return readFileSync(file, 'utf8');
}

/**
 * Runbooks by `name:` in each folder, for child `runbook:` steps. A folder is indexed once, however
 * many of its runbooks are compiled with the same instance (validate a folder, load the receiver).
 */
export class RunbookFolders {
  private readonly indexes = new Map<string, Map<string, string>>();

  /** Finds runbooks in the folder of `file`. */
  resolverFor(file: string): RunbookResolver {
    const dir = path.dirname(file);
    return (name) => {
      let index = this.indexes.get(dir);
      if (!index) {
        index = indexFolder(dir);
        this.indexes.set(dir, index);
      }
      const found = index.get(name);
      return found ? { file: path.relative(process.cwd(), found) || found, text: readRunbookText(found) } : undefined;
    };
  }
}

function indexFolder(dir: string): Map<string, string> {
  const index = new Map<string, string>();
  for (const entry of readdirSync(dir)) {
    if (!YAML_FILE.test(entry)) continue;
    const file = path.join(dir, entry);
    try {
      if (statSync(file).size > LOAD_LIMITS.maxBytes) continue;
      const name = parseDocument(readFileSync(file, 'utf8')).get('name');
      if (typeof name === 'string' && !index.has(name)) index.set(name, file);
    } catch {
      // Unreadable files are reported when validated themselves.
    }
  }
  return index;
}

export function compileFile(file: string, catalog: ActionCatalog, folders = new RunbookFolders()): CompileResult {
  return compileRunbook(readRunbookText(file), path.relative(process.cwd(), file) || file, { catalog, resolve: folders.resolverFor(file) });
}
