// The runbook language, defined once. TypeScript types come from `Static<>` and
// `runbooks/runbook.schema.json` is generated from these values (scripts/gen-schema.ts),
// so editors, the validator and the compiler can never disagree about the shape.
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const doc = (description: string, extra: Record<string, unknown> = {}) => ({ description, ...extra });

export const STEP_ID_PATTERN = '^[a-z][a-z0-9_]{0,62}$';
export const RUNBOOK_NAME_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';
export const DURATION_PATTERN = '^([0-9]+(ms|s|m|h|d))+$';

const StepId = Type.String({
  pattern: STEP_ID_PATTERN,
  ...doc('A step id: lower case letters, digits and underscores, starting with a letter (so `steps.<id>` works in expressions).'),
});
const Duration = Type.String({ pattern: DURATION_PATTERN, ...doc('A duration such as `30s`, `5m`, `1h30m`, `2d`, `250ms`.') });
const Expression = Type.String({ ...doc('A `${{ }}` expression (CEL).') });
const Text = (description: string) => Type.String({ description });

// A route is a step id, or one of the words that end the run.
const Route = Type.String({ ...doc('A step id, or `fail` to fail the run, or `succeed` to end it successfully.') });

export const RetrySchema = Type.Object(
  {
    maxAttempts: Type.Integer({ minimum: 1, maximum: 100, ...doc('Attempts in all, the first one included. 1 means no retry.') }),
    initialInterval: Type.Optional(Duration),
    backoffCoefficient: Type.Optional(Type.Number({ minimum: 1, maximum: 10 })),
    maximumInterval: Type.Optional(Duration),
    nonRetryableErrors: Type.Optional(Type.Array(Type.String(), doc('Error types that are never retried.'))),
  },
  { additionalProperties: false, ...doc('How Temporal retries the step. Defaults come from the action (idempotent reads retry, writes do not).') },
);

const Matchers = (description: string) => Type.Record(Type.String(), Type.String(), { description });
export const TriggerSchema = Type.Object(
  {
    source: Type.Union(
      [Type.Literal('alertmanager'), Type.Literal('grafana'), Type.Literal('pagerduty'), Type.Literal('webhook')],
      doc('The alerting system that sends the alert.'),
    ),
    match: Type.Optional(Matchers('Label values that must be equal (alert labels; `alertname` included).')),
    matchRe: Type.Optional(Matchers('Label values that must fully match a regular expression.')),
  },
  { additionalProperties: false, ...doc('An alert that starts this runbook.') },
);

const InputType = Type.Union(
  ['string', 'integer', 'number', 'boolean', 'enum', 'list'].map((t) => Type.Literal(t)),
  doc('The value type.'),
);
export const InputSchema = Type.Object(
  {
    type: InputType,
    description: Type.Optional(Text('What the input means; shown by `runbook run --help` and in the UI.')),
    default: Type.Optional(Type.Unknown(doc('Used when the input is neither given nor found in the alert.'))),
    from: Type.Optional(Type.String({ pattern: '^alert\\.', ...doc('An alert field, e.g. `alert.labels.service`.') })),
    pattern: Type.Optional(
      Type.String(doc('A regular expression the value must contain a match of (as in JSON Schema); anchor it with ^ and $ to match the whole value.')),
    ),
    minLength: Type.Optional(Type.Integer({ minimum: 0 })),
    maxLength: Type.Optional(Type.Integer({ minimum: 0 })),
    minimum: Type.Optional(Type.Number()),
    maximum: Type.Optional(Type.Number()),
    values: Type.Optional(Type.Array(Type.String(), { minItems: 1, ...doc('The allowed values of an `enum`.') })),
    items: Type.Optional(
      Type.Union(
        ['string', 'integer', 'number', 'boolean'].map((t) => Type.Literal(t)),
        doc('Element type of a `list`.'),
      ),
    ),
    maxItems: Type.Optional(Type.Integer({ minimum: 0 })),
    sensitive: Type.Optional(Type.Boolean(doc('Never shown to the model, never logged by the CLI.'))),
  },
  { additionalProperties: false },
);

export const SecretSchema = Type.Object(
  {
    env: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', ...doc('Read from this environment variable of the worker.') })),
    file: Type.Optional(Type.String(doc('Read from this file on the worker (trailing newline removed).'))),
    description: Type.Optional(Type.String()),
  },
  { additionalProperties: false, ...doc('Where the worker finds the secret at run time. Its value never enters history.') },
);

export const CompensateSchema = Type.Object(
  {
    description: Type.Optional(Type.String()),
    uses: Type.String(doc('The action that undoes the step.')),
    with: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    timeout: Type.Optional(Duration),
    retry: Type.Optional(RetrySchema),
  },
  { additionalProperties: false, ...doc('Undoes this step when the run later fails or is cancelled; compensations run in reverse order.') },
);

const HumanFallbackSchema = Type.Object(
  {
    deciders: Type.Optional(Type.Array(Type.String(), doc('People or `group:<name>` who may decide. Default: anyone.'))),
    timeout: Type.Optional(Duration),
    onTimeout: Type.Optional(Route),
  },
  { additionalProperties: false, ...doc('Who decides when the model cannot (no key, unreachable, low confidence), and for how long the run waits.') },
);

const ChoiceSchema = Type.Object(
  {
    when: Type.String(doc('When this choice fits; the model reads it.')),
    next: Type.Optional(Route),
  },
  { additionalProperties: false },
);

const AdvisorFields = {
  prompt: Type.String(doc('What the model (or the human) is asked.')),
  evidence: Type.Optional(Type.Array(StepId, doc('Steps whose outputs the model reads.'))),
  model: Type.Optional(Type.String(doc('Claude model id; default from the worker configuration.'))),
  minConfidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1, ...doc('Below this confidence a human decides.') })),
  human: Type.Optional(HumanFallbackSchema),
};

export const DecideSchema = Type.Object(
  {
    ...AdvisorFields,
    choices: Type.Record(Type.String({ pattern: STEP_ID_PATTERN }), ChoiceSchema, { minProperties: 2, ...doc('The declared branches.') }),
  },
  { additionalProperties: false, ...doc('Claude picks one declared choice from the evidence.') },
);

export const FillSchema = Type.Object(
  {
    ...AdvisorFields,
    schema: Type.Record(Type.String(), Type.Unknown(), doc('JSON Schema (an object) the values must satisfy.')),
  },
  { additionalProperties: false, ...doc('Claude fills values within a declared JSON Schema.') },
);

export const ApproveSchema = Type.Object(
  {
    approvers: Type.Array(Type.String(), { minItems: 1, ...doc('People, or `group:<name>` from the groups file.') }),
    minApprovals: Type.Optional(Type.Integer({ minimum: 1, ...doc('Distinct approvers needed. Default 1.') })),
    allowRequester: Type.Optional(Type.Boolean(doc('May whoever started the run approve it? Default false.'))),
    timeout: Type.Optional(Duration),
    onTimeout: Type.Optional(Route),
    onReject: Type.Optional(Route),
  },
  { additionalProperties: false, ...doc('Waits for human approval of the exact plan of the step that follows it (its rendered parameters).') },
);

export const StepSchema = Type.Recursive(
  (Step) =>
    Type.Object(
      {
        id: StepId,
        description: Type.Optional(Text('One line shown in the Temporal UI timeline and in reports.')),
        if: Type.Optional(Type.Union([Expression, Type.Boolean()], doc('Skip the step unless this is true.'))),
        next: Type.Optional(Route),
        end: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure')], doc('End the run after this step.'))),
        reason: Type.Optional(Text('Why the run ends here (with `end`).')),
        onFailure: Type.Optional(Route),
        timeout: Type.Optional(Duration),
        retry: Type.Optional(RetrySchema),
        maxVisits: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, ...doc('Bounds a loop built with `next`.') })),
        compensate: Type.Optional(CompensateSchema),
        // Kinds: exactly one of the following.
        uses: Type.Optional(Type.String(doc('The action to run, e.g. `shell`, `http`, `kubernetes`.'))),
        with: Type.Optional(Type.Record(Type.String(), Type.Unknown(), doc('Parameters of the action or child runbook.'))),
        until: Type.Optional(Expression),
        every: Type.Optional(Duration),
        within: Type.Optional(Duration),
        maxPolls: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
        wait: Type.Optional(Duration),
        parallel: Type.Optional(Type.Array(Step, { minItems: 2, ...doc('Branches that run at once; the first failure cancels the others.') })),
        foreach: Type.Optional(
          Type.Object(
            {
              items: Expression,
              as: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]*$', ...doc('Name of the loop variable. Default `item`.') })),
              concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, ...doc('Iterations in flight at once. Default 1.') })),
              maxItems: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, ...doc('More items than this fails the step. Default 100.') })),
              steps: Type.Array(Step, { minItems: 1 }),
            },
            { additionalProperties: false, ...doc('Runs its steps once per item, with a concurrency bound.') },
          ),
        ),
        runbook: Type.Optional(Type.String({ pattern: RUNBOOK_NAME_PATTERN, ...doc('Run another runbook as a child workflow.') })),
        decide: Type.Optional(DecideSchema),
        fill: Type.Optional(FillSchema),
        approve: Type.Optional(ApproveSchema),
      },
      { additionalProperties: false },
    ),
  { $id: 'Step' },
);

export const RunbookSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Type.String({ pattern: RUNBOOK_NAME_PATTERN, ...doc('Unique name; lower case, digits, dashes.') }),
    description: Type.Optional(Type.String()),
    triggers: Type.Optional(Type.Array(TriggerSchema)),
    inputs: Type.Optional(Type.Record(Type.String({ pattern: STEP_ID_PATTERN }), InputSchema)),
    secrets: Type.Optional(Type.Record(Type.String({ pattern: STEP_ID_PATTERN }), SecretSchema)),
    defaults: Type.Optional(
      Type.Object(
        { timeout: Type.Optional(Duration), retry: Type.Optional(RetrySchema), model: Type.Optional(Type.String()) },
        { additionalProperties: false, ...doc('Defaults for every step.') },
      ),
    ),
    onResolved: Type.Optional(
      Type.Union(
        [Type.Literal('continue'), Type.Literal('stop')],
        doc('What a resolved alert does to a running remediation. Default `continue`; `alert.status` tells steps either way.'),
      ),
    ),
    steps: Type.Array(StepSchema, { minItems: 1 }),
    outputs: Type.Optional(Type.Record(Type.String(), Type.Unknown(), doc('Values the run returns; expressions allowed.'))),
  },
  { additionalProperties: false, $id: 'https://runbooks.dev/runbook.schema.json', title: 'Runbook' },
);

export type RetryDoc = Static<typeof RetrySchema>;
export type TriggerDoc = Static<typeof TriggerSchema>;
export type InputDoc = Static<typeof InputSchema>;
export type SecretDoc = Static<typeof SecretSchema>;
export type CompensateDoc = Static<typeof CompensateSchema>;
export type DecideDoc = Static<typeof DecideSchema>;
export type FillDoc = Static<typeof FillSchema>;
export type ApproveDoc = Static<typeof ApproveSchema>;
export type ForeachDoc = NonNullable<StepDoc['foreach']>;
export type StepDoc = Static<typeof StepSchema>;
export type RunbookDoc = Static<typeof RunbookSchema>;

/** The keys that make a step what it is; a step has exactly one (or `end` alone). */
export const STEP_KINDS = ['uses', 'wait', 'parallel', 'foreach', 'runbook', 'decide', 'fill', 'approve'] as const;
export type StepKindKey = (typeof STEP_KINDS)[number];

/** JSON Schema for editors: the same definition, as plain JSON. */
export function runbookJsonSchema(): TSchema {
  return JSON.parse(JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...RunbookSchema }));
}
