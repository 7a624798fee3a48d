// What `runbook validate` refuses (or warns about) because it would open the trust boundary.
import { inputProblem } from '../../dsl/inputs';
import { fullMatch } from '../../dsl/regex';
import { diagnose } from '../helpers/diagnose';

const lines = (...l: string[]) => l.join('\n') + '\n';

it.each<[string, string, string[]]>([
  [
    'a secret used inside a computation',
    lines('name: x', 'secrets:', '  t: { env: T }', 'steps:', '  - id: a', '    uses: shell', '    with: { command: [echo, "${{ secrets.t + \'x\' }}"] }'),
    [
      'rb.yaml:7:34: error: a secret must stand alone in its `${{ }}` (write e.g. `Bearer ${{ secrets.token }}`; the worker puts the value exactly there and nowhere else) [secret-in-expression]',
    ],
  ],
  [
    'a secret passed to a child runbook',
    lines('name: x', 'secrets:', '  t: { env: T }', 'steps:', '  - id: a', '    runbook: child', '    with: { token: "${{ secrets.t }}" }'),
    [
      'rb.yaml:7:25: error: secrets can only be used in the `with` of an action, where the worker resolves them at run time (a child runbook declares and reads its own secrets) [secret-outside-with]',
    ],
  ],
  [
    'a `matches()` pattern RE2 does not accept',
    lines('name: x', 'inputs:', '  s: { type: string }', 'steps:', '  - id: a', "    if: ${{ inputs.s.matches('(a)\\\\1') }}", '    wait: 1s'),
    [
      'rb.yaml:6:30: error: `matches()` pattern is not a valid regular expression: invalid escape sequence: `\\1` (patterns use RE2 syntax: no backreferences or lookaround) [bad-regex]',
    ],
  ],
  [
    'patternProperties in a fill schema',
    lines('name: x', 'steps:', '  - id: a', '    fill:', '      prompt: p', "      schema: { type: object, patternProperties: { '^a': { type: string } } }"),
    [
      'rb.yaml:6:7: error: `schema` of fill step `a` uses `patternProperties`, which fill schemas do not support (name the properties, or use `additionalProperties` with `propertyNames`) [bad-json-schema]',
    ],
  ],
  [
    'all inputs in a prompt when one is sensitive',
    lines(
      'name: x',
      'inputs:',
      '  token: { type: string, sensitive: true }',
      '  which: { type: string }',
      'steps:',
      '  - id: a',
      '    fill:',
      '      prompt: "see ${{ inputs }} and ${{ inputs[inputs.which] }}"',
      '      schema: { type: object }',
    ),
    [
      'rb.yaml:8:24: error: the prompt reads `inputs` as a whole or by a computed name, which could send sensitive input `token` to the model (name each input the prompt needs, e.g. `inputs.service`) [sensitive-in-prompt]',
      'rb.yaml:8:42: error: the prompt reads `inputs` as a whole or by a computed name, which could send sensitive input `token` to the model (name each input the prompt needs, e.g. `inputs.service`) [sensitive-in-prompt]',
    ],
  ],
  [
    'the alert field a sensitive input comes from, in a prompt',
    lines(
      'name: x',
      'inputs:',
      '  token: { type: string, sensitive: true, from: alert.annotations.token }',
      'steps:',
      '  - id: a',
      '    fill:',
      '      prompt: "see ${{ alert.annotations }}"',
      '      schema: { type: object }',
    ),
    [
      'rb.yaml:7:24: error: `alert.annotations` holds alert.annotations.token, the source of sensitive input `token`, and cannot be sent to the model (name the alert fields the prompt needs) [sensitive-in-prompt]',
    ],
  ],
  [
    'reading Secrets with the kubernetes action',
    lines('name: x', 'steps:', '  - id: a', '    uses: kubernetes', '    with: { operation: get, kind: secrets, namespace: prod }'),
    [
      'rb.yaml:5:35: error: `kind` in `with` of step `a` (action `kubernetes`): the kubernetes action never reads Secrets: their values would land in history and in the model evidence [invalid-value]',
    ],
  ],
  [
    'an environment variable that runs other code',
    lines(
      'name: x',
      'steps:',
      '  - id: a',
      '    uses: shell',
      '    with: { command: ["true"], env: { LD_PRELOAD: /tmp/x.so, NODE_OPTIONS: "--require /tmp/x.js", LANG: C } }',
    ),
    [
      'rb.yaml:5:39: error: `env` sets LD_PRELOAD, which makes the command run other code (pass the value as an argument, or wrap the command in a script that the runbook names) [dangerous-env]',
      'rb.yaml:5:62: error: `env` sets NODE_OPTIONS, which makes the command run other code (pass the value as an argument, or wrap the command in a script that the runbook names) [dangerous-env]',
    ],
  ],
  [
    'an alert label reaching a command with an unanchored pattern (a warning)',
    lines(
      'name: x',
      'inputs:',
      "  pod: { type: string, from: alert.labels.pod, pattern: '[a-z]+' }",
      '  ns: { type: string, from: alert.labels.namespace }',
      "  ok: { type: string, from: alert.labels.ok, pattern: '^[a-z]+$' }",
      'steps:',
      '  - id: a',
      '    uses: shell',
      '    with: { command: [kubectl, delete, pod, "${{ inputs.pod }}", -n, "${{ inputs.ns }}", "${{ inputs.ok }}"] }',
    ),
    [
      "rb.yaml:3:57: warning: input `pod` comes from alert.labels.pod and reaches the command of step `a`, but has a pattern that is not anchored with ^ and $ (hold it to the whole value, e.g. `pattern: '^[a-z0-9-]{1,63}$'`) [unanchored-pattern]",
      "rb.yaml:4:29: warning: input `ns` comes from alert.labels.namespace and reaches the command of step `a`, but has no `pattern` (hold it to the whole value, e.g. `pattern: '^[a-z0-9-]{1,63}$'`) [unanchored-pattern]",
    ],
  ],
])('%s', (_, text, expected) => {
  const child = lines('name: child', 'inputs:', '  token: { type: string }', 'steps:', '  - id: a', '    wait: 1s');
  expect(diagnose(text, 'rb.yaml', { child })).toEqual(expected);
});

describe('hostile values against runbook patterns (M7)', () => {
  it('checks a 1 MB alert label against a catastrophic pattern in linear time, length first', () => {
    const label = `${'a'.repeat(1_000_000)}!`;
    const started = Date.now();
    expect(inputProblem({ type: 'string', pattern: '^(a+)+$' }, label)).toMatch(/^`a{61}\.\.\.` does not match \^\(a\+\)\+\$$/);
    expect(fullMatch('(a+)+', label)).toBe(false);
    expect(inputProblem({ type: 'string', pattern: '^(a+)+$', maxLength: 63 }, label)).toBe('is longer than 63 characters');
    // V8's backtracking engine would need longer than the age of the universe here.
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
