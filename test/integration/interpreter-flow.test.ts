// Control flow on the real dev server: retries and timeouts from the runbook, if/next/end,
// onFailure routing, bounded loops, polling and durable waits. Every history is replayed
// and kept in the replay corpus.
import { historyOf } from '../helpers/history';
import { runAndReplay } from '../helpers/replay';
import { callsOf } from '../helpers/test-actions';
import { closeTestClient } from '../helpers/temporal';

afterAll(closeTestClient);

const run = runAndReplay;

it('retries an action under the runbook retry policy, each attempt visible in history', async () => {
  const outcome = await run(
    'retry',
    `
name: retry
steps:
  - id: flaky
    uses: test.probe
    retry: { maxAttempts: 3, initialInterval: 100ms, backoffCoefficient: 1 }
    with: { name: retry-flaky, failAttempts: 2 }
outputs:
  attempt: \${{ steps.flaky.outputs.attempt }}
`,
  );
  expect(outcome).toMatchObject({ ok: true, result: { outputs: { attempt: 3 } } });
  expect(callsOf('retry-flaky').map((c) => c.outcome)).toEqual(['failed', 'failed', 'done']);
  const history = await historyOf(outcome.workflowId);
  expect(history.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt)).toEqual([3]);
  expect(history.find((e) => e.activityTaskStartedEventAttributes)?.activityTaskStartedEventAttributes?.lastFailure?.message).toBe(
    'probe retry-flaky failed on attempt 2',
  );
});

it('gives up after maxAttempts and fails the run with the last error', async () => {
  const outcome = await run(
    'retry-exhausted',
    `
name: retry-exhausted
steps:
  - id: broken
    uses: test.probe
    retry: { maxAttempts: 2, initialInterval: 100ms }
    with: { name: retry-broken, alwaysFail: true }
`,
  );
  expect(outcome).toMatchObject({ ok: false, reason: 'step `broken` failed: test.probe failed: probe retry-broken failed on attempt 2 (test.yaml:4:5)' });
  expect(callsOf('retry-broken')).toHaveLength(2);
});

it('times out an attempt after the step timeout', async () => {
  const outcome = await run(
    'timeout',
    `
name: timeout
steps:
  - id: slow
    uses: test.probe
    timeout: 1s
    retry: { maxAttempts: 1 }
    with: { name: timeout-slow, sleepMs: 10000 }
`,
  );
  expect(outcome.ok === false && outcome.reason).toBe('step `slow` failed: test.probe failed: timed out (start to close) (test.yaml:4:5)');
});

it('follows next, skips on if, and ends with success or failure and a reason', async () => {
  const yaml = `
name: branching
inputs:
  mode: { type: enum, values: [skip, fail, ok] }
steps:
  - id: start
    uses: test.probe
    with: { name: 'branch-start-\${{ inputs.mode }}' }
    next: decide_fate
  - id: never
    uses: test.probe
    with: { name: branch-never }
  - id: decide_fate
    if: \${{ inputs.mode == "fail" }}
    end: failure
    reason: 'mode was \${{ inputs.mode }}'
  - id: maybe
    if: \${{ inputs.mode != "skip" }}
    uses: test.probe
    with: { name: 'branch-maybe-\${{ inputs.mode }}' }
  - id: done
    end: success
`;
  const failed = await run('end-failure', yaml, { mode: 'fail' });
  expect(failed).toMatchObject({ ok: false, reason: 'mode was fail' });
  const skipped = await run('if-skip', yaml, { mode: 'skip' });
  expect(skipped.ok && skipped.result.steps).toMatchObject({
    start: { status: 'succeeded' },
    decide_fate: { status: 'skipped' },
    maybe: { status: 'skipped' },
    done: { status: 'succeeded' },
  });
  expect(skipped.ok && Object.keys(skipped.result.steps)).not.toContain('never');
  const ran = await run('next-ok', yaml, { mode: 'ok' });
  expect(ran.ok && ran.result.steps.maybe!.status).toBe('succeeded');
  expect(callsOf('branch-never')).toHaveLength(0);
});

it('routes a failed step to onFailure and records the error for later steps', async () => {
  const outcome = await run(
    'on-failure',
    `
name: on-failure
steps:
  - id: risky
    uses: test.probe
    retry: { maxAttempts: 1 }
    with: { name: onfail-risky, alwaysFail: true }
    onFailure: recover
  - id: not_this
    uses: test.probe
    with: { name: onfail-skipped }
  - id: recover
    uses: test.probe
    with: { name: onfail-recover, value: '\${{ steps.risky.status }}: \${{ steps.risky.error }}' }
outputs:
  seen: \${{ steps.recover.outputs.value }}
`,
  );
  expect(outcome).toMatchObject({
    ok: true,
    result: { outputs: { seen: 'failed: test.probe failed: probe onfail-risky failed on attempt 1 (test.yaml:4:5)' } },
  });
  expect(callsOf('onfail-skipped')).toHaveLength(0);
});

it('bounds a next-loop with maxVisits', async () => {
  const outcome = await run(
    'max-visits',
    `
name: max-visits
steps:
  - id: again
    maxVisits: 3
    uses: test.probe
    with: { name: loop-again }
    next: again
`,
  );
  expect(outcome).toMatchObject({ ok: false, reason: 'step `again` failed: visited 4 times, more than maxVisits (3)' });
  expect(callsOf('loop-again')).toHaveLength(3);
});

it('polls until a condition holds, with a durable timer between polls', async () => {
  const outcome = await run(
    'poll',
    `
name: poll
steps:
  - id: ready
    uses: test.probe
    with: { name: poll-ready }
    until: \${{ result.calls >= 3 }}
    every: 200ms
    maxPolls: 5
outputs:
  calls: \${{ steps.ready.outputs.calls }}
`,
  );
  expect(outcome).toMatchObject({ ok: true, result: { outputs: { calls: 3 } } });
  const timers = (await historyOf(outcome.workflowId)).filter((e) => e.timerStartedEventAttributes);
  expect(timers).toHaveLength(2);
});

it('fails a poll that runs out of polls', async () => {
  const outcome = await run(
    'poll-exhausted',
    `
name: poll-exhausted
steps:
  - id: never_ready
    uses: test.probe
    with: { name: poll-never }
    until: \${{ result.calls > 100 }}
    every: 100ms
    maxPolls: 3
`,
  );
  expect(outcome).toMatchObject({ ok: false, reason: 'step `never_ready` failed: condition `${{ result.calls > 100 }}` still false after 3 polls' });
});

it('waits durably, with the wait named in history', async () => {
  const started = Date.now();
  const outcome = await run('wait', 'name: wait\nsteps:\n  - id: settle\n    wait: 1s\n');
  expect(outcome.ok).toBe(true);
  expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  const timer = (await historyOf(outcome.workflowId)).find((e) => e.timerStartedEventAttributes);
  expect(timer?.summary).toBe('settle: wait 1s');
});
