// `${{ }}` expressions give the same values in the workflow sandbox as in the CLI process.
import { renderValue } from '../../dsl/expressions';
import { closeTestClient, compile, runToEnd, withWorker } from '../helpers/temporal';

afterAll(closeTestClient);

const EXPRESSIONS: Record<string, string> = {
  arithmetic: '${{ inputs.n * 3 + 1 }}',
  doubles: '${{ double(inputs.n) / 4.0 }}',
  strings: '${{ inputs.name.upperAscii() + "-" + string(inputs.n) }}',
  lists: '${{ inputs.tags.filter(t, t.startsWith("a")).map(t, t.size()) }}',
  maps: '${{ {"k": inputs.n, "ok": inputs.n > 2} }}',
  regex: '${{ inputs.name.matches("^[a-z]+$") }}',
  optional: '${{ steps.echo.outputs.value.?missing.orValue("fallback") }}',
  ternary: '${{ inputs.n > 10 ? "big" : "small" }}',
  text: 'n=${{ inputs.n }} tags=${{ inputs.tags }}',
  step: '${{ steps.echo.outputs.value.nested[1] }}',
  alert: '${{ alert.labels.service + "/" + alert.status }}',
  run: '${{ run.runbook + ":" + run.startedBy }}',
};

it('evaluates the same in the workflow as in the CLI', async () => {
  const inputs = { n: 7, name: 'api', tags: ['alpha', 'beta', 'ab'] };
  const alert = { source: 'manual' as const, status: 'firing' as const, fingerprint: 'f1', name: 'Test', labels: { service: 'checkout' }, annotations: {} };
  const runbook = compile(`
name: expressions
inputs:
  n: { type: integer }
  name: { type: string }
  tags: { type: list, items: string }
steps:
  - id: echo
    uses: test.probe
    with: { name: echo, value: { nested: [1, "two", 3.5] } }
outputs:
${Object.entries(EXPRESSIONS)
  .map(([k, v]) => `  ${k}: '${v}'`)
  .join('\n')}
`);
  const outcome = await withWorker((s) => runToEnd(s, { runbook, inputs, alert, startedBy: 'alice' }));
  if (!outcome.ok) throw new Error(outcome.reason);
  const scope = {
    inputs,
    alert,
    run: { id: outcome.workflowId, runbook: 'expressions', hash: runbook.hash, startedBy: 'alice' },
    steps: { echo: { outputs: { name: 'echo', attempt: 1, value: { nested: [1, 'two', 3.5] } }, status: 'succeeded', error: '' } },
  };
  const local = renderValue(EXPRESSIONS, scope);
  expect(outcome.result.outputs).toEqual(local);
  expect(local).toMatchObject({
    arithmetic: 22,
    doubles: 1.75,
    strings: 'API-7',
    lists: [5, 2],
    regex: true,
    optional: 'fallback',
    step: 'two',
    alert: 'checkout/firing',
    run: 'expressions:alice',
  });
});
