// Static checks beyond the schema: ids, routes, reachability, loops, actions and their
// parameters, child runbooks, approvals, inputs, and every `${{ }}` expression.
// Written defensively: it runs on files that failed the schema too, so all errors show at once.
import { ALERT_FIELDS, RUN_FIELDS } from './alert';
import type { ActionCatalog } from './catalog';
import { ROUTE_WORDS, SUCCEED } from './compiled';
import { didYouMean, type Diagnostic, type DiagnosticCode } from './diagnostics';
import { ExpressionError, expressionReferences, hasExpression, literalPatterns, splitTemplate, type Reference } from './expressions';
import { analyseBlock, unboundedLoops, type BlockFlow } from './flow';
import type { Path, SourceMap } from './load';
import { inputProblem } from './inputs';
import { regexProblem } from './regex';
import { soleSecretReference } from './secrets';
import { usesKeyword } from './schema-walk';
import { checkShape, validatorFor } from './shape';
import { STEP_KINDS } from './schema';
import { buildTree, edges, isRecord, normalSuccessor, type Block, type StepNode, type Tree } from './tree';

export interface ChildInfo {
  inputs: Record<string, { default?: unknown }>;
  outputs: string[];
  /** Set for a runbook already reported as a cycle: exists, but is not checked again. */
  cyclic?: boolean;
}

export interface CheckOptions {
  catalog: ActionCatalog;
  /** Facts about another runbook, for `runbook:` steps; undefined when there is none by that name. */
  child: (name: string) => ChildInfo | undefined;
}

/** Keys that only make sense with some kinds of step. */
const KEY_KINDS: Record<string, readonly string[]> = {
  with: ['uses', 'runbook'],
  until: ['uses'],
  every: ['uses'],
  within: ['uses'],
  maxPolls: ['uses'],
  compensate: ['uses', 'runbook'],
  retry: ['uses', 'decide', 'fill'],
  timeout: ['uses', 'runbook', 'decide', 'fill'],
};

const STEP_FIELDS = ['outputs', 'status', 'error'];
const RE2_HINT = 'patterns use RE2 syntax: no backreferences or lookaround';
/** Actions whose `with.command` is a command line. */
const ARGV_ACTIONS = ['shell'];
const DECIDE_OUTPUTS = ['choice', 'reasoning', 'confidence', 'decidedBy', 'model'];
const APPROVE_OUTPUTS = ['outcome', 'approvedBy', 'planHash', 'rejectedBy', 'reason'];
const FOREACH_OUTPUTS = ['iterations'];
const GUARDABLE = ['uses', 'runbook', 'foreach'];

type Role = 'condition' | 'with' | 'until' | 'items' | 'text' | 'prompt' | 'compensate' | 'outputs';

export function checkSemantics(value: unknown, source: SourceMap, options: CheckOptions): Diagnostic[] {
  return new Checker(value, source, options).run();
}

class Checker {
  private readonly out: Diagnostic[] = [];
  private readonly tree: Tree;
  private readonly flows = new Map<Block, BlockFlow>();
  private readonly runbook: Record<string, unknown>;

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

  run(): Diagnostic[] {
    this.checkIds();
    for (const node of this.tree.all) {
      this.checkKind(node);
      this.checkRoutes(node);
      this.checkPoll(node);
      this.checkAction(node);
      this.checkChild(node);
      this.checkApprove(node);
      this.checkAdvisor(node);
      this.checkForeach(node);
    }
    for (const block of this.tree.blocks) this.checkFlow(block);
    this.checkInputs();
    this.checkArgvInputs();
    this.checkTriggers();
    this.checkExpressions();
    return this.out;
  }

  // ---------- reporting ----------

  private report(
    code: DiagnosticCode,
    path: Path,
    message: string,
    hint?: string,
    part: 'key' | 'value' = 'value',
    severity: 'error' | 'warning' = 'error',
  ): void {
    const pos = this.source.locate(path, part);
    this.out.push({ file: this.source.file, line: pos.line, col: pos.col, severity, code, message, ...(hint ? { hint } : {}) });
  }

  private reportAt(code: DiagnosticCode, path: Path, offset: number, message: string, hint?: string): void {
    const pos = this.source.locateInString(path, offset);
    this.out.push({ file: this.source.file, line: pos.line, col: pos.col, severity: 'error', code, message, ...(hint ? { hint } : {}) });
  }

  // ---------- steps ----------

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
        `give it one of ${[...STEP_KINDS, 'end'].map((k) => `\`${k}\``).join(', ')}`,
      );
      return;
    }
    for (const [key, kinds] of Object.entries(KEY_KINDS)) {
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
    if (node.kind === 'decide' && node.raw.next !== undefined) {
      this.report('misplaced-key', [...node.path, 'next'], 'a `decide` step routes through its choices', 'put `next` on each choice', 'key');
    }
  }

  private checkRoutes(node: StepNode): void {
    for (const edge of edges(this.tree, node)) {
      const target = edge.target;
      const written = this.valueAt(edge.path);
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

  private checkPoll(node: StepNode): void {
    const raw = node.raw;
    if (raw.until === undefined) {
      for (const key of ['every', 'within', 'maxPolls']) {
        if (raw[key] !== undefined && node.kind === 'uses')
          this.report('misplaced-key', [...node.path, key], `\`${key}\` only applies with \`until\``, undefined, 'key');
      }
      return;
    }
    if (raw.within === undefined && raw.maxPolls === undefined) {
      this.report(
        'unbounded-poll',
        [...node.path, 'until'],
        `step \`${node.id}\` polls until a condition holds, but nothing bounds it`,
        'add `within: 10m` or `maxPolls: 20`',
        'key',
      );
    }
  }

  private checkAction(node: StepNode): void {
    const sites: Array<{ uses: unknown; withValue: unknown; path: Path }> = [];
    if (node.kind === 'uses') sites.push({ uses: node.raw.uses, withValue: node.raw.with, path: node.path });
    if (isRecord(node.raw.compensate)) sites.push({ uses: node.raw.compensate.uses, withValue: node.raw.compensate.with, path: [...node.path, 'compensate'] });
    for (const site of sites) {
      if (typeof site.uses !== 'string') continue;
      const action = this.options.catalog.get(site.uses);
      if (!action) {
        this.report(
          'unknown-action',
          [...site.path, 'uses'],
          `unknown action \`${site.uses}\``,
          didYouMean(site.uses, this.options.catalog.keys()) ?? `known actions: ${[...this.options.catalog.keys()].join(', ')}`,
        );
        continue;
      }
      const withValue = site.withValue ?? {};
      if (!isRecord(withValue)) continue;
      for (const problem of action.check?.(withValue) ?? [])
        this.report(problem.code, [...site.path, 'with', ...problem.path], problem.message, problem.hint, problem.part ?? 'value');
      this.out.push(
        ...checkShape(withValue, action.input, this.source, {
          at: [...site.path, 'with'],
          describe: () => `\`with\` of step \`${node.id}\` (action \`${action.name}\`)`,
          skip: (rel) => expressionAlongPath(withValue, rel),
        }),
      );
    }
  }

  private checkChild(node: StepNode): void {
    if (node.kind !== 'runbook' || typeof node.raw.runbook !== 'string') return;
    const child = this.options.child(node.raw.runbook);
    if (!child) {
      this.report(
        'unknown-runbook',
        [...node.path, 'runbook'],
        `no runbook named \`${node.raw.runbook}\``,
        'child runbooks are looked up by name among the runbooks beside this one',
      );
      return;
    }
    if (child.cyclic) return;
    const given = isRecord(node.raw.with) ? node.raw.with : {};
    for (const key of Object.keys(given)) {
      if (!(key in child.inputs)) {
        this.report(
          'unknown-key',
          [...node.path, 'with', key],
          `runbook \`${node.raw.runbook}\` has no input \`${key}\``,
          didYouMean(key, Object.keys(child.inputs)),
          'key',
        );
      }
    }
    for (const [name, spec] of Object.entries(child.inputs)) {
      if (spec.default === undefined && !(name in given)) {
        this.report(
          'missing-key',
          [...node.path, node.raw.with === undefined ? 'runbook' : 'with'],
          `step \`${node.id}\` does not give input \`${name}\` that runbook \`${node.raw.runbook}\` needs`,
        );
      }
    }
  }

  private checkApprove(node: StepNode): void {
    if (node.kind !== 'approve' || !isRecord(node.raw.approve)) return;
    const approve = node.raw.approve;
    const guarded = normalSuccessor(this.tree, node);
    if (guarded.kind !== 'step') {
      this.report(
        'bad-approval-target',
        [...node.path, 'approve'],
        `approval step \`${node.id}\` leads to no step, so there is nothing to approve`,
        'put the risky step right after it (or name it with `next`)',
        'key',
      );
    } else if (!guarded.node.kind || !GUARDABLE.includes(guarded.node.kind)) {
      this.report(
        'bad-approval-target',
        [...node.path, 'approve'],
        `approval step \`${node.id}\` leads to \`${guarded.node.id}\`, a \`${guarded.node.kind ?? 'malformed'}\` step`,
        'an approval guards a `uses`, `runbook` or `foreach` step, whose plan it shows',
        'key',
      );
    }
    if (guarded.kind === 'step') this.checkOnlyPathThroughApproval(node, guarded.node);
    const approvers = Array.isArray(approve.approvers) ? approve.approvers.filter((a): a is string => typeof a === 'string') : [];
    const min = typeof approve.minApprovals === 'number' ? approve.minApprovals : 1;
    const people = new Set(approvers.filter((a) => !a.startsWith('group:')));
    if (approvers.length > 0 && people.size === approvers.length && min > people.size) {
      this.report(
        'invalid-value',
        [...node.path, 'approve', 'minApprovals'],
        `\`minApprovals\` is ${min} but only ${people.size} approver(s) are named`,
        'name more approvers, or a group',
      );
    }
  }

  /** A guarded step must be reachable only through its approval's approved route. */
  private checkOnlyPathThroughApproval(approval: StepNode, guarded: StepNode): void {
    if (guarded.index === 0) {
      this.report(
        'unguarded-path',
        [...guarded.path, 'id'],
        `step \`${guarded.id}\` needs the approval of \`${approval.id}\` but is where its block starts`,
        'put the approval before it',
      );
    }
    for (const other of guarded.block.steps) {
      for (const edge of edges(this.tree, other)) {
        if (edge.target.kind !== 'step' || edge.target.node !== guarded) continue;
        if (other === approval && edge.label === '`next`') continue;
        const how =
          other === approval ? `${edge.label === 'skipped' ? 'when its `if` skips it' : `through ${edge.label}`}` : `from step \`${other.id}\` (${edge.label})`;
        this.report(
          'unguarded-path',
          edge.path,
          `step \`${guarded.id}\` needs the approval of \`${approval.id}\` but can be reached without it, ${how}`,
          'route to the approval step instead',
          edge.label === 'skipped' ? 'key' : 'value',
        );
      }
    }
  }

  private checkAdvisor(node: StepNode): void {
    const advisor = node.kind === 'decide' || node.kind === 'fill' ? node.raw[node.kind] : undefined;
    if (!isRecord(advisor)) return;
    if (node.kind === 'fill' && isRecord(advisor.schema)) {
      const schema = advisor.schema;
      const path = [...node.path, 'fill', 'schema'];
      if (schema.type !== 'object') {
        this.report('bad-json-schema', path, `\`schema\` of fill step \`${node.id}\` must describe an object (\`type: object\`)`, undefined, 'key');
      } else if (usesKeyword(schema, 'patternProperties')) {
        // The workflow checks a person's values with its own validator, whose key patterns cannot run on RE2.
        this.report(
          'bad-json-schema',
          path,
          `\`schema\` of fill step \`${node.id}\` uses \`patternProperties\`, which fill schemas do not support`,
          'name the properties, or use `additionalProperties` with `propertyNames`',
          'key',
        );
      } else {
        try {
          validatorFor(schema);
        } catch (err) {
          this.report(
            'bad-json-schema',
            path,
            `\`schema\` of fill step \`${node.id}\` is not a valid JSON Schema: ${(err as Error).message}`,
            undefined,
            'key',
          );
        }
      }
    }
    if (Array.isArray(advisor.evidence)) {
      advisor.evidence.forEach((id, i) => {
        if (typeof id === 'string') this.checkStepReference(node, id, [...node.path, node.kind!, 'evidence', i], 0, false);
      });
    }
  }

  private checkForeach(node: StepNode): void {
    if (node.kind !== 'foreach' || !isRecord(node.raw.foreach)) return;
    const name = node.raw.foreach.as;
    if (typeof name === 'string' && RESERVED_NAMES.includes(name)) {
      this.report('invalid-value', [...node.path, 'foreach', 'as'], `\`${name}\` is a reserved name and cannot be a loop variable`);
    }
    if (typeof node.raw.foreach.items === 'string' && !hasExpression(node.raw.foreach.items)) {
      this.report('wrong-type', [...node.path, 'foreach', 'items'], '`items` must be an expression that gives a list, e.g. `${{ steps.pods.outputs.items }}`');
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

  // ---------- inputs and triggers ----------

  private checkInputs(): void {
    if (!isRecord(this.runbook.inputs)) return;
    for (const [name, spec] of Object.entries(this.runbook.inputs)) {
      if (!isRecord(spec)) continue;
      const path = ['inputs', name];
      if (typeof spec.pattern === 'string') this.checkRegex(spec.pattern, [...path, 'pattern'], `\`pattern\` of input \`${name}\``);
      if (spec.type === 'enum' && !Array.isArray(spec.values))
        this.report('missing-key', path, `enum input \`${name}\` is missing the required key \`values\``, undefined, 'key');
      if (spec.type !== 'enum' && spec.values !== undefined)
        this.report('misplaced-key', [...path, 'values'], '`values` only applies to `enum` inputs', undefined, 'key');
      if (spec.type !== 'list' && spec.items !== undefined)
        this.report('misplaced-key', [...path, 'items'], '`items` only applies to `list` inputs', undefined, 'key');
      if (typeof spec.from === 'string') {
        const field = spec.from.split('.')[1] ?? '';
        if (!(ALERT_FIELDS as readonly string[]).includes(field)) {
          this.report(
            'unknown-name',
            [...path, 'from'],
            `alerts have no field \`${field}\``,
            didYouMean(field, ALERT_FIELDS) ?? `alert fields: ${ALERT_FIELDS.join(', ')}`,
          );
        }
      }
      if (spec.default !== undefined && typeof spec.type === 'string') {
        const problem = inputProblem(spec, spec.default);
        if (problem) this.report('bad-default', [...path, 'default'], `default of input \`${name}\` ${problem}`);
      }
    }
  }

  /**
   * An input taken from an alert and put into a command line must be held to an anchored
   * pattern: `pattern: '[a-z]+'` also accepts `x; --kubeconfig=/tmp/evil`, since it only needs
   * to contain a match. A warning: the author may know the command treats it as data.
   */
  private checkArgvInputs(): void {
    const declared = isRecord(this.runbook.inputs) ? this.runbook.inputs : {};
    const warned = new Set<string>();
    for (const node of this.tree.all) {
      if (node.kind !== 'uses' || !ARGV_ACTIONS.includes(String(node.raw.uses)) || !isRecord(node.raw.with)) continue;
      this.walkStrings(node.raw.with.command, [...node.path, 'with', 'command'], (text) => {
        for (const name of inputReferences(text)) {
          const spec = declared[name];
          if (warned.has(name) || !isRecord(spec) || typeof spec.from !== 'string' || (spec.type !== 'string' && spec.type !== undefined)) continue;
          const pattern = typeof spec.pattern === 'string' ? spec.pattern : undefined;
          if (pattern !== undefined && pattern.startsWith('^') && pattern.endsWith('$')) continue;
          warned.add(name);
          const where: Path = pattern === undefined ? ['inputs', name, 'from'] : ['inputs', name, 'pattern'];
          const what = pattern === undefined ? 'has no `pattern`' : `has a pattern that is not anchored with ^ and $`;
          this.report(
            'unanchored-pattern',
            where,
            `input \`${name}\` comes from ${spec.from} and reaches the command of step \`${node.id}\`, but ${what}`,
            "hold it to the whole value, e.g. `pattern: '^[a-z0-9-]{1,63}$'`",
            'value',
            'warning',
          );
        }
      });
    }
  }

  private checkTriggers(): void {
    if (!Array.isArray(this.runbook.triggers)) return;
    this.runbook.triggers.forEach((trigger, i) => {
      if (!isRecord(trigger) || !isRecord(trigger.matchRe)) return;
      for (const [label, pattern] of Object.entries(trigger.matchRe)) {
        if (typeof pattern === 'string') this.checkRegex(pattern, ['triggers', i, 'matchRe', label], `\`matchRe\` for label \`${label}\``);
      }
    });
  }

  private checkRegex(pattern: string, path: Path, what: string): void {
    const problem = regexProblem(pattern);
    if (problem !== undefined) this.report('bad-regex', path, `${what} is not a valid regular expression: ${problem}`, RE2_HINT);
  }

  // ---------- expressions ----------

  private checkExpressions(): void {
    for (const node of this.tree.all) {
      const raw = node.raw;
      const sites: Array<[Role, Path, unknown]> = [
        ['condition', [...node.path, 'if'], raw.if],
        ['with', [...node.path, 'with'], raw.with],
        ['until', [...node.path, 'until'], raw.until],
        ['text', [...node.path, 'reason'], raw.reason],
        ['items', [...node.path, 'foreach', 'items'], isRecord(raw.foreach) ? raw.foreach.items : undefined],
        ['prompt', [...node.path, 'decide', 'prompt'], isRecord(raw.decide) ? raw.decide.prompt : undefined],
        ['prompt', [...node.path, 'fill', 'prompt'], isRecord(raw.fill) ? raw.fill.prompt : undefined],
        ['compensate', [...node.path, 'compensate', 'with'], isRecord(raw.compensate) ? raw.compensate.with : undefined],
      ];
      for (const [role, path, value] of sites) this.walkStrings(value, path, (text, at) => this.checkTemplate(text, at, role, node));
    }
    this.walkStrings(this.runbook.outputs, ['outputs'], (text, at) => this.checkTemplate(text, at, 'outputs', undefined));
  }

  private walkStrings(value: unknown, path: Path, visit: (text: string, path: Path) => void): void {
    if (typeof value === 'string') visit(value, path);
    else if (Array.isArray(value)) value.forEach((v, i) => this.walkStrings(v, [...path, i], visit));
    else if (isRecord(value)) for (const [k, v] of Object.entries(value)) this.walkStrings(v, [...path, k], visit);
  }

  private checkTemplate(text: string, path: Path, role: Role, node: StepNode | undefined): void {
    let segments;
    try {
      segments = splitTemplate(text);
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err;
      this.reportAt('expression-syntax', path, err.offset, `bad expression: ${err.message}`);
      return;
    }
    for (const segment of segments) {
      if (segment.kind !== 'expr') continue;
      let references;
      try {
        references = expressionReferences(segment.source, segment.offset);
      } catch (err) {
        if (!(err instanceof ExpressionError)) throw err;
        this.reportAt('expression-syntax', path, err.offset, `bad expression \`${segment.source.trim()}\`: ${err.message}`);
        continue;
      }
      const sole = soleSecretReference(segment.source) !== undefined;
      for (const ref of references) this.checkReference(ref, path, role, node, sole);
      for (const { pattern, offset } of literalPatterns(segment.source, segment.offset)) {
        const problem = regexProblem(pattern);
        if (problem !== undefined) this.reportAt('bad-regex', path, offset, `\`matches()\` pattern is not a valid regular expression: ${problem}`, RE2_HINT);
      }
    }
  }

  /** `sole`: the whole expression is one `secrets.NAME` reference. */
  private checkReference(ref: Reference, path: Path, role: Role, node: StepNode | undefined, sole: boolean): void {
    const { root, path: members, offset } = ref;
    const loopVariables = node ? enclosingLoopVariables(node) : [];
    const names = [
      'inputs',
      'steps',
      'alert',
      'run',
      ...(role === 'with' || role === 'compensate' ? ['secrets'] : []),
      ...(role === 'until' ? ['result'] : []),
      ...loopVariables,
    ];
    if (loopVariables.includes(root)) return;
    const [first] = members;
    switch (root) {
      case 'inputs': {
        const declared = isRecord(this.runbook.inputs) ? this.runbook.inputs : {};
        const inputs = Object.keys(declared);
        if (first !== undefined && !inputs.includes(first))
          this.reportAt('unknown-input', path, offset, `no input named \`${first}\``, didYouMean(first, inputs));
        else if (role === 'prompt' && first !== undefined && isRecord(declared[first]) && declared[first].sensitive === true) {
          this.reportAt(
            'sensitive-in-prompt',
            path,
            offset,
            `input \`${first}\` is sensitive and cannot be sent to the model`,
            'leave it out of the prompt, or drop `sensitive: true`',
          );
        } else if (role === 'prompt' && first === undefined && this.sensitiveInputs().length > 0) {
          // `inputs` whole, or `inputs[<computed>]`: either could be a sensitive one.
          this.reportAt(
            'sensitive-in-prompt',
            path,
            offset,
            `the prompt reads \`inputs\` as a whole or by a computed name, which could send sensitive input \`${this.sensitiveInputs()[0]![0]}\` to the model`,
            'name each input the prompt needs, e.g. `inputs.service`',
          );
        }
        return;
      }
      case 'secrets': {
        if ((role !== 'with' && role !== 'compensate') || (role === 'with' && node?.kind === 'runbook')) {
          const hint =
            node?.kind === 'runbook' && role === 'with'
              ? 'a child runbook declares and reads its own secrets'
              : 'anywhere else the value would enter workflow history';
          this.reportAt(
            'secret-outside-with',
            path,
            offset,
            'secrets can only be used in the `with` of an action, where the worker resolves them at run time',
            hint,
          );
          return;
        }
        if (!sole) {
          this.reportAt(
            'secret-in-expression',
            path,
            offset,
            'a secret must stand alone in its `${{ }}`',
            'write e.g. `Bearer ${{ secrets.token }}`; the worker puts the value exactly there and nowhere else',
          );
          return;
        }
        const secrets = isRecord(this.runbook.secrets) ? Object.keys(this.runbook.secrets) : [];
        if (first !== undefined && !secrets.includes(first))
          this.reportAt('unknown-secret', path, offset, `no secret named \`${first}\``, didYouMean(first, secrets) ?? 'declare it under `secrets:`');
        return;
      }
      case 'alert': {
        if (first !== undefined && !(ALERT_FIELDS as readonly string[]).includes(first)) {
          this.reportAt(
            'unknown-name',
            path,
            offset,
            `alerts have no field \`${first}\``,
            didYouMean(first, ALERT_FIELDS) ?? `alert fields: ${ALERT_FIELDS.join(', ')}`,
          );
          return;
        }
        // `alert` or `alert.labels` holds the field a sensitive input is taken from.
        const read = ['alert', ...members].join('.');
        const exposed =
          role === 'prompt'
            ? this.sensitiveInputs().find(([, spec]) => typeof spec.from === 'string' && (spec.from === read || spec.from.startsWith(`${read}.`)))
            : undefined;
        if (exposed)
          this.reportAt(
            'sensitive-in-prompt',
            path,
            offset,
            `\`${read}\` holds ${exposed[1].from}, the source of sensitive input \`${exposed[0]}\`, and cannot be sent to the model`,
            'name the alert fields the prompt needs',
          );
        return;
      }
      case 'run':
        if (first !== undefined && !(RUN_FIELDS as readonly string[]).includes(first)) {
          this.reportAt(
            'unknown-name',
            path,
            offset,
            `\`run\` has no field \`${first}\``,
            didYouMean(first, RUN_FIELDS) ?? `run fields: ${RUN_FIELDS.join(', ')}`,
          );
        }
        return;
      case 'result':
        if (role !== 'until') this.reportAt('unknown-name', path, offset, '`result` only exists in `until`, where it holds the latest attempt’s outputs');
        return;
      case 'steps':
        if (first === undefined) {
          this.reportAt('unknown-name', path, offset, 'use `steps.<id>`, not `steps` alone');
          return;
        }
        // `steps.?id...` reads a step that may not have run; it only has to exist.
        this.checkStepReference(node, first, path, offset, role === 'compensate' || role === 'text', members.slice(1), ref.optionalFrom === 0);
        return;
      default:
        this.reportAt('unknown-name', path, offset, `unknown name \`${root}\` in expression`, didYouMean(root, names) ?? `names here: ${names.join(', ')}`);
    }
  }

  private checkStepReference(
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
        'a step can only read steps that run before it on every path',
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
    const known = this.outputFields(target);
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

  private outputFields(node: StepNode): string[] | undefined {
    switch (node.kind) {
      case 'uses': {
        const action = typeof node.raw.uses === 'string' ? this.options.catalog.get(node.raw.uses) : undefined;
        const schema = action?.output as { properties?: object; additionalProperties?: unknown } | undefined;
        return schema?.properties && schema.additionalProperties === false ? Object.keys(schema.properties) : undefined;
      }
      case 'decide':
        return DECIDE_OUTPUTS;
      case 'fill': {
        const schema = isRecord(node.raw.fill) && isRecord(node.raw.fill.schema) ? node.raw.fill.schema : undefined;
        return schema && isRecord(schema.properties) ? Object.keys(schema.properties) : undefined;
      }
      case 'runbook': {
        const child = typeof node.raw.runbook === 'string' ? this.options.child(node.raw.runbook) : undefined;
        return child && !child.cyclic ? child.outputs : undefined;
      }
      case 'foreach':
        return FOREACH_OUTPUTS;
      case 'approve':
        return APPROVE_OUTPUTS;
      default:
        return [];
    }
  }

  /** Inputs marked `sensitive: true`, with their declarations. */
  private sensitiveInputs(): Array<[string, Record<string, unknown>]> {
    const declared = isRecord(this.runbook.inputs) ? this.runbook.inputs : {};
    return Object.entries(declared).filter((e): e is [string, Record<string, unknown>] => isRecord(e[1]) && e[1].sensitive === true);
  }

  private valueAt(path: Path): unknown {
    let v: unknown = this.runbook;
    for (const k of path) v = isRecord(v) || Array.isArray(v) ? (v as Record<string | number, unknown>)[k] : undefined;
    return v;
  }
}

/** The inputs a template names, `inputs.x` (expressions that do not parse are reported elsewhere). */
function inputReferences(text: string): string[] {
  try {
    return splitTemplate(text)
      .filter((s): s is Extract<typeof s, { kind: 'expr' }> => s.kind === 'expr')
      .flatMap((s) => expressionReferences(s.source))
      .filter((r) => r.root === 'inputs' && r.path[0] !== undefined)
      .map((r) => r.path[0]!);
  } catch {
    return [];
  }
}

function listOf(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const RESERVED_NAMES = ['inputs', 'steps', 'alert', 'run', 'secrets', 'result'];

function blockName(block: Block): string {
  if (block.role === 'branch') return 'parallel branch';
  if (block.role === 'body') return 'foreach body';
  return 'block';
}

function enclosingLoopVariables(node: StepNode): string[] {
  const names: string[] = [];
  for (let owner = node.block.owner, block = node.block; owner; block = owner.block, owner = owner.block.owner) {
    if (block.role === 'body' && isRecord(owner.raw.foreach)) names.push(typeof owner.raw.foreach.as === 'string' ? owner.raw.foreach.as : 'item');
  }
  return names;
}

/** True when the value at `rel` (or any value above it) holds an expression, so its type is known only at run time. */
function expressionAlongPath(root: unknown, rel: Path): boolean {
  let v: unknown = root;
  if (typeof v === 'string' && hasExpression(v)) return true;
  for (const key of rel) {
    v = isRecord(v) || Array.isArray(v) ? (v as Record<string | number, unknown>)[key] : undefined;
    if (typeof v === 'string' && hasExpression(v)) return true;
  }
  return false;
}
