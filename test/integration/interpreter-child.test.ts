// Child runbooks run as child workflows with the definition embedded in the parent's.
import { expectReplays } from '../helpers/replay';
import { callsOf } from '../helpers/test-actions';
import { historyOf } from '../helpers/history';
import { closeTestClient, compile, runToEnd, testClient, withWorker } from '../helpers/temporal';

afterAll(closeTestClient);

const CHILD = `
name: child-notify
inputs:
  who: { type: string }
  fail: { type: boolean, default: false }
steps:
  - id: notify
    uses: test.probe
    retry: { maxAttempts: 1 }
    with: { name: 'child-\${{ inputs.who }}', value: 'told \${{ inputs.who }}', alwaysFail: '\${{ inputs.fail }}' }
outputs:
  message: \${{ steps.notify.outputs.value }}
`;

it('runs a child runbook as a child workflow and passes its outputs back', async () => {
  const runbook = compile(
    `
name: parent
steps:
  - id: page
    runbook: child-notify
    with: { who: oncall }
  - id: after
    uses: test.probe
    with: { name: parent-after, value: '\${{ steps.page.outputs.message }}' }
outputs:
  said: \${{ steps.after.outputs.value }}
`,
    { 'child-notify': CHILD },
  );
  expect(runbook.children['child-notify']?.name).toBe('child-notify');
  const outcome = await withWorker((s) => runToEnd(s, { runbook, inputs: {} }));
  expect(outcome).toMatchObject({ ok: true, result: { outputs: { said: 'told oncall' } } });
  const started = (await historyOf(outcome.workflowId)).find((e) => e.startChildWorkflowExecutionInitiatedEventAttributes);
  expect(started?.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId).toBe(`${outcome.workflowId}/page`);
  const child = await (await testClient()).workflow.getHandle(`${outcome.workflowId}/page`).describe();
  expect(child.status.name).toBe('COMPLETED');
  expect(child.typedSearchAttributes.get({ name: 'RunbookName', type: 'KEYWORD' } as never)).toBe('child-notify');
  await expectReplays((await testClient()).workflow.getHandle(outcome.workflowId), 'child');
});

it('fails the parent step when the child fails, and routes it like any failure', async () => {
  const runbook = compile(
    `
name: parent-fail
steps:
  - id: page
    runbook: child-notify
    with: { who: nobody, fail: true }
    onFailure: fallback
  - id: fallback
    uses: test.probe
    with: { name: parent-fallback, value: '\${{ steps.page.error }}' }
outputs:
  error: \${{ steps.fallback.outputs.value }}
`,
    { 'child-notify': CHILD },
  );
  const outcome = await withWorker((s) => runToEnd(s, { runbook, inputs: {} }));
  expect(outcome.ok && outcome.result.outputs.error).toBe(
    'step `notify` failed: test.probe failed: probe child-nobody failed on attempt 1 (child-notify.yaml:7:5) (test.yaml:4:5)',
  );
  expect(callsOf('parent-fallback')).toHaveLength(1);
});
