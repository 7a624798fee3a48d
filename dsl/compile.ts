// Runbook text -> diagnostics, and when there are no errors, the CompiledRunbook that becomes
// the workflow input. Child runbooks are compiled in, so a run never reads a file.
import type { ActionCatalog, RunbookResolver } from './catalog';
import { checkSemantics } from './check';
import { compileConcurrency } from './guard';
import { COMPILED_FORMAT, type CompiledRunbook } from './compiled';
import { FAIL, type CompensateStep, type HumanFallback, type RetryPolicyJson, type StepBase } from './compiled-base';
import { definitionHash } from './definition-hash';
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics';
import { parseDuration } from './durations';
import { kindByKey, type CompiledStep } from './kinds';
import { DEFAULTS } from './kinds/defaults';
import type { ChildInfo, CompileContext } from './kinds/kind';
import { loadYaml, type Loaded, type Path, type SourceMap } from './load';
import type { RunbookDoc } from './schema';
import type { CommonStepDoc, RetryDoc } from './schema-parts';
import { secretNames } from './secrets';
import { checkRunbookShape } from './shape';
import { buildTree, normalSuccessor, type Tree } from './tree';
import { isRecord, memberOf } from './values';
import type { HumanDoc } from './schema-parts';
import { reminders } from './kinds/reminders';

export interface CompileOptions {
  catalog: ActionCatalog;
  resolve: RunbookResolver;
  /** Children already compiled for other parents with the same catalog and resolver; see CompiledChildren. */
  compiledChildren?: CompiledChildren;
}

export interface CompileResult {
  runbook?: CompiledRunbook;
  diagnostics: Diagnostic[];
}

export function compileRunbook(text: string, file: string, options: CompileOptions): CompileResult {
  return new Compilation(options).compile(text, file, []);
}

/**
 * Child runbooks compiled once for many parents: validating a folder where every runbook runs
 * `notify-oncall`, or loading the served runbooks. Only children that compiled cleanly are kept,
 * keyed by file and text; one is reused only where it cannot close a cycle (no runbook below it
 * is on the new parent's stack), so every result is what a fresh compilation would give.
 */
export class CompiledChildren {
  private readonly entries = new Map<string, CompiledChild>();

  get(file: string, text: string, stack: string[]): CompiledChild | undefined {
    const entry = this.entries.get(`${file}\0${text}`);
    return entry && !stack.some((name) => entry.below.has(name)) ? entry : undefined;
  }

  set(file: string, text: string, entry: Omit<CompiledChild, 'below'>): void {
    this.entries.set(`${file}\0${text}`, { ...entry, below: namesBelow(entry.runbook) });
  }
}

function namesBelow(runbook: CompiledRunbook, into = new Set<string>()): Set<string> {
  for (const [name, child] of Object.entries(runbook.children)) {
    into.add(name);
    namesBelow(child, into);
  }
  return into;
}

/** A child as one compilation left it: itself and the runbooks it compiled below it (by name), their files and warnings. */
interface CompiledChild {
  runbook: CompiledRunbook;
  /** Every runbook it runs, however deep: reusing it under one of them would hide a cycle. */
  below: Set<string>;
  runbooks: Map<string, CachedChild>;
  files: string[];
  warnings: Diagnostic[];
}

type CachedChild = { runbook?: CompiledRunbook; info?: ChildInfo };

class Compilation {
  private readonly cache = new Map<string, CachedChild>();
  private readonly diagnostics: Diagnostic[] = [];
  private readonly reported = new Set<string>();

  constructor(private readonly options: CompileOptions) {}

  compile(text: string, file: string, stack: string[]): CompileResult {
    const runbook = this.compileOne(loadYaml(text, file), file, stack);
    const diagnostics = sortDiagnostics(this.diagnostics);
    return { runbook: hasErrors(diagnostics) ? undefined : runbook, diagnostics };
  }

  private compileOne(loaded: Loaded, file: string, stack: string[]): CompiledRunbook | undefined {
    if (this.reported.has(file)) return undefined;
    this.reported.add(file);
    this.diagnostics.push(...loaded.diagnostics);
    if (hasErrors(loaded.diagnostics)) return undefined;
    const value = loaded.value;
    if (!isRecord(value)) {
      this.diagnostics.push({
        file,
        line: 1,
        col: 1,
        severity: 'error',
        code: 'not-a-mapping',
        message: 'a runbook is a YAML mapping with `name` and `steps`',
      });
      return undefined;
    }
    const own: Diagnostic[] = [];
    own.push(...checkRunbookShape(value, loaded.source, (path) => describePath(value, path)));
    const tree = buildTree(value);
    const name = typeof value.name === 'string' ? value.name : file;
    const children = new Map<string, CompiledRunbook | undefined>();
    const cycles = new Set<string>();
    for (const node of tree.all) {
      if (typeof node.raw.runbook !== 'string') continue;
      const childName = node.raw.runbook;
      if ([...stack, name].includes(childName)) {
        const pos = loaded.source.locate([...node.path, 'runbook']);
        own.push({
          file,
          line: pos.line,
          col: pos.col,
          severity: 'error',
          code: 'runbook-cycle',
          message: `runbook \`${name}\` runs itself: ${[...stack, name, childName].map((n) => `\`${n}\``).join(' → ')}`,
        });
        cycles.add(childName);
        continue;
      }
      children.set(childName, this.child(childName, [...stack, name]));
    }
    own.push(
      ...checkSemantics(value, loaded.source, {
        catalog: this.options.catalog,
        child: (childName) => (cycles.has(childName) ? { inputs: {}, outputs: [], cyclic: true } : this.cache.get(childName)?.info),
      }),
    );
    this.diagnostics.push(...own);
    if (hasErrors(own) || [...children.values()].some((c) => c === undefined)) return undefined;
    return build(value as RunbookDoc, tree, loaded.source, this.options.catalog, children as Map<string, CompiledRunbook>);
  }

  private child(name: string, stack: string[]): CompiledRunbook | undefined {
    const cached = this.cache.get(name);
    if (cached) return cached.runbook;
    const found = this.options.resolve(name);
    if (!found) {
      this.cache.set(name, {});
      return undefined;
    }
    const shared = this.options.compiledChildren?.get(found.file, found.text, stack);
    if (shared && !this.reported.has(found.file)) {
      // As if compiled here: what a runbook below it already reported in this compilation is not repeated.
      this.diagnostics.push(...shared.warnings.filter((d) => !this.reported.has(d.file)));
      for (const file of shared.files) this.reported.add(file);
      for (const [below, cached] of shared.runbooks) if (!this.cache.has(below)) this.cache.set(below, cached);
      return shared.runbook;
    }
    const loaded = loadYaml(found.text, found.file);
    const raw = isRecord(loaded.value) ? loaded.value : {};
    const info: ChildInfo = {
      inputs: isRecord(raw.inputs) ? (raw.inputs as ChildInfo['inputs']) : {},
      outputs: isRecord(raw.outputs) ? Object.keys(raw.outputs) : [],
    };
    this.cache.set(name, { info });
    const before = { diagnostics: this.diagnostics.length, runbooks: new Set(this.cache.keys()), files: new Set(this.reported) };
    const runbook = this.compileOne(loaded, found.file, stack);
    this.cache.set(name, { runbook, info });
    if (runbook) {
      // What this child and those below it added; one that compiled has reported warnings at most.
      this.options.compiledChildren?.set(found.file, found.text, {
        runbook,
        runbooks: new Map([...this.cache].filter(([n]) => n === name || !before.runbooks.has(n))),
        files: [...this.reported].filter((f) => !before.files.has(f)),
        warnings: this.diagnostics.slice(before.diagnostics),
      });
    }
    return runbook;
  }
}

function describePath(root: Record<string, unknown>, path: Path): string {
  // The innermost step on the path names the context: "step `restart`".
  let value: unknown = root;
  let step: string | undefined;
  let section = 'the runbook';
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    value = memberOf(value, key);
    if (typeof key === 'number' && isRecord(value) && (path[i - 1] === 'steps' || path[i - 1] === 'parallel')) {
      step = typeof value.id === 'string' ? `\`${value.id}\`` : `${key + 1}`;
    }
    if (i === 0 && typeof key === 'string') section = key === 'steps' ? 'the runbook' : key;
    if (i === 1 && (path[0] === 'inputs' || path[0] === 'secrets')) section = `${path[0] === 'inputs' ? 'input' : 'secret'} \`${String(key)}\``;
    if (i === 1 && path[0] === 'triggers') section = `trigger ${Number(key) + 1}`;
  }
  const tail = path.length > 0 ? path[path.length - 1] : undefined;
  const inner =
    step !== undefined && typeof tail === 'string' && ['decide', 'fill', 'approve', 'foreach', 'compensate', 'retry', 'human'].includes(tail)
      ? `\`${tail}\` of `
      : '';
  return step !== undefined ? `${inner}step ${step}` : section;
}

// ---------- building the compiled form (only for valid runbooks) ----------

function ms(duration: string | undefined, fallback: string): number {
  return parseDuration(duration ?? fallback)!;
}

function retryPolicy(...layers: Array<RetryDoc | undefined>): RetryPolicyJson {
  const merged: RetryDoc = Object.assign({ maxAttempts: 1 }, ...layers.filter(Boolean));
  return {
    maximumAttempts: merged.maxAttempts,
    initialIntervalMs: ms(merged.initialInterval, '1s'),
    backoffCoefficient: merged.backoffCoefficient ?? 2,
    maximumIntervalMs: ms(merged.maximumInterval, '30s'),
    nonRetryableErrorTypes: merged.nonRetryableErrors ?? [],
  };
}

function build(doc: RunbookDoc, tree: Tree, source: SourceMap, catalog: ActionCatalog, children: Map<string, CompiledRunbook>): CompiledRunbook {
  const defaults = doc.defaults ?? {};
  const steps: Record<string, CompiledStep> = {};
  for (const node of tree.all) {
    const raw = node.raw as CommonStepDoc;
    const successor = normalSuccessor(tree, node);
    const pos = source.locate(node.path);
    const base: StepBase = {
      id: node.id,
      loc: `${source.file}:${pos.line}:${pos.col}`,
      next: raw.end ? null : successor.kind === 'step' ? successor.node.id : successor.kind === 'word' ? successor.word : null,
      following: node.block.steps[node.index + 1]?.id ?? null,
      ...(raw.description !== undefined && { description: raw.description }),
      ...(raw.if !== undefined && { if: raw.if }),
      ...(raw.end !== undefined && { end: raw.end }),
      ...(raw.reason !== undefined && { reason: raw.reason }),
      ...(raw.onFailure !== undefined && { onFailure: raw.onFailure }),
      ...(raw.maxVisits !== undefined && { maxVisits: raw.maxVisits }),
    };
    const ctx: CompileContext = {
      base,
      catalog,
      defaults,
      successor: successor.kind === 'step' ? successor.node.id : undefined,
      ms,
      retry: retryPolicy,
      compensate: () => compensation(raw.compensate, defaults),
      human,
    };
    // A valid runbook's steps each have exactly one kind (the checker saw to it).
    const kind = kindByKey(node.kind!)!;
    steps[node.id] = { ...base, ...kind.compile(raw as never, ctx) } as CompiledStep;
  }
  const definition: Omit<CompiledRunbook, 'hash' | 'file'> = {
    format: COMPILED_FORMAT,
    name: doc.name,
    ...(doc.description !== undefined && { description: doc.description }),
    triggers: doc.triggers ?? [],
    inputs: doc.inputs ?? {},
    secrets: doc.secrets ?? {},
    onResolved: doc.onResolved ?? 'continue',
    ...(doc.defaults?.model !== undefined && { model: doc.defaults.model }),
    ...(doc.concurrency && { concurrency: compileConcurrency(doc.concurrency, (d) => ms(d, d)) }),
    entry: tree.top.steps[0]!.id,
    steps,
    outputs: doc.outputs ?? {},
    children: Object.fromEntries(children),
  };
  return { ...definition, hash: definitionHash(definition), file: source.file };
}

/** What undoes a step, rendered later; undo must try hard: it retries even for writes unless the runbook says otherwise. */
function compensation(c: CommonStepDoc['compensate'], defaults: { timeout?: string; retry?: RetryDoc }): CompensateStep | undefined {
  if (!c) return undefined;
  const secrets = secretNames(c.with);
  return {
    ...(c.description !== undefined && { description: c.description }),
    uses: c.uses,
    with: c.with ?? {},
    ...(secrets.length > 0 && { secrets }),
    timeoutMs: ms(c.timeout ?? defaults.timeout, DEFAULTS.actionTimeout),
    retry: retryPolicy(DEFAULTS.readRetry, defaults.retry, c.retry),
    ...(c.when === 'attempted' && { afterFailure: true }),
  };
}

function human(h: HumanDoc | undefined): HumanFallback {
  return {
    deciders: h?.deciders ?? [],
    timeoutMs: ms(h?.timeout, DEFAULTS.humanTimeout),
    onTimeout: h?.onTimeout ?? FAIL,
    ...(h?.signed && { signed: true }),
    ...reminders(h ?? {}, { ms }),
  };
}
