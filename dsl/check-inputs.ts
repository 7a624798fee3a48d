// Checks of what a runbook takes in: its inputs (types, patterns, defaults, alert fields), how
// alert values reach command lines, and its triggers' matchers.
import { ALERT_FIELDS } from './alert';
import { didYouMean } from './diagnostics';
import { expressionReferences, splitTemplate } from './expressions';
import { inputProblem } from './inputs';
import type { Path } from './load';
import { regexProblem } from './regex';
import type { RunbookChecks } from './runbook-checks';
import { isRecord, visitStrings } from './values';

export const RE2_HINT = 'patterns use RE2 syntax: no backreferences or lookaround';
/** Actions whose `with.command` is a command line. */
const ARGV_ACTIONS = ['shell'];

export function checkInputs(ctx: RunbookChecks): void {
  checkDeclarations(ctx);
  checkArgvInputs(ctx);
  checkTriggers(ctx);
}

function checkDeclarations(ctx: RunbookChecks): void {
  if (!isRecord(ctx.runbook.inputs)) return;
  for (const [name, spec] of Object.entries(ctx.runbook.inputs)) {
    if (!isRecord(spec)) continue;
    const path = ['inputs', name];
    if (typeof spec.pattern === 'string') checkRegex(ctx, spec.pattern, [...path, 'pattern'], `\`pattern\` of input \`${name}\``);
    if (spec.type === 'enum' && !Array.isArray(spec.values))
      ctx.report('missing-key', path, `enum input \`${name}\` is missing the required key \`values\``, undefined, 'key');
    if (spec.type !== 'enum' && spec.values !== undefined)
      ctx.report('misplaced-key', [...path, 'values'], '`values` only applies to `enum` inputs', undefined, 'key');
    if (spec.type !== 'list' && spec.items !== undefined)
      ctx.report('misplaced-key', [...path, 'items'], '`items` only applies to `list` inputs', undefined, 'key');
    if (typeof spec.from === 'string') {
      const field = spec.from.split('.')[1] ?? '';
      if (!(ALERT_FIELDS as readonly string[]).includes(field)) {
        ctx.report(
          'unknown-name',
          [...path, 'from'],
          `alerts have no field \`${field}\``,
          didYouMean(field, ALERT_FIELDS) ?? `alert fields: ${ALERT_FIELDS.join(', ')}`,
        );
      }
    }
    if (spec.default !== undefined && typeof spec.type === 'string') {
      const problem = inputProblem(spec, spec.default);
      if (problem) ctx.report('bad-default', [...path, 'default'], `default of input \`${name}\` ${problem}`);
    }
  }
}

/**
 * An input taken from an alert and put into a command line must be held to an anchored
 * pattern: `pattern: '[a-z]+'` also accepts `x; --kubeconfig=/tmp/evil`, since it only needs
 * to contain a match. A warning: the author may know the command treats it as data.
 */
function checkArgvInputs(ctx: RunbookChecks): void {
  const declared = isRecord(ctx.runbook.inputs) ? ctx.runbook.inputs : {};
  const warned = new Set<string>();
  for (const node of ctx.tree.all) {
    if (node.kind !== 'uses' || !ARGV_ACTIONS.includes(String(node.raw.uses)) || !isRecord(node.raw.with)) continue;
    visitStrings(node.raw.with.command, [...node.path, 'with', 'command'], (text) => {
      for (const name of inputReferences(text)) {
        const spec = declared[name];
        if (warned.has(name) || !isRecord(spec) || typeof spec.from !== 'string' || (spec.type !== 'string' && spec.type !== undefined)) continue;
        const pattern = typeof spec.pattern === 'string' ? spec.pattern : undefined;
        if (pattern !== undefined && pattern.startsWith('^') && pattern.endsWith('$')) continue;
        warned.add(name);
        const where: Path = pattern === undefined ? ['inputs', name, 'from'] : ['inputs', name, 'pattern'];
        const what = pattern === undefined ? 'has no `pattern`' : `has a pattern that is not anchored with ^ and $`;
        ctx.report(
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

function checkTriggers(ctx: RunbookChecks): void {
  if (!Array.isArray(ctx.runbook.triggers)) return;
  ctx.runbook.triggers.forEach((trigger, i) => {
    if (!isRecord(trigger) || !isRecord(trigger.matchRe)) return;
    for (const [label, pattern] of Object.entries(trigger.matchRe)) {
      if (typeof pattern === 'string') checkRegex(ctx, pattern, ['triggers', i, 'matchRe', label], `\`matchRe\` for label \`${label}\``);
    }
  });
}

function checkRegex(ctx: RunbookChecks, pattern: string, path: Path, what: string): void {
  const problem = regexProblem(pattern);
  if (problem !== undefined) ctx.report('bad-regex', path, `${what} is not a valid regular expression: ${problem}`, RE2_HINT);
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
