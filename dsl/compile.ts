// Runbook text -> diagnostics, and when there are no errors, the CompiledRunbook that becomes
// the workflow input. Child runbooks are compiled in, so a run never reads a file.
import type { ActionCatalog, RunbookResolver } from './catalog';
import { checkSemantics, type ChildInfo } from './check';
import {
  COMPILED_FORMAT,
  FAIL,
  type CompensateStep,
  type CompiledRunbook,
  type CompiledStep,
  type HumanFallback,
  type RetryPolicyJson,
  type StepBase,
} from './compiled';
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics';
import { parseDuration } from './durations';
import { secretNames } from './secrets';
import { definitionHash } from './definition-hash';
import { loadYaml, type Loaded, type Path, type SourceMap } from './load';
import type { RetryDoc, RunbookDoc, StepDoc } from './schema';
import { checkRunbookShape } from './shape';
import { buildTree, isRecord, normalSuccessor, type Tree } from './tree';

export interface CompileOptions {
  catalog: ActionCatalog;
  resolve: RunbookResolver;
}

export interface CompileResult {
  runbook?: CompiledRunbook;
  diagnostics: Diagnostic[];
}

/** Defaults a careful SRE would pick; docs/runbook-language.md states each one. */
export const DEFAULTS = {
  actionTimeout: '5m',
  advisorTimeout: '2m',
  humanTimeout: '1h',
  approvalTimeout: '1h',
  pollEvery: '30s',
  minConfidence: 0.7,
  foreachConcurrency: 1,
  foreachMaxItems: 100,
  readRetry: { maxAttempts: 3, initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' } satisfies RetryDoc,
  writeRetry: { maxAttempts: 1 } satisfies RetryDoc,
  advisorRetry: { maxAttempts: 4, initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '30s' } satisfies RetryDoc,
};

export function compileRunbook(text: string, file: string, options: CompileOptions): CompileResult {
  return new Compilation(options).compile(text, file, []);
}

class Compilation {
  private readonly cache = new Map<string, { runbook?: CompiledRunbook; info?: ChildInfo }>();
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
    const loaded = loadYaml(found.text, found.file);
    const raw = isRecord(loaded.value) ? loaded.value : {};
    const info: ChildInfo = {
      inputs: isRecord(raw.inputs) ? (raw.inputs as ChildInfo['inputs']) : {},
      outputs: isRecord(raw.outputs) ? Object.keys(raw.outputs) : [],
    };
    this.cache.set(name, { info });
    const runbook = this.compileOne(loaded, found.file, stack);
    this.cache.set(name, { runbook, info });
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
    value = isRecord(value) || Array.isArray(value) ? (value as Record<string | number, unknown>)[key] : undefined;
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
    const raw = node.raw as StepDoc;
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
    const compensate = (): CompensateStep | undefined => {
      const c = raw.compensate;
      if (!c) return undefined;
      const secrets = secretNames(c.with);
      return {
        ...(c.description !== undefined && { description: c.description }),
        uses: c.uses,
        with: c.with ?? {},
        ...(secrets.length > 0 && { secrets }),
        timeoutMs: ms(c.timeout ?? defaults.timeout, DEFAULTS.actionTimeout),
        // Undo must try hard: compensation retries even for writes unless the runbook says otherwise.
        retry: retryPolicy(DEFAULTS.readRetry, defaults.retry, c.retry),
      };
    };
    const human = (h: { deciders?: string[]; timeout?: string; onTimeout?: string } | undefined): HumanFallback => ({
      deciders: h?.deciders ?? [],
      timeoutMs: ms(h?.timeout, DEFAULTS.humanTimeout),
      onTimeout: h?.onTimeout ?? FAIL,
    });
    let step: CompiledStep;
    if (raw.uses !== undefined) {
      const idempotent = catalog.get(raw.uses)?.idempotent ?? false;
      const c = compensate();
      const secrets = secretNames(raw.with);
      step = {
        ...base,
        kind: 'action',
        uses: raw.uses,
        with: raw.with ?? {},
        ...(secrets.length > 0 && { secrets }),
        timeoutMs: ms(raw.timeout ?? defaults.timeout, DEFAULTS.actionTimeout),
        retry: retryPolicy(idempotent ? DEFAULTS.readRetry : DEFAULTS.writeRetry, defaults.retry, raw.retry),
        ...(raw.until !== undefined && {
          poll: {
            until: raw.until,
            everyMs: ms(raw.every, DEFAULTS.pollEvery),
            ...(raw.within !== undefined && { withinMs: ms(raw.within, DEFAULTS.pollEvery) }),
            ...(raw.maxPolls !== undefined && { maxPolls: raw.maxPolls }),
          },
        }),
        ...(c && { compensate: c }),
      };
    } else if (raw.wait !== undefined) {
      step = { ...base, kind: 'wait', durationMs: ms(raw.wait, '0s') };
    } else if (raw.parallel !== undefined) {
      step = { ...base, kind: 'parallel', branches: raw.parallel.map((b) => b.id) };
    } else if (raw.foreach !== undefined) {
      const f = raw.foreach;
      step = {
        ...base,
        kind: 'foreach',
        items: f.items,
        as: f.as ?? 'item',
        concurrency: f.concurrency ?? DEFAULTS.foreachConcurrency,
        maxItems: f.maxItems ?? DEFAULTS.foreachMaxItems,
        body: f.steps[0]!.id,
      };
    } else if (raw.runbook !== undefined) {
      const c = compensate();
      step = {
        ...base,
        kind: 'runbook',
        runbook: raw.runbook,
        with: raw.with ?? {},
        ...(raw.timeout !== undefined && { timeoutMs: ms(raw.timeout, DEFAULTS.actionTimeout) }),
        ...(c && { compensate: c }),
      };
    } else if (raw.decide !== undefined || raw.fill !== undefined) {
      const a = (raw.decide ?? raw.fill)!;
      const common = {
        ...base,
        prompt: a.prompt,
        evidence: a.evidence ?? [],
        ...((a.model ?? defaults.model) !== undefined && { model: a.model ?? defaults.model }),
        minConfidence: a.minConfidence ?? DEFAULTS.minConfidence,
        human: human(a.human),
        timeoutMs: ms(raw.timeout ?? defaults.timeout, DEFAULTS.advisorTimeout),
        retry: retryPolicy(DEFAULTS.advisorRetry, raw.retry),
      };
      if (raw.decide !== undefined) {
        const choices = Object.fromEntries(Object.entries(raw.decide.choices).map(([name, c]) => [name, { when: c.when, next: c.next ?? base.next }]));
        step = { ...common, kind: 'decide', choices };
      } else {
        step = { ...common, kind: 'fill', schema: raw.fill!.schema };
      }
    } else if (raw.approve !== undefined) {
      const a = raw.approve;
      step = {
        ...base,
        kind: 'approve',
        guards: successor.kind === 'step' ? successor.node.id : '',
        approvers: a.approvers,
        minApprovals: a.minApprovals ?? 1,
        allowRequester: a.allowRequester ?? false,
        timeoutMs: ms(a.timeout, DEFAULTS.approvalTimeout),
        onTimeout: a.onTimeout ?? FAIL,
        onReject: a.onReject ?? FAIL,
      };
    } else {
      step = { ...base, kind: 'end' };
    }
    steps[node.id] = step;
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
    entry: tree.top.steps[0]!.id,
    steps,
    outputs: doc.outputs ?? {},
    children: Object.fromEntries(children),
  };
  return { ...definition, hash: definitionHash(definition), file: source.file };
}
