// `investigate`: Claude gathers its own evidence by calling the read-only tools the runbook
// declares, within a budget of calls, tokens and time, and returns a finding of a fixed shape.
// Every tool is an action whose effect is a read (or a `shell`/`http` action the runbook declares
// read, with its command or method fixed); its arguments are the runbook's narrowing of the
// action's parameters. The loop runs in the workflow (workflows/steps/investigate.ts).
import { Type, type Static } from '@sinclair/typebox';
import type { ActionSpec } from '../catalog';
import type { RetryPolicyJson, Route, StepBase } from '../compiled-base';
import { hasExpression } from '../expressions';
import { secretNames } from '../secrets';
import { doc, Duration, Route as RouteSchema, StepId } from '../schema-parts';
import { isRecord } from '../values';
import { keyRoute } from '../route-labels';
import { effectOf } from './action';
import { DEFAULTS } from './defaults';
import { propertyNames, type CheckContext, type KindDescriptor, type KindNode, type RouteDecl } from './kind';

export const TOOL_NAME_PATTERN = '^[a-z][a-z0-9_]{0,63}$';

export interface InvestigateTool {
  name: string;
  uses: string;
  description: string;
  /** The parameters the runbook fixes; may read `params` (the model's arguments). */
  with: Record<string, unknown>;
  /** JSON Schema (an object) of the model's arguments. */
  params: Record<string, unknown>;
  /** Arguments that are the action's own parameters, passed on as they are. */
  passThrough: string[];
  secrets?: string[];
  /** The runbook's word that this `shell` or `http` tool only reads. */
  readOnly?: string;
  timeoutMs: number;
  retry: RetryPolicyJson;
}

export interface InvestigateStep extends StepBase {
  kind: 'investigate';
  question: string;
  evidence: string[];
  tools: InvestigateTool[];
  budget: { calls: number; tokens: number; timeMs: number };
  /** A `decide` step the finding may recommend one choice of; the finding is evidence for it. */
  recommend?: string;
  /** Where the run goes when the investigation ends without a finding (budget, no model). Default: on, as after a finding. */
  onIncomplete?: Route;
  model?: string;
  /** Of each model turn. */
  timeoutMs: number;
  retry: RetryPolicyJson;
}

const CallRecord = Type.Object({
  id: Type.String(),
  tool: Type.String(),
  input: Type.Record(Type.String(), Type.Unknown()),
  reason: Type.String(),
  /** `ok`, `failed` (the action failed), `refused` (not a declared tool, or arguments outside its schema). */
  status: Type.Union([Type.Literal('ok'), Type.Literal('failed'), Type.Literal('refused')]),
  /** What the model was shown, cut to a few hundred characters. */
  excerpt: Type.String(),
});

/** What `steps.<id>.outputs` holds after an investigation. */
export const InvestigateOutputs = Type.Object({
  complete: Type.Boolean(),
  /** Why it ended without a finding (out of calls, tokens or time; no model; the model's answers kept failing). */
  incomplete: Type.Optional(Type.String()),
  summary: Type.String(),
  hypotheses: Type.Array(Type.Object({ statement: Type.String(), confidence: Type.Number(), support: Type.Array(Type.String()) })),
  recommendation: Type.Union([Type.Object({ choice: Type.String(), reasoning: Type.String() }), Type.Null()]),
  calls: Type.Array(CallRecord),
  model: Type.String(),
  tokens: Type.Integer(),
});
export type InvestigateOutputs = Static<typeof InvestigateOutputs>;
export type CallRecord = Static<typeof CallRecord>;

const ToolSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ pattern: TOOL_NAME_PATTERN, ...doc('The name the model calls it by. Default: the action name, `.` as `_`.') })),
    uses: Type.String(
      doc('The action: one whose effect is a read (`prometheus.query`, `kubernetes` with a read operation), or `shell`/`http` with `readOnly`.'),
    ),
    description: Type.Optional(Type.String(doc('What the tool tells, for the model. Default: the action’s description.'))),
    with: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), doc('Parameters the runbook fixes (the model cannot change them); may read `params.<name>`.')),
    ),
    params: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9_]{0,63}$' }),
        Type.Record(Type.String(), Type.Unknown()),
        doc('The arguments the model gives, each a JSON Schema (all required). Default: the action’s parameters that `with` does not fix.'),
      ),
    ),
    readOnly: Type.Optional(Type.String({ minLength: 1, ...doc('For `shell` and `http`: why this fixed command (or GET) only reads.') })),
    timeout: Type.Optional(Duration),
  },
  { additionalProperties: false },
);

const InvestigateSchema = Type.Object(
  {
    question: Type.String(doc('What to find out; expressions allowed.')),
    evidence: Type.Optional(Type.Array(StepId, doc('Steps whose outputs the investigation starts from.'))),
    tools: Type.Array(ToolSchema, { minItems: 1, maxItems: 16, ...doc('The read-only tools the model may call.') }),
    budget: Type.Optional(
      Type.Object(
        {
          calls: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, ...doc('Tool calls, refused ones included. Default 10.') })),
          tokens: Type.Optional(
            Type.Integer({
              minimum: 1000,
              maximum: 2_000_000,
              ...doc('Tokens of all turns, cached ones included (as the run’s budget counts them). Default 100000.'),
            }),
          ),
          time: Type.Optional(Duration),
        },
        { additionalProperties: false, ...doc('When the investigation stops: the first limit reached. `time` default 10m.') },
      ),
    ),
    recommend: Type.Optional(Type.String(doc('A `decide` step: the finding may recommend one of its choices, and is evidence for it.'))),
    onIncomplete: Type.Optional(RouteSchema),
    model: Type.Optional(Type.String(doc('Claude model id; default from the worker configuration.'))),
  },
  { additionalProperties: false, ...doc('Claude calls declared read-only tools to answer a question, and reports a finding.') },
);
type InvestigateDoc = Static<typeof InvestigateSchema>;
type ToolDoc = Static<typeof ToolSchema>;

const investigateOf = (node: KindNode) => (isRecord(node.raw.investigate) ? node.raw.investigate : undefined);
const toolsOf = (node: KindNode) => {
  const tools = investigateOf(node)?.tools;
  return Array.isArray(tools) ? tools : [];
};

export const defaultToolName = (uses: string) => uses.replace(/[^a-z0-9_]/g, '_');

export const investigate: KindDescriptor<InvestigateStep, { investigate?: InvestigateDoc }> = {
  kind: 'investigate',
  key: 'investigate',
  accepts: ['retry', 'timeout'],
  fields: () => ({ investigate: Type.Optional(InvestigateSchema) }),
  routes(node): RouteDecl[] {
    const route = investigateOf(node)?.onIncomplete;
    return route !== undefined ? [{ label: keyRoute('onIncomplete'), path: [...node.path, 'investigate', 'onIncomplete'], route }] : [];
  },
  expressions: (node) => [
    { role: 'prompt', path: [...node.path, 'investigate', 'question'], value: investigateOf(node)?.question },
    ...toolsOf(node).map((tool, i) => ({
      role: 'tool-with' as const,
      path: [...node.path, 'investigate', 'tools', i, 'with'],
      value: isRecord(tool) ? tool.with : undefined,
    })),
  ],
  check(node, ctx) {
    const inv = investigateOf(node);
    if (!inv) return;
    const evidence = inv.evidence;
    if (Array.isArray(evidence))
      evidence.forEach((id, i) => typeof id === 'string' && ctx.checkStepReference(node, id, [...node.path, 'investigate', 'evidence', i]));
    const names = new Map<string, number>();
    toolsOf(node).forEach((tool, i) => {
      if (!isRecord(tool) || typeof tool.uses !== 'string') return;
      const at = [...node.path, 'investigate', 'tools', i];
      const name = typeof tool.name === 'string' ? tool.name : defaultToolName(tool.uses);
      if (names.has(name))
        ctx.report(
          'duplicate-id',
          [...at, typeof tool.name === 'string' ? 'name' : 'uses'],
          `two tools of step \`${node.id}\` are called \`${name}\``,
          'give each a `name`',
        );
      names.set(name, i);
      checkTool(node, tool as ToolDoc, at, ctx);
    });
    if (typeof inv.recommend === 'string') {
      const kind = ctx.kindKeyOf(inv.recommend);
      if (kind !== 'decide')
        ctx.report(
          'unknown-target',
          [...node.path, 'investigate', 'recommend'],
          kind === undefined
            ? `\`recommend\` names \`${inv.recommend}\`, which is not a step`
            : `\`recommend\` names \`${inv.recommend}\`, ${/^[aeiou]/.test(kind) ? 'an' : 'a'} \`${kind}\` step, not a \`decide\``,
          'name the decide step whose choice the finding may recommend',
        );
    }
  },
  outputs: () => propertyNames(InvestigateOutputs),
  compile(raw, ctx) {
    const inv = raw.investigate!;
    const model = inv.model ?? ctx.defaults.model;
    return {
      kind: 'investigate',
      question: inv.question,
      evidence: inv.evidence ?? [],
      tools: inv.tools.map((t) => compileTool(t, ctx.catalog.get(t.uses)!, ctx)),
      budget: {
        calls: inv.budget?.calls ?? DEFAULTS.investigateCalls,
        tokens: inv.budget?.tokens ?? DEFAULTS.investigateTokens,
        timeMs: ctx.ms(inv.budget?.time, DEFAULTS.investigateTime),
      },
      ...(inv.recommend !== undefined && { recommend: inv.recommend }),
      ...(inv.onIncomplete !== undefined && { onIncomplete: inv.onIncomplete }),
      ...(model !== undefined && { model }),
      timeoutMs: ctx.ms(raw.timeout ?? ctx.defaults.timeout, DEFAULTS.advisorTimeout),
      retry: ctx.retry(DEFAULTS.advisorRetry, raw.retry),
    };
  },
  describe: (step) => `investigate with ${step.tools.map((t) => t.name).join(', ')}`,
};

type CompileArgs = Parameters<KindDescriptor<InvestigateStep>['compile']>[1];

function compileTool(t: ToolDoc, spec: ActionSpec, ctx: CompileArgs): InvestigateTool {
  const fixed = t.with ?? {};
  const params = paramsSchema(t, spec);
  const inputs = Object.keys((spec.input as { properties?: object }).properties ?? {});
  const secrets = secretNames(fixed);
  return {
    name: t.name ?? defaultToolName(t.uses),
    uses: t.uses,
    description: t.description ?? spec.description,
    with: fixed,
    params,
    passThrough: Object.keys(params.properties as object).filter((k) => inputs.includes(k) && !(k in fixed)),
    ...(secrets.length > 0 && { secrets }),
    ...(t.readOnly !== undefined && { readOnly: t.readOnly }),
    timeoutMs: ctx.ms(t.timeout ?? ctx.defaults.timeout, DEFAULTS.toolTimeout),
    retry: ctx.retry(DEFAULTS.readRetry),
  };
}

/** The model's arguments: the tool's `params`, or the action's parameters that `with` does not fix. */
export function paramsSchema(t: Pick<ToolDoc, 'with' | 'params'>, spec: ActionSpec): Record<string, unknown> & { properties: Record<string, unknown> } {
  if (t.params) return { type: 'object', properties: t.params, required: Object.keys(t.params), additionalProperties: false };
  const input = spec.input as { properties?: Record<string, unknown>; required?: string[] };
  const fixed = t.with ?? {};
  const properties = Object.fromEntries(Object.entries(input.properties ?? {}).filter(([k]) => !(k in fixed)));
  return { type: 'object', properties, required: (input.required ?? []).filter((k) => !(k in fixed)), additionalProperties: false };
}

function checkTool(node: KindNode, tool: ToolDoc, at: Array<string | number>, ctx: CheckContext): void {
  const spec = ctx.catalog.get(tool.uses);
  ctx.checkActionWith(node, tool.uses, tool.with ?? {}, at, { partial: true });
  if (!spec) return;
  const fixed = tool.with ?? {};
  const refuse = (message: string, hint: string, key: string = 'uses') => ctx.report('write-tool', [...at, key], message, hint);
  if (spec.asTool === 'never') return refuse(`\`${spec.name}\` reaches people, and an investigation only reads`, 'notify from a step after the decision');
  const pin = typeof spec.asTool === 'object' ? spec.asTool.pin : undefined;
  // effectOf counts a parameter that is an expression (unknown before the run) as a write.
  if (effectOf(spec, fixed) !== 'read') {
    if (!pin)
      return refuse(
        `tool \`${tool.name ?? defaultToolName(tool.uses)}\` would write: \`${spec.name}\` with these parameters changes something`,
        spec.name === 'kubernetes'
          ? 'fix `operation` in `with` to a read (`get`, `logs`, `events`, `describe`, `rollout-status`)'
          : 'offer only actions that read',
      );
    if (tool.readOnly === undefined)
      return refuse(
        `\`${spec.name}\` can write; a tool of it needs \`readOnly\` with the reason it only reads`,
        'e.g. `readOnly: journalctl only reads the journal`',
        'uses',
      );
    for (const [key, allowed] of Object.entries(pin)) {
      const value = fixed[key];
      if (value === undefined || (typeof value === 'string' && hasExpression(value)))
        refuse(`a \`${spec.name}\` tool must fix \`${key}\` in \`with\``, `the model may fill only \`params\`, never the ${key}`, 'with');
      else if (allowed !== true && !allowed.includes(value as string))
        refuse(`a \`${spec.name}\` tool must fix \`${key}\` to ${allowed.join(' or ')}, not ${JSON.stringify(value)}`, 'an investigation only reads', 'with');
    }
  } else if (tool.readOnly !== undefined) {
    ctx.report('misplaced-key', [...at, 'readOnly'], `\`${spec.name}\` with these parameters already reads`, 'drop `readOnly`', 'key', 'warning');
  }
  if (tool.params?.reason !== undefined)
    ctx.report(
      'invalid-value',
      [...at, 'params', 'reason'],
      '`reason` is the model’s own word on why it calls a tool: name the parameter otherwise',
      undefined,
      'key',
    );
  if (tool.params) {
    const problem = ctx.schemaProblem({ type: 'object', properties: tool.params });
    if (problem !== undefined)
      ctx.report('bad-json-schema', [...at, 'params'], `\`params\` of a tool of step \`${node.id}\` is not valid JSON Schema: ${problem}`);
  }
  if (tool.params) {
    const unfilled = ((spec.input as { required?: string[] }).required ?? []).filter((k) => !(k in fixed) && !(k in tool.params!));
    if (unfilled.length)
      ctx.report(
        'missing-key',
        [...at, 'with'],
        `a tool of step \`${node.id}\` leaves ${unfilled.map((k) => `\`${k}\``).join(', ')} of \`${spec.name}\` unset`,
        'fix it in `with`, or add it to `params`',
      );
  }
}
