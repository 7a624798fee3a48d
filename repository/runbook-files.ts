// Runbooks on disk, for the CLI and the receiver: files or folders for `validate`, and where a
// child `runbook:` step's runbook is found (by `name:`): beside its parent first, then in the
// served folders (RUNBOOK_DIR) in their order, like PATH.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { ActionCatalog, RunbookResolver } from '../dsl/catalog';
import { CompiledChildren, compileRunbook, type CompileResult } from '../dsl/compile';
import { fileTooLarge, LOAD_LIMITS } from '../dsl/load';
import { TEST_FILE } from '../dsl/test-file';

export const YAML_FILE = /\.ya?ml$/;

/** A runbook's file: YAML, and not a test file (`<name>.test.yaml`, dsl/test-file.ts). */
export const isRunbookFile = (name: string): boolean => YAML_FILE.test(name) && !TEST_FILE.test(name);

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

/**
 * Runbooks by `name:` in each folder, for child `runbook:` steps. A folder is indexed once, and a
 * child compiled once, however many runbooks are compiled with the same instance (validate a
 * folder, load the served runbooks).
 */
export class RunbookFolders {
  private readonly indexes = new Map<string, Map<string, string>>();
  readonly compiledChildren = new CompiledChildren();
  private readonly searchPath: readonly string[];

  /** `searchPath`: the served folders, searched in order after the parent's own folder. */
  constructor(searchPath: readonly string[]) {
    this.searchPath = searchPath.map((d) => path.resolve(d));
  }

  /** Finds runbooks beside `file`, then in the search path. */
  resolverFor(file: string): RunbookResolver {
    return (name) => {
      const found = this.pathOf(file, name);
      // The index holds no file over the size limit; one that grew since is refused by the loader.
      return found ? { file: displayPath(found), text: readFileSync(found, 'utf8') } : undefined;
    };
  }

  /** The file of the runbook named `name`: in the folder of `file`, else the first folder of the search path that has one. */
  pathOf(file: string, name: string): string | undefined {
    for (const dir of new Set([path.resolve(path.dirname(file)), ...this.searchPath])) {
      const found = this.index(dir).get(name);
      if (found) return found;
    }
    return undefined;
  }

  /** The file of the runbook named `name` in the folder of `file` only (a test file's runbook). */
  besideOf(file: string, name: string): string | undefined {
    return this.index(path.resolve(path.dirname(file))).get(name);
  }

  private index(dir: string): ReadonlyMap<string, string> {
    let index = this.indexes.get(dir);
    if (!index) {
      index = indexFolder(dir);
      this.indexes.set(dir, index);
    }
    return index;
  }
}

function indexFolder(dir: string): Map<string, string> {
  const index = new Map<string, string>();
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    // A served folder that cannot be read is reported where the folders are loaded.
    return index;
  }
  for (const entry of entries) {
    if (!isRunbookFile(entry)) continue;
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

/** Compiles a runbook file; one over the size limit is refused before it is read. */
export function compileFile(file: string, catalog: ActionCatalog, folders: RunbookFolders): CompileResult {
  const tooLarge = fileTooLarge(displayPath(file), statSync(file).size);
  if (tooLarge) return { diagnostics: [tooLarge] };
  return compileRunbook(readFileSync(file, 'utf8'), displayPath(file), {
    catalog,
    resolve: folders.resolverFor(file),
    compiledChildren: folders.compiledChildren,
  });
}

const displayPath = (file: string) => path.relative(process.cwd(), file) || file;
