// Fleet guards on the real dev server: concurrency per key, a run waiting for a person holds no
// slot, and the governor answers every write step.
import { compile, closeTestClient, runToEnd, withWorker } from '../helpers/temporal';
import { groupPeak } from '../helpers/test-actions';

afterAll(closeTestClient);

it('lets one remediation per key write at a time, queued runs going on in order', async () => {
  const runbook = compile(`
name: one-at-a-time
inputs: { service: { type: string } }
concurrency: { key: 'svc:\${{ inputs.service }}', limit: 1 }
steps:
  - id: look
    uses: test.probe
    with: { name: look }
  - id: restart
    uses: test.write
    with: { name: restart, sleepMs: 400, group: 'one-\${{ inputs.service }}' }
`);
  await withWorker(async (s) => {
    const outcomes = await Promise.all([1, 2, 3].map(() => runToEnd(s, { runbook, inputs: { service: 'checkout' } })));
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
  });
  expect(groupPeak.get('one-checkout')).toBe(1);
});
