// The pieces of the runbook schema that several places share: patterns, durations, routes,
// retries, compensation, and the keys every step has whatever its kind. Step kinds add their
// own keys (dsl/kinds/); dsl/schema.ts puts it all together.
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';

export const doc = (description: string, extra: Record<string, unknown> = {}) => ({ description, ...extra });

export const STEP_ID_PATTERN = '^[a-z][a-z0-9_]{0,62}$';
export const RUNBOOK_NAME_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';
export const DURATION_PATTERN = '^([0-9]+(ms|s|m|h|d))+$';

export const StepId = Type.String({
  pattern: STEP_ID_PATTERN,
  ...doc('A step id: lower case letters, digits and underscores, starting with a letter (so `steps.<id>` works in expressions).'),
});
export const Duration = Type.String({ pattern: DURATION_PATTERN, ...doc('A duration such as `30s`, `5m`, `1h30m`, `2d`, `250ms`.') });

/** When to remind the people asked, and whom to ask next (approvals and human decisions). */
export const ReminderFields = {
  remind: Type.Optional(
    Type.String({ pattern: DURATION_PATTERN, ...doc("Re-send an unanswered request after this long. Default: the people file's `notify.remind`.") }),
  ),
  escalate: Type.Optional(
    Type.Object(
      {
        after: Type.String({ pattern: DURATION_PATTERN, ...doc('Still unanswered after this long...') }),
        to: Type.Array(Type.String(), { minItems: 1, ...doc('...ask these people and `group:<name>`s too (they may answer from then on).') }),
      },
      { additionalProperties: false, ...doc("Escalation before the timeout. Default: the people file's `notify.escalate`.") },
    ),
  ),
};

/** A `human:` part of decide and fill, as written (dsl/kinds/advisor.ts has its schema). */
export interface HumanDoc {
  deciders?: string[];
  timeout?: string;
  onTimeout?: string;
  signed?: boolean;
  remind?: string;
  escalate?: { after: string; to: string[] };
}

/** The compiled form of ReminderFields. */
export interface Reminders {
  remindMs?: number;
  escalate?: { afterMs: number; to: string[] };
}
export const Expression = Type.String({ ...doc('A `${{ }}` expression (CEL).') });
export const Text = (description: string) => Type.String({ description });

// A route is a step id, or one of the words that end the run.
export const Route = Type.String({ ...doc('A step id, or `fail` to fail the run, or `succeed` to end it successfully.') });

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

export const CompensateSchema = Type.Object(
  {
    description: Type.Optional(Type.String()),
    uses: Type.String(doc('The action that undoes the step.')),
    with: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    timeout: Type.Optional(Duration),
    retry: Type.Optional(RetrySchema),
    when: Type.Optional(
      Type.Union([Type.Literal('completed'), Type.Literal('attempted')], {
        ...doc(
          '`completed` (default): undo the step only once it completed. `attempted`: also when it failed or was cancelled after it ran, since a failed attempt may have changed something (its own outputs are then not there: read what the undo needs from inputs or earlier steps).',
        ),
      }),
    ),
  },
  { additionalProperties: false, ...doc('Undoes this step when the run later fails or is cancelled; compensations run in reverse order.') },
);

/** The keys any step may have. Some (`with`, `timeout`, `retry`, `compensate`) mean something only to some kinds, which say so. */
export const commonStepFields = () => ({
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
  with: Type.Optional(Type.Record(Type.String(), Type.Unknown(), doc('Parameters of the action or child runbook.'))),
});

export type RetryDoc = Static<typeof RetrySchema>;
/** A step as written, as far as the keys every step has go. */
export type CommonStepDoc = Static<TObject<ReturnType<typeof commonStepFields>>>;

/** A kind's own keys, as TypeBox properties (the recursive step schema is passed in for kinds that nest steps). */
export type KindFields = (step: TSchema) => Record<string, TSchema>;
