// `investigate` in the language: a tool that could write is an error at validate time (and the
// activity refuses it again at run time), a tool's arguments are the runbook's narrowing of the
// action's parameters, and what compiles is what the workflow offers the model.
import { BUILTIN_ACTIONS, catalogOf } from '../../activities/registry';
import { notARead } from '../../activities/run-action';
import { compileRunbook } from '../../dsl/compile';
import type { InvestigateStep } from '../../dsl/kinds/investigate';
import { diagnose } from '../helpers/diagnose';

const runbook = (tools: string, extra = '') => `name: x
inputs: { namespace: { type: string, default: prod } }
steps:
  - id: look
    investigate:
      question: Why?
${extra}      tools:
${tools}
  - id: act
    decide:
      prompt: Go?
      choices:
        rollback: { when: a deploy did it, next: succeed }
        wait: { when: otherwise, next: succeed }
`;

it.each<[string, string, string[]]>([
  [
    'a kubernetes tool that scales',
    '        - { uses: kubernetes, with: { operation: scale } }',
    [
      'rb.yaml:8:19: error: tool `kubernetes` would write: `kubernetes` with these parameters changes something (fix `operation` in `with` to a read (`get`, `logs`, `events`, `describe`, `rollout-status`)) [write-tool]',
    ],
  ],
  [
    'a kubernetes tool whose operation the model picks',
    '        - { uses: kubernetes }',
    [
      'rb.yaml:8:19: error: tool `kubernetes` would write: `kubernetes` with these parameters changes something (fix `operation` in `with` to a read (`get`, `logs`, `events`, `describe`, `rollout-status`)) [write-tool]',
    ],
  ],
  [
    'a notification',
    "        - { uses: notify.slack, with: { webhook: 'https://hooks.example/x' } }",
    ['rb.yaml:8:19: error: `notify.slack` reaches people, and an investigation only reads (notify from a step after the decision) [write-tool]'],
  ],
  [
    'shell without readOnly',
    '        - { uses: shell, with: { command: [journalctl, -n, "50"] } }',
    [
      'rb.yaml:8:19: error: `shell` can write; a tool of it needs `readOnly` with the reason it only reads (e.g. `readOnly: journalctl only reads the journal`) [write-tool]',
    ],
  ],
  [
    'shell whose command the model writes',
    '        - { uses: shell, readOnly: reads the journal }',
    ['rb.yaml:8:11: error: a `shell` tool must fix `command` in `with` (the model may fill only `params`, never the command) [write-tool]'],
  ],
  [
    'http with a POST',
    "        - { uses: http, readOnly: a search, with: { method: POST, url: 'https://logs.example/search' } }",
    ['rb.yaml:8:51: error: a `http` tool must fix `method` to GET or HEAD, not "POST" (an investigation only reads) [write-tool]'],
  ],
  [
    'an unknown action',
    '        - { uses: kubectl }',
    [
      'rb.yaml:8:19: error: unknown action `kubectl` (known actions: shell, http, prometheus.query, kubernetes, notify.slack, notify.webhook, notify.pagerduty) [unknown-action]',
    ],
  ],
  [
    'params that leave a required parameter unset',
    '        - { uses: shell, readOnly: reads, params: { unit: { type: string } } }',
    [
      'rb.yaml:8:11: error: a `shell` tool must fix `command` in `with` (the model may fill only `params`, never the command) [write-tool]',
      'rb.yaml:8:11: error: a tool of step `look` leaves `command` of `shell` unset (fix it in `with`, or add it to `params`) [missing-key]',
    ],
  ],
  [
    'a parameter called `reason`',
    '        - { uses: prometheus.query, params: { query: { type: string }, reason: { type: string } } }',
    ['rb.yaml:8:72: error: `reason` is the model’s own word on why it calls a tool: name the parameter otherwise [invalid-value]'],
  ],
  [
    'two tools of one name',
    '        - { uses: prometheus.query }\n        - { uses: prometheus.query }',
    ['rb.yaml:9:19: error: two tools of step `look` are called `prometheus_query` (give each a `name`) [duplicate-id]'],
  ],
  [
    'params outside a tool',
    '        - { uses: prometheus.query, with: { url: "${{ params.url }}" } }\n  - id: after\n    uses: shell\n    with: { command: [echo, "${{ params.x }}"] }',
    ['rb.yaml:11:34: error: `params` only exists in the `with` of an investigation’s tool, where it holds the model’s arguments [unknown-name]'],
  ],
])('refuses %s', (_, tools, expected) => {
  const problems = diagnose(runbook(tools)).filter((d) => !d.includes('warning'));
  expect(problems).toEqual(expected);
});

it('refuses a recommendation for a step that is not a decision', () => {
  expect(diagnose(runbook('        - { uses: prometheus.query }', '      recommend: look\n'))).toEqual([
    'rb.yaml:7:18: error: `recommend` names `look`, an `investigate` step, not a `decide` (name the decide step whose choice the finding may recommend) [unknown-target]',
  ]);
});

it('compiles what the model is offered: the narrowing of each action, with its pinned parameters and the reads it may do', () => {
  const text = runbook(
    [
      '        - name: errors',
      '          uses: prometheus.query',
      "          with: { url: 'http://prometheus:9090' }",
      "          params: { query: { type: string, pattern: '^sum\\(rate\\(' } }",
      '        - name: pod_logs',
      '          uses: kubernetes',
      "          with: { operation: logs, namespace: '${{ inputs.namespace }}' }",
      '        - name: journal',
      '          uses: shell',
      '          readOnly: journalctl only reads',
      "          with: { command: [journalctl, -u, '${{ params.unit }}', -n, '100'] }",
      "          params: { unit: { type: string, pattern: '^[a-z-]+$' } }",
    ].join('\n'),
    '      recommend: act\n      budget: { calls: 5, time: 2m }\n',
  );
  const { runbook: compiled, diagnostics } = compileRunbook(text, 'rb.yaml', { catalog: catalogOf(BUILTIN_ACTIONS), resolve: () => undefined });
  expect(diagnostics).toEqual([]);
  const step = compiled!.steps.look as InvestigateStep;
  expect(step.budget).toEqual({ calls: 5, tokens: 100_000, timeMs: 120_000 });
  expect(step.recommend).toBe('act');
  const [errors, logs, journal] = step.tools;
  expect(errors).toMatchObject({ name: 'errors', passThrough: ['query'], params: { required: ['query'], additionalProperties: false } });
  // Without `params`, the model gives the action's parameters that `with` does not fix.
  expect(Object.keys(logs!.params.properties as object)).toEqual(expect.arrayContaining(['name', 'container', 'tail', 'previous']));
  expect(Object.keys(logs!.params.properties as object)).not.toEqual(expect.arrayContaining(['operation']));
  expect(logs!.passThrough).toEqual(expect.arrayContaining(['name', 'tail']));
  expect(journal).toMatchObject({ readOnly: 'journalctl only reads', passThrough: [] });
});

describe('the activity refuses a tool call that would write, whatever the workflow sent', () => {
  const actions = new Map(BUILTIN_ACTIONS.map((a) => [a.name, a]));
  it.each<[string, string, Record<string, unknown>, string | undefined, string | undefined]>([
    ['kubernetes logs', 'kubernetes', { operation: 'logs', name: 'api' }, undefined, undefined],
    ['kubernetes scale', 'kubernetes', { operation: 'scale', name: 'api', replicas: 0 }, 'declared anyway', 'it would write with these parameters'],
    ['shell without the runbook’s word', 'shell', { command: ['rm', '-rf', '/'] }, undefined, 'the runbook did not declare it read-only'],
    ['shell declared read-only', 'shell', { command: ['journalctl', '-n', '5'] }, 'reads the journal', undefined],
    ['http POST declared read-only', 'http', { url: 'https://x.example', method: 'POST' }, 'a search', '`method` is "POST", not GET or HEAD'],
    ['http with no method', 'http', { url: 'https://x.example' }, 'a search', '`method` is not set'],
    ['a notification', 'notify.slack', { webhook: 'x', text: 'hi' }, undefined, 'it is not a read'],
  ])('%s', (_, name, input, declared, refusal) => {
    const failure = notARead(actions.get(name)!, input, declared);
    expect(failure?.message).toBe(refusal && `${name} refused as an investigation tool: ${refusal}`);
    if (failure) expect(failure).toMatchObject({ type: 'NotReadOnly', nonRetryable: true });
  });
});
