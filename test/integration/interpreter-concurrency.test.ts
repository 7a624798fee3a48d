// parallel and foreach on the real dev server.
import { runAndReplay } from '../helpers/replay';
import { callsOf, groupPeak } from '../helpers/test-actions';
import { closeTestClient } from '../helpers/temporal';

afterAll(closeTestClient);

const run = runAndReplay;

it('runs parallel branches at once and lets later steps read every branch', async () => {
  const started = Date.now();
  const outcome = await run(
    'parallel',
    `
name: parallel
steps:
  - id: gather
    parallel:
      - id: left
        uses: test.probe
        with: { name: par-left, sleepMs: 1000, group: par, value: L }
      - id: right
        uses: test.probe
        with: { name: par-right, sleepMs: 1000, group: par, value: R }
  - id: join
    uses: test.probe
    with: { name: par-join, value: '\${{ steps.left.outputs.value + steps.right.outputs.value }}' }
outputs:
  joined: \${{ steps.join.outputs.value }}
`,
  );
  expect(outcome).toMatchObject({ ok: true, result: { outputs: { joined: 'LR' } } });
  expect(groupPeak.get('par')).toBe(2);
  expect(Date.now() - started).toBeLessThan(8_000);
});

it('cancels the other branches when one fails, and fails the step', async () => {
  const outcome = await run(
    'parallel-fail-fast',
    `
name: parallel-fail-fast
steps:
  - id: gather
    parallel:
      - id: slow
        uses: test.probe
        retry: { maxAttempts: 1 }
        with: { name: pff-slow, sleepMs: 60000 }
      - id: broken
        uses: test.probe
        retry: { maxAttempts: 1 }
        with: { name: pff-broken, sleepMs: 300, alwaysFail: true }
  - id: after
    uses: test.probe
    with: { name: pff-after }
`,
  );
  expect(outcome).toMatchObject({
    ok: false,
    reason: 'step `gather` failed: branch `broken` failed: step `broken` failed: test.probe failed: probe pff-broken failed on attempt 1 (test.yaml:10:9)',
  });
  expect(callsOf('pff-slow').map((c) => c.outcome)).toEqual(['cancelled']);
  expect(callsOf('pff-after')).toHaveLength(0);
});

it('runs foreach iterations with at most `concurrency` at once, each with its own step outputs', async () => {
  const outcome = await run(
    'foreach',
    `
name: foreach
inputs:
  pods: { type: list, items: string }
steps:
  - id: each_pod
    foreach:
      items: \${{ inputs.pods }}
      as: pod
      concurrency: 2
      steps:
        - id: restart
          uses: test.probe
          with: { name: 'fe-\${{ pod }}', sleepMs: 300, group: fe, value: '\${{ pod }}' }
        - id: check
          uses: test.probe
          with: { name: 'fe-check-\${{ pod }}', value: '\${{ steps.restart.outputs.value }}-ok' }
outputs:
  checks: \${{ steps.each_pod.outputs.iterations.map(i, i.steps.check.value) }}
`,
    { pods: ['a', 'b', 'c', 'd', 'e'] },
  );
  expect(outcome).toMatchObject({ ok: true, result: { outputs: { checks: ['a-ok', 'b-ok', 'c-ok', 'd-ok', 'e-ok'] } } });
  expect(groupPeak.get('fe')).toBe(2);
});

it('stops starting iterations after one fails, and fails the step', async () => {
  const outcome = await run(
    'foreach-fail',
    `
name: foreach-fail
steps:
  - id: each
    foreach:
      items: \${{ ["ok1", "bad", "ok2", "ok3"] }}
      steps:
        - id: work
          uses: test.probe
          retry: { maxAttempts: 1 }
          with: { name: 'ff-\${{ item }}', alwaysFail: '\${{ item == "bad" }}' }
`,
  );
  expect(outcome).toMatchObject({
    ok: false,
    reason: 'step `each` failed: item 2 of 4 failed: step `work` failed: test.probe failed: probe ff-bad failed on attempt 1 (test.yaml:8:11)',
  });
  expect(callsOf('ff-ok1')).toHaveLength(1);
  expect(callsOf('ff-ok2')).toHaveLength(0);
});

it('refuses more items than maxItems', async () => {
  const outcome = await run(
    'foreach-max-items',
    `
name: foreach-max-items
steps:
  - id: each
    foreach:
      items: \${{ [1, 2, 3] }}
      maxItems: 2
      steps:
        - id: work
          uses: test.probe
          with: { name: fmi }
`,
  );
  expect(outcome).toMatchObject({ ok: false, reason: 'step `each` failed: 3 items is more than maxItems (2)' });
  expect(callsOf('fmi')).toHaveLength(0);
});
