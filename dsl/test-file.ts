// The language of runbook test files (`<name>.test.yaml` beside a runbook): scenarios that give
// the alert and inputs, script what each step's outside world answers, and say what must happen.
// docs/testing.md is the reference; scenarios/ runs them on the real interpreter.
import { Type, type Static } from '@sinclair/typebox';
import { doc, RUNBOOK_NAME_PATTERN, STEP_ID_PATTERN } from './schema-parts';

/** A test file's name ends so; the receiver, the worker and child lookups never take one for a runbook. */
export const TEST_FILE = /\.test\.ya?ml$/;

export const TEST_LIMITS = {
  scenarios: 500,
  /** Calls, attempts or polls scripted for one step. */
  results: 1000,
  text: 4096,
  name: 200,
} as const;

const Outputs = Type.Record(Type.String(), Type.Unknown(), doc('What the action returns, as `steps.<id>.outputs`.'));
const FailText = Type.String({ minLength: 1, maxLength: TEST_LIMITS.text, ...doc('The error the action fails with.') });
const Person = Type.String({ minLength: 1, maxLength: 128, pattern: '^[^\\s]+$', ...doc('A person, as approvers and the groups file name them.') });

/** One call of an action: what it returns, or how it fails. */
const Attempt = Type.Object(
  {
    outputs: Type.Optional(Outputs),
    fails: Type.Optional(FailText),
    /** Marks the failure as one Temporal must not retry (as a real action does for bad input). */
    nonRetryable: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, ...doc('`outputs: {...}` or `fails: <message>`.') },
);

const Call = Type.Object(
  {
    outputs: Type.Optional(Outputs),
    fails: Type.Optional(FailText),
    nonRetryable: Type.Optional(Type.Boolean()),
    attempts: Type.Optional(Type.Array(Attempt, { minItems: 1, maxItems: TEST_LIMITS.results, ...doc('Each attempt of this call, in order.') })),
  },
  { additionalProperties: false },
);

const HumanAnswer = Type.Union([
  Type.Literal('timeout', doc('Nobody answers: the step waits until its human timeout.')),
  Type.Object(
    {
      by: Person,
      choice: Type.Optional(Type.String({ maxLength: 64 })),
      values: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      comment: Type.Optional(Type.String({ maxLength: TEST_LIMITS.text })),
    },
    { additionalProperties: false },
  ),
]);

/** One model turn of an investigation: the tools it calls, or its finding. */
const Turn = Type.Object(
  {
    calls: Type.Optional(
      Type.Array(
        Type.Object(
          {
            tool: Type.String({ maxLength: 64 }),
            input: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
            reason: Type.Optional(Type.String({ maxLength: TEST_LIMITS.text })),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 50 },
      ),
    ),
    finding: Type.Optional(
      Type.Object(
        {
          summary: Type.String({ minLength: 1, maxLength: TEST_LIMITS.text }),
          hypotheses: Type.Optional(
            Type.Array(
              Type.Object(
                {
                  statement: Type.String({ minLength: 1, maxLength: TEST_LIMITS.text }),
                  confidence: Type.Number({ minimum: 0, maximum: 1 }),
                  support: Type.Optional(Type.Array(Type.String({ maxLength: 16 }), { maxItems: 50 })),
                },
                { additionalProperties: false },
              ),
              { maxItems: 20 },
            ),
          ),
          recommendation: Type.Optional(
            Type.Object({ choice: Type.String({ maxLength: 64 }), reasoning: Type.String({ maxLength: TEST_LIMITS.text }) }, { additionalProperties: false }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, ...doc('`calls: [{tool, input, reason}]` or `finding: {summary, hypotheses, recommendation}`.') },
);
export type TurnScript = Static<typeof Turn>;

export const StepScriptSchema = Type.Object(
  {
    // actions (and a child's scripted outcome)
    outputs: Type.Optional(Outputs),
    fails: Type.Optional(FailText),
    nonRetryable: Type.Optional(Type.Boolean()),
    attempts: Type.Optional(Type.Array(Attempt, { minItems: 1, maxItems: TEST_LIMITS.results, ...doc('Each attempt of the (one) call, in order: retries.') })),
    calls: Type.Optional(Type.Array(Call, { minItems: 1, maxItems: TEST_LIMITS.results, ...doc('Each call in order: foreach iterations, loop visits.') })),
    polls: Type.Optional(Type.Array(Outputs, { minItems: 1, maxItems: TEST_LIMITS.results, ...doc('What each poll of an `until` step returns, in order.') })),
    compensate: Type.Optional(Attempt),
    // decide and fill
    choice: Type.Optional(Type.String({ maxLength: 64 })),
    values: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    reasoning: Type.Optional(Type.String({ maxLength: TEST_LIMITS.text })),
    model: Type.Optional(
      Type.Union(
        [Type.Literal('unavailable'), Type.Literal('invalid')],
        doc('`unavailable`: the model cannot be reached; `invalid`: it keeps answering outside the choices or schema.'),
      ),
    ),
    human: Type.Optional(HumanAnswer),
    // investigate (tool results are its `calls`, in the order the calls are made)
    turns: Type.Optional(Type.Array(Turn, { minItems: 1, maxItems: 60, ...doc('Each model turn of an investigation, in order.') })),
    // approve
    approve: Type.Optional(Type.Array(Person, { minItems: 1, maxItems: 50, ...doc('Who approves, in order.') })),
    reject: Type.Optional(Type.Object({ by: Person, reason: Type.String({ minLength: 1, maxLength: TEST_LIMITS.text }) }, { additionalProperties: false })),
    timeout: Type.Optional(Type.Literal(true, doc('Nobody approves: the approval times out.'))),
    // a child runbook
    status: Type.Optional(Type.Union([Type.Literal('succeeded'), Type.Literal('failed')], doc('A child run scripted to end so.'))),
    error: Type.Optional(Type.String({ maxLength: TEST_LIMITS.text })),
    run: Type.Optional(
      Type.Object(
        { steps: Type.Record(Type.String(), Type.Unknown(), doc("Scripts for the child's own steps.")) },
        { additionalProperties: false, ...doc('Run the child runbook for real, with these scripts for its steps.') },
      ),
    ),
  },
  { additionalProperties: false },
);
export type StepScript = Static<typeof StepScriptSchema>;

const PathEntry = Type.Union([
  Type.String({ pattern: STEP_ID_PATTERN, ...doc('A step that succeeded.') }),
  Type.Record(Type.String({ pattern: STEP_ID_PATTERN }), Type.String(), {
    minProperties: 1,
    maxProperties: 1,
    ...doc('`step: status`, e.g. `still_bad: skipped`.'),
  }),
]);

const ExpectSchema = Type.Object(
  {
    path: Type.Optional(Type.Array(PathEntry, { maxItems: 10_000, ...doc('Top-level step visits in order, with their statuses.') })),
    status: Type.Optional(
      Type.Union([Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('stopped')], doc('How the run ends; `stopped`: its alert resolved.')),
    ),
    outputs: Type.Optional(Type.Record(Type.String(), Type.Unknown(), doc('Run outputs that must have these values (others may exist).'))),
    error: Type.Optional(Type.String({ maxLength: TEST_LIMITS.text, ...doc('Text the failure reason must contain.') })),
    compensations: Type.Optional(Type.Array(Type.String({ pattern: STEP_ID_PATTERN }), doc('Steps whose undo ran, in the order they ran.'))),
    asked: Type.Optional(
      Type.Array(
        Type.Object(
          {
            step: Type.String({ pattern: STEP_ID_PATTERN }),
            who: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), doc('Who may answer (people after groups are resolved); empty: anyone.'))),
          },
          { additionalProperties: false },
        ),
        doc('The questions people were asked (approvals, decisions, fills), in order.'),
      ),
    ),
  },
  { additionalProperties: false },
);

export const ScenarioSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: TEST_LIMITS.name }),
    alert: Type.Optional(
      Type.Object(
        {
          source: Type.Optional(
            Type.Union([Type.Literal('alertmanager'), Type.Literal('grafana'), Type.Literal('pagerduty'), Type.Literal('webhook'), Type.Literal('manual')]),
          ),
          status: Type.Optional(Type.Union([Type.Literal('firing'), Type.Literal('resolved')])),
          fingerprint: Type.Optional(Type.String({ maxLength: 256 })),
          name: Type.Optional(Type.String({ maxLength: TEST_LIMITS.name })),
          labels: Type.Optional(Type.Record(Type.String(), Type.String())),
          annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
          summary: Type.Optional(Type.String({ maxLength: TEST_LIMITS.text })),
          /** The alert resolves while this step runs (the signal the receiver would send). */
          resolvesDuring: Type.Optional(Type.String({ pattern: STEP_ID_PATTERN })),
        },
        { additionalProperties: false },
      ),
    ),
    inputs: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    startedBy: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    steps: Type.Optional(Type.Record(Type.String(), StepScriptSchema)),
    expect: ExpectSchema,
  },
  { additionalProperties: false },
);
export type Scenario = Static<typeof ScenarioSchema>;

export const TestFileSchema = Type.Object(
  {
    runbook: Type.String({ pattern: RUNBOOK_NAME_PATTERN, ...doc('The name of the runbook under test, found in the same folder.') }),
    groups: Type.Optional(Type.Record(Type.String(), Type.Array(Person), doc('Who `group:<name>` means in these scenarios (default: the groups file).'))),
    scenarios: Type.Array(ScenarioSchema, { minItems: 1, maxItems: TEST_LIMITS.scenarios }),
  },
  { additionalProperties: false },
);
export type TestFileDoc = Static<typeof TestFileSchema>;
