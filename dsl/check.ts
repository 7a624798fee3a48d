// Static checks beyond the schema. This file holds what applies to every step (ids, kinds and
// misplaced keys, routes, reachability and loops, which step may read which) and runs the rest:
// each kind's own checks (its descriptor, dsl/kinds/), the inputs and triggers
// (check-inputs.ts) and every `${{ }}` expression (check-expressions.ts).
// Written defensively: it runs on files that failed the schema too, so all errors show at once.
import type { ActionCatalog } from './catalog';
import { ROUTE_WORDS, SUCCEED } from './compiled-base';
import { didYouMean, type Diagnostic, type DiagnosticCode } from './diagnostics';
import { hasExpression } from './expressions';
import { checkExpressions } from './check-expressions';
import { checkInputs } from './check-inputs';
import { analyseBlock, unboundedLoops, type BlockFlow } from './flow';
import type { RunbookChecks } from './runbook-checks';
import { checkLimitShape } from './kinds/action';
import { CONDITIONAL_KEYS, GUARDABLE_KEYS, kindByKey, STEP_KIND_KEYS } from './kinds';
import type { CheckContext, ChildInfo, KindNode } from './kinds/kind';
import type { Path, SourceMap } from './load';
import { checkShape, validatorFor } from './shape';
import { buildTree, edges, normalSuccessor, type Block, type StepNode, type Tree } from './tree';
import { isRecord, memberOf, valueAt } from './values';

export interface CheckOptions {
  catalog: ActionCatalog;
  /** Facts about another runbook, for `runbook:` steps; undefined when there is none by that name. */
  child: (name: string) => ChildInfo | undefined;
}

const STEP_FIELDS = ['outputs', 'status', 'error'];

export function checkSemantics(value: unknown, source: SourceMap, options: CheckOptions): Diagnostic[] {
  return new Checker(value, source, options).run();
}

class Checker implements CheckContext, RunbookChecks {
  private readonly out: Diagnostic[] = [];
  readonly tree: Tree;
  private readonly flows = new Map<Block, BlockFlow>();
  readonly runbook: Record<string, unknown>;
  readonly guardableKeys = GUARDABLE_KEYS;

  constructor(
    value: unknown,
    private readonly source: SourceMap,
    private readonly options: CheckOptions,
  ) {
    this.runbook = isRecord(value) ? value : {};
    this.tree = buildTree(value);
    for (const block of this.tree.blocks) {
      // A block ends normally after a step that leads out of it, ends with success, or is skipped at its bottom.
      const exits = (n: StepNode) =>
        n.raw.end === 'success' ||
        (n.raw.if !== undefined && n.index === block.steps.length - 1) ||
        edges(this.tree, n).some((e) => e.target.kind === 'exit' || (e.target.kind === 'word' && e.target.word === SUCCEED));
      this.flows.set(block, analyseBlock(this.tree, block, exits));
    }
  }

  get catalog(): ActionCatalog {
    return this.options.catalog;
  }

  child(name: string): ChildInfo | undefined {
    return this.options.child(name);
  }

  run(): Diagnostic[] {
    this.checkIds();
    for (const node of this.tree.all) {
      this.checkKind(node);
      this.checkRoutes(node);
      if (node.kind) kindByKey(node.kind)?.check?.(node, this);
    }
    for (const block of this.tree.blocks) this.checkFlow(block);
    checkInputs(this);
    checkExpressions(this);
    if (isRecord(this.runbook.concurrency)) checkLimitShape(this.runbook.concurrency, ['concurrency'], this);
    return this.out;
  }

  // ---------- reporting ----------

  report(code: DiagnosticCode, path: Path, message: string, hint?: string, part: 'key' | 'value' = 'value', severity: 'error' | 'warning' = 'error'): void {
    const pos = this.source.locate(path, part);
    this.out.push({ file: this.source.file, line: pos.line, col: pos.col, severity, code, message, ...(hint ? { hint } : {}) });
  }

  reportAt(code: DiagnosticCode, path: Path, offset: number, message: string, hint?: string): void {
    const pos = this.source.locateInString(path, offset);
    this.out.push({ file: this.source.file, line: pos.line, col: pos.col, severity: 'error', code, message, ...(hint ? { hint } : {}) });
  }

  // ---------- every step ----------

  private checkIds(): void {
    for (const [id, nodes] of this.tree.byId) {
      if (nodes.length > 1) {
        const first = this.source.locate([...nodes[0]!.path, 'id']);
        for (const dup of nodes.slice(1)) {
          this.report(
            'duplicate-id',
            [...dup.path, 'id'],
            `step id \`${id}\` is used more than once; first at line ${first.line}`,
            'step ids are unique across the whole runbook',
          );
        }
      }
      if (ROUTE_WORDS.includes(id)) {
        this.report('invalid-value', [...nodes[0]!.path, 'id'], `\`${id}\` is reserved for routes and cannot be a step id`);
      }
    }
  }

  private checkKind(node: StepNode): void {
    if (node.kindKeys.length > 1) {
      const [a, b] = node.kindKeys;
      this.report(
        'step-kind',
        [...node.path, b!],
        `step \`${node.id}\` has both \`${a}\` and \`${b}\`; a step does one thing`,
        'split it into two steps',
        'key',
      );
      return;
    }
    if (node.kind === undefined) {
      this.report(
        'step-kind',
        [...node.path, 'id'],
        `step \`${node.id}\` does nothing`,
        `give it one of ${[...STEP_KIND_KEYS, 'end'].map((k) => `\`${k}\``).join(', ')}`,
      );
      return;
    }
    for (const [key, kinds] of CONDITIONAL_KEYS) {
      if (node.raw[key] !== undefined && !kinds.includes(node.kind)) {
        this.report(
          'misplaced-key',
          [...node.path, key],
          `\`${key}\` has no effect on a \`${node.kind}\` step`,
          `\`${key}\` applies to ${listOf(kinds.map((k) => `\`${k}\``))} steps`,
          'key',
        );
      }
    }
    if (node.raw.reason !== undefined && node.raw.end === undefined) {
      this.report('misplaced-key', [...node.path, 'reason'], '`reason` only applies with `end`', undefined, 'key');
    }
    if (node.raw.end !== undefined && node.raw.next !== undefined) {
      this.report(
        'misplaced-key',
        [...node.path, 'next'],
        `step \`${node.id}\` has both \`end\` and \`next\``,
        'keep one: `end` stops here, `next` goes on',
        'key',
      );
    }
  }

  private checkRoutes(node: StepNode): void {
    for (const edge of edges(this.tree, node)) {
      const target = edge.target;
      const written = valueAt(this.runbook, edge.path);
      if (target.kind === 'unknown' && typeof written === 'string') {
        const known = [...node.block.steps.map((s) => s.id), ...ROUTE_WORDS];
        this.report(
          'unknown-target',
          edge.path,
          `${edge.label} of step \`${node.id}\` names \`${written}\`, which is not a step`,
          didYouMean(written, known) ?? `use a step id, \`fail\` or \`succeed\``,
        );
      } else if (target.kind === 'out-of-scope') {
        this.report(
          'target-out-of-scope',
          edge.path,
          `${edge.label} of step \`${node.id}\` jumps to \`${target.node.id}\`, outside its ${blockName(node.block)}`,
          'a route stays inside its block: the top level, one parallel branch, or one foreach body',
        );
      }
    }
  }

  private checkFlow(block: Block): void {
    const flow = this.flows.get(block)!;
    for (const node of block.steps) {
      if (!flow.reachable.has(node)) {
        this.report('unreachable', [...node.path, 'id'], `step \`${node.id}\` is never reached`, 'no `next`, choice or route leads to it', 'value', 'warning');
      }
    }
    for (const loop of unboundedLoops(flow)) {
      const names = [...loop.map((n) => `\`${n.id}\``), `\`${loop[0]!.id}\``].join(' → ');
      this.report('unbounded-loop', [...loop[0]!.path, 'id'], `steps ${names} form a loop that nothing bounds`, 'set `maxVisits` on one of them');
    }
  }

  // ---------- what kinds ask ----------

  kindKeyOf(id: string): string | undefined {
    const nodes = this.tree.byId.get(id) ?? [];
    return nodes.length === 1 ? nodes[0]!.kind : undefined;
  }

  checkActionWith(node: KindNode, uses: unknown, withValue: unknown, at: Path, options: { partial?: boolean } = {}): void {
    if (typeof uses !== 'string') return;
    const action = this.catalog.get(uses);
    if (!action) {
      this.report(
        'unknown-action',
        [...at, 'uses'],
        `unknown action \`${uses}\``,
        didYouMean(uses, this.catalog.keys()) ?? `known actions: ${[...this.catalog.keys()].join(', ')}`,
      );
      return;
    }
    const value = withValue ?? {};
    if (!isRecord(value)) return;
    for (const problem of action.check?.(value) ?? [])
      this.report(problem.code, [...at, 'with', ...problem.path], problem.message, problem.hint, problem.part ?? 'value');
    this.out.push(
      // Partial: an investigation's tool fixes some parameters; the model gives the others.
      ...checkShape(value, options.partial ? { ...action.input, required: [] } : action.input, this.source, {
        at: [...at, 'with'],
        describe: () => `\`with\` of step \`${node.id}\` (action \`${action.name}\`)`,
        skip: (rel) => expressionAlongPath(value, rel),
      }),
    );
  }

  checkStepReference(node: KindNode, id: string, path: Path): void {
    this.stepReference(node as StepNode, id, path, 0, false);
  }

  schemaProblem(schema: Record<string, unknown>): string | undefined {
    try {
      validatorFor(schema);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  }

  successor(node: KindNode): { step: KindNode; kindKey: string | undefined } | { word: string } | 'end' {
    const next = normalSuccessor(this.tree, node as StepNode);
    if (next.kind === 'step') return { step: next.node, kindKey: next.node.kind };
    return next.kind === 'word' ? { word: next.word } : 'end';
  }

  routesInto(node: KindNode): Array<{ from: KindNode; label: string; path: Path }> {
    const target = node as StepNode;
    return target.block.steps.flatMap((from) =>
      edges(this.tree, from)
        .filter((e) => e.target.kind === 'step' && e.target.node === target)
        .map((e) => ({ from, label: e.label, path: e.path })),
    );
  }

  // ---------- reading steps ----------

  stepReference(
    from: StepNode | undefined,
    id: string,
    path: Path,
    offset: number,
    allowSelf: boolean,
    members: string[] = ['outputs'],
    mayBeAbsent = false,
  ): void {
    const target = this.tree.byId.get(id)?.[0];
    if (!target) {
      this.reportAt('unknown-step', path, offset, `no step named \`${id}\``, didYouMean(id, this.tree.byId.keys()));
      return;
    }
    if (!mayBeAbsent && !this.available(from, target, allowSelf)) {
      const here = from ? `step \`${from.id}\`` : 'the end of the run';
      this.reportAt(
        'step-not-before',
        path,
        offset,
        `step \`${id}\` does not always run before ${here}`,
        // Before the outputs, reading a step that may be skipped is the usual intent: say how.
        from
          ? 'a step can only read steps that run before it on every path'
          : `read it as \`steps.?${id}.${members.length > 1 ? members.join('.') : 'outputs.<name>'}.orValue(<default>)\`, which is the default when \`${id}\` did not run`,
      );
      return;
    }
    const [field, output] = members;
    if (field === undefined) return;
    if (!STEP_FIELDS.includes(field)) {
      this.reportAt(
        'unknown-output',
        path,
        offset,
        `\`steps.${id}.${field}\` does not exist`,
        didYouMean(field, STEP_FIELDS) ?? 'use `outputs`, `status` or `error`',
      );
      return;
    }
    if (field !== 'outputs' || output === undefined) return;
    const kind = target.kind ? kindByKey(target.kind) : undefined;
    const known = kind ? kind.outputs(target, this) : [];
    if (known && !known.includes(output)) {
      const what = target.kind === 'uses' ? `\`${String(target.raw.uses)}\`` : `\`${target.kind}\``;
      this.reportAt(
        'unknown-output',
        path,
        offset,
        `step \`${id}\` (${what}) has no output \`${output}\``,
        didYouMean(output, known) ?? (known.length ? `outputs: ${known.join(', ')}` : 'it has no outputs'),
      );
    }
  }

  /** Can `from` (undefined: the end of the run) read the outputs of `target`? */
  private available(from: StepNode | undefined, target: StepNode, allowSelf: boolean): boolean {
    // A step that never runs reads nothing; the unreachable warning covers it.
    if (from && !this.flows.get(from.block)!.reachable.has(from)) return true;
    const chain: Array<{ block: Block; ran: Set<StepNode> }> = [];
    if (from) {
      let node: StepNode | undefined = from;
      let first = true;
      while (node) {
        const ran = new Set(this.flows.get(node.block)!.before.get(node) ?? []);
        if (first && allowSelf) ran.add(node);
        chain.push({ block: node.block, ran });
        node = node.block.owner;
        first = false;
      }
    } else {
      chain.push({ block: this.tree.top, ran: this.flows.get(this.tree.top)!.beforeExit });
    }
    const reach = (t: StepNode): boolean => {
      const link = chain.find((c) => c.block === t.block);
      if (link) return link.ran.has(t);
      // A parallel branch has finished once its parallel step has.
      return t.block.role === 'branch' && t.block.owner !== undefined && reach(t.block.owner);
    };
    return reach(target);
  }
}

function listOf(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function blockName(block: Block): string {
  if (block.role === 'branch') return 'parallel branch';
  if (block.role === 'body') return 'foreach body';
  return 'block';
}

/** True when the value at `rel` (or any value above it) holds an expression, so its type is known only at run time. */
function expressionAlongPath(root: unknown, rel: Path): boolean {
  let v: unknown = root;
  if (typeof v === 'string' && hasExpression(v)) return true;
  for (const key of rel) {
    v = memberOf(v, key);
    if (typeof v === 'string' && hasExpression(v)) return true;
  }
  return false;
}
