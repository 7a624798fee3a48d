// Every `${{ }}` expression of a runbook, checked where it stands: it parses, it names only what
// exists there (inputs, steps that run before it, alert and run fields, secrets where allowed,
// loop variables), sensitive values stay out of prompts, and literal `matches()` patterns are RE2.
import { ALERT_FIELDS, RUN_FIELDS } from './alert';
import { RE2_HINT } from './check-inputs';
import { didYouMean } from './diagnostics';
import { ExpressionError, expressionReferences, literalPatterns, splitTemplate, type Reference } from './expressions';
import { kindByKey } from './kinds';
import type { ExpressionRole, ExpressionSite } from './kinds/kind';
import type { Path } from './load';
import { regexProblem } from './regex';
import type { RunbookChecks } from './runbook-checks';
import { soleSecretReference } from './secrets';
import type { StepNode } from './tree';
import { isRecord, visitStrings } from './values';

export function checkExpressions(ctx: RunbookChecks): void {
  for (const node of ctx.tree.all) {
    for (const { role, path, value } of sitesOf(node)) visitStrings(value, path, (text, at) => checkTemplate(ctx, text, at, role, node));
  }
  visitStrings(ctx.runbook.outputs, ['outputs'], (text, at) => checkTemplate(ctx, text, at, 'outputs', undefined));
  const concurrency = ctx.runbook.concurrency;
  if (isRecord(concurrency)) visitStrings(concurrency.key, ['concurrency', 'key'], (text, at) => checkTemplate(ctx, text, at, 'key', undefined));
}

/** Where a step holds expressions: its `if` and `reason`, and its kind's keys (every kind it names, if it names several). */
function sitesOf(node: StepNode): ExpressionSite[] {
  return [
    { role: 'condition', path: [...node.path, 'if'], value: node.raw.if },
    { role: 'text', path: [...node.path, 'reason'], value: node.raw.reason },
    ...node.kindKeys.flatMap((key) => kindByKey(key)?.expressions?.(node) ?? []),
  ];
}

function checkTemplate(ctx: RunbookChecks, text: string, path: Path, role: ExpressionRole, node: StepNode | undefined): void {
  let segments;
  try {
    segments = splitTemplate(text);
  } catch (err) {
    if (!(err instanceof ExpressionError)) throw err;
    ctx.reportAt('expression-syntax', path, err.offset, `bad expression: ${err.message}`);
    return;
  }
  for (const segment of segments) {
    if (segment.kind !== 'expr') continue;
    let references;
    try {
      references = expressionReferences(segment.source, segment.offset);
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err;
      ctx.reportAt('expression-syntax', path, err.offset, `bad expression \`${segment.source.trim()}\`: ${err.message}`);
      continue;
    }
    const sole = soleSecretReference(segment.source) !== undefined;
    for (const ref of references) checkReference(ctx, ref, path, role, node, sole);
    for (const { pattern, offset } of literalPatterns(segment.source, segment.offset)) {
      const problem = regexProblem(pattern);
      if (problem !== undefined) ctx.reportAt('bad-regex', path, offset, `\`matches()\` pattern is not a valid regular expression: ${problem}`, RE2_HINT);
    }
  }
}

/** `sole`: the whole expression is one `secrets.NAME` reference. */
function checkReference(ctx: RunbookChecks, ref: Reference, path: Path, role: ExpressionRole, node: StepNode | undefined, sole: boolean): void {
  const { root, path: members, offset } = ref;
  const loopVariables = node ? enclosingLoopVariables(node) : [];
  const names = [
    'inputs',
    'steps',
    'alert',
    'run',
    ...(role === 'with' || role === 'tool-with' || role === 'compensate' ? ['secrets'] : []),
    ...(role === 'tool-with' ? ['params'] : []),
    ...(role === 'until' ? ['result'] : []),
    ...loopVariables,
  ];
  if (loopVariables.includes(root)) return;
  const [first] = members;
  switch (root) {
    case 'inputs':
      return checkInputReference(ctx, first, path, offset, role);
    case 'secrets':
      return checkSecretReference(ctx, first, path, offset, role, sole);
    case 'alert':
      return checkAlertReference(ctx, members, path, offset, role);
    case 'run':
      if (first !== undefined && !(RUN_FIELDS as readonly string[]).includes(first)) {
        ctx.reportAt(
          'unknown-name',
          path,
          offset,
          `\`run\` has no field \`${first}\``,
          didYouMean(first, RUN_FIELDS) ?? `run fields: ${RUN_FIELDS.join(', ')}`,
        );
      }
      return;
    case 'params':
      if (role !== 'tool-with')
        ctx.reportAt('unknown-name', path, offset, '`params` only exists in the `with` of an investigation’s tool, where it holds the model’s arguments');
      return;
    case 'result':
      if (role !== 'until') ctx.reportAt('unknown-name', path, offset, '`result` only exists in `until`, where it holds the latest attempt’s outputs');
      return;
    case 'steps':
      if (role === 'key' && node === undefined) {
        ctx.reportAt('unknown-name', path, offset, 'the runbook’s concurrency key must be known before any step runs', 'build it from `inputs` and `alert`');
        return;
      }
      if (first === undefined) {
        ctx.reportAt('unknown-name', path, offset, 'use `steps.<id>`, not `steps` alone');
        return;
      }
      if (role === 'compensate' && node && first === node.id && members[1] === 'outputs' && undoesFailedAttempts(node)) {
        ctx.reportAt(
          'undo-reads-own-outputs',
          path,
          offset,
          `the undo of step \`${node.id}\` runs after a failed attempt too (\`when: attempted\`), when the step has no outputs`,
          'read what the undo needs from inputs or from a step before it (e.g. the replica count before scaling)',
        );
        return;
      }
      // `steps.?id...` reads a step that may not have run; it only has to exist.
      ctx.stepReference(node, first, path, offset, role === 'compensate' || role === 'text', members.slice(1), ref.optionalFrom === 0);
      return;
    default:
      ctx.reportAt('unknown-name', path, offset, `unknown name \`${root}\` in expression`, didYouMean(root, names) ?? `names here: ${names.join(', ')}`);
  }
}

const undoesFailedAttempts = (node: StepNode) => isRecord(node.raw.compensate) && node.raw.compensate.when === 'attempted';

function checkInputReference(ctx: RunbookChecks, first: string | undefined, path: Path, offset: number, role: ExpressionRole): void {
  const declared = isRecord(ctx.runbook.inputs) ? ctx.runbook.inputs : {};
  const inputs = Object.keys(declared);
  if (first !== undefined && !inputs.includes(first)) {
    ctx.reportAt('unknown-input', path, offset, `no input named \`${first}\``, didYouMean(first, inputs));
  } else if (role === 'prompt' && first !== undefined && isRecord(declared[first]) && declared[first].sensitive === true) {
    ctx.reportAt(
      'sensitive-in-prompt',
      path,
      offset,
      `input \`${first}\` is sensitive and cannot be sent to the model`,
      'leave it out of the prompt, or drop `sensitive: true`',
    );
  } else if (role === 'prompt' && first === undefined && sensitiveInputs(ctx).length > 0) {
    // `inputs` whole, or `inputs[<computed>]`: either could be a sensitive one.
    ctx.reportAt(
      'sensitive-in-prompt',
      path,
      offset,
      `the prompt reads \`inputs\` as a whole or by a computed name, which could send sensitive input \`${sensitiveInputs(ctx)[0]![0]}\` to the model`,
      'name each input the prompt needs, e.g. `inputs.service`',
    );
  }
}

function checkSecretReference(ctx: RunbookChecks, first: string | undefined, path: Path, offset: number, role: ExpressionRole, sole: boolean): void {
  if (role !== 'with' && role !== 'tool-with' && role !== 'compensate') {
    const hint = role === 'child-with' ? 'a child runbook declares and reads its own secrets' : 'anywhere else the value would enter workflow history';
    ctx.reportAt('secret-outside-with', path, offset, 'secrets can only be used in the `with` of an action, where the worker resolves them at run time', hint);
    return;
  }
  if (!sole) {
    ctx.reportAt(
      'secret-in-expression',
      path,
      offset,
      'a secret must stand alone in its `${{ }}`',
      'write e.g. `Bearer ${{ secrets.token }}`; the worker puts the value exactly there and nowhere else',
    );
    return;
  }
  const secrets = isRecord(ctx.runbook.secrets) ? Object.keys(ctx.runbook.secrets) : [];
  if (first !== undefined && !secrets.includes(first))
    ctx.reportAt('unknown-secret', path, offset, `no secret named \`${first}\``, didYouMean(first, secrets) ?? 'declare it under `secrets:`');
}

function checkAlertReference(ctx: RunbookChecks, members: string[], path: Path, offset: number, role: ExpressionRole): void {
  const [first] = members;
  if (first !== undefined && !(ALERT_FIELDS as readonly string[]).includes(first)) {
    ctx.reportAt(
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
      ? sensitiveInputs(ctx).find(([, spec]) => typeof spec.from === 'string' && (spec.from === read || spec.from.startsWith(`${read}.`)))
      : undefined;
  if (exposed) {
    ctx.reportAt(
      'sensitive-in-prompt',
      path,
      offset,
      `\`${read}\` holds ${exposed[1].from}, the source of sensitive input \`${exposed[0]}\`, and cannot be sent to the model`,
      'name the alert fields the prompt needs',
    );
  }
}

/** Inputs marked `sensitive: true`, with their declarations. */
function sensitiveInputs(ctx: RunbookChecks): Array<[string, Record<string, unknown>]> {
  const declared = isRecord(ctx.runbook.inputs) ? ctx.runbook.inputs : {};
  return Object.entries(declared).filter((e): e is [string, Record<string, unknown>] => isRecord(e[1]) && e[1].sensitive === true);
}

/** The loop variables a step can read: one per foreach body it is in. */
function enclosingLoopVariables(node: StepNode): string[] {
  const names: string[] = [];
  for (let owner = node.block.owner, block = node.block; owner; block = owner.block, owner = owner.block.owner) {
    const name = block.role === 'body' && owner.kind ? kindByKey(owner.kind)?.loopVariable?.(owner) : undefined;
    if (name !== undefined) names.push(name);
  }
  return names;
}
