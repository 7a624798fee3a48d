// Every class of problem the validator reports, with its exact message and position.
import { EXAMPLE_NAMES, EXAMPLES_DIR } from '../helpers/examples';
import { diagnose } from '../helpers/diagnose';

const lines = (...l: string[]) => l.join('\n') + '\n';

describe('each error class', () => {
  it.each<[string, string, string[]]>([
    [
      'yaml-syntax',
      lines('name: x', 'steps: [', '  - id: a'),
      [
        'rb.yaml:3:3: error: Block collections are not allowed within flow collections [yaml-syntax]',
        'rb.yaml:4:1: error: Flow sequence in block collection must be sufficiently indented and end with a ] [yaml-syntax]',
      ],
    ],
    ['duplicate YAML key', lines('name: x', 'name: y', 'steps: []'), ['rb.yaml:2:1: error: Map keys must be unique [yaml-syntax]']],
    ['not-a-mapping', lines('- a', '- b'), ['rb.yaml:1:1: error: a runbook is a YAML mapping with `name` and `steps` [not-a-mapping]']],
    [
      'unknown-key',
      lines('name: x', 'steps:', '  - id: a', '    uses: shell', '    tiemout: 5s', '    with: { command: [echo] }'),
      ['rb.yaml:5:5: error: unknown key `tiemout` in step `a` (did you mean `timeout`?) [unknown-key]'],
    ],
    [
      'unknown-key that is prose: an unquoted comma in a flow mapping',
      lines(
        'name: x',
        'steps:',
        '  - id: pick',
        '    decide:',
        '      prompt: Go?',
        '      choices:',
        '        go: { when: errors are high, the deploy is recent, next: act }',
        '        stay: { when: never, next: succeed }',
        '  - id: act',
        '    uses: shell',
        '    with: { command: [echo] }',
      ),
      [
        'rb.yaml:7:38: error: unknown key `the deploy is recent` in step `pick` (it looks like text: quote it (`when: "a, b"`), since an unquoted comma or colon ends a value inside `{ }`) [unknown-key]',
      ],
    ],
    [
      'step-not-before at the outputs: the `steps.?` form is suggested',
      lines(
        'name: x',
        'steps:',
        '  - id: gate',
        '    if: ${{ false }}',
        '    end: success',
        '  - id: act',
        '    uses: shell',
        '    with: { command: [echo] }',
        'outputs:',
        '  said: ${{ steps.act.outputs.stdout }}',
      ),
      [
        'rb.yaml:10:13: error: step `act` does not always run before the end of the run (read it as `steps.?act.outputs.stdout.orValue(<default>)`, which is the default when `act` did not run) [step-not-before]',
      ],
    ],
    [
      'missing-key',
      lines('name: x', 'steps:', '  - uses: shell', '    with: { command: [echo] }'),
      ['rb.yaml:3:5: error: step 1 is missing the required key `id` [missing-key]'],
    ],
    [
      'wrong-type',
      lines('name: x', 'steps:', '  - id: a', '    uses: shell', '    maxVisits: many', '    with: { command: [echo] }'),
      ['rb.yaml:5:16: error: `maxVisits` in step `a` must be an integer, not the string "many" [wrong-type]'],
    ],
    [
      'invalid-value',
      lines('name: X_bad', 'steps:', '  - id: a', '    end: maybe'),
      [
        'rb.yaml:1:7: error: `X_bad` is not a valid runbook name (use lower case letters, digits and -) [invalid-value]',
        'rb.yaml:4:10: error: `end` in step `a` must be one of `success`, `failure`, not "maybe" [invalid-value]',
      ],
    ],
    [
      'bad-duration',
      lines('name: x', 'steps:', '  - id: a', '    wait: 5min'),
      ['rb.yaml:4:11: error: `5min` is not a duration (write e.g. 30s, 5m, 1h30m, 2d or 250ms) [bad-duration]'],
    ],
    [
      'bad-regex',
      lines('name: x', 'inputs:', '  a: { type: string, pattern: "([a-z" }', 'steps:', '  - id: a', '    end: success'),
      [
        'rb.yaml:3:31: error: `pattern` of input `a` is not a valid regular expression: missing closing ]: `[a-z` (patterns use RE2 syntax: no backreferences or lookaround) [bad-regex]',
      ],
    ],
    [
      'step-kind (none)',
      lines('name: x', 'steps:', '  - id: a', '    description: nothing'),
      [
        'rb.yaml:3:9: error: step `a` does nothing (give it one of `uses`, `wait`, `parallel`, `foreach`, `runbook`, `decide`, `fill`, `investigate`, `approve`, `end`) [step-kind]',
      ],
    ],
    [
      'step-kind (two)',
      lines('name: x', 'steps:', '  - id: a', '    uses: shell', '    wait: 5s', '    with: { command: [echo] }'),
      ['rb.yaml:5:5: error: step `a` has both `uses` and `wait`; a step does one thing (split it into two steps) [step-kind]'],
    ],
    [
      'misplaced-key',
      lines('name: x', 'steps:', '  - id: a', '    wait: 5s', '    retry: { maxAttempts: 2 }'),
      ['rb.yaml:5:5: error: `retry` has no effect on a `wait` step (`retry` applies to `uses`, `decide`, `fill` and `investigate` steps) [misplaced-key]'],
    ],
    [
      'duplicate-id',
      lines('name: x', 'steps:', '  - id: a', '    wait: 1s', '  - id: a', '    wait: 1s'),
      ['rb.yaml:5:9: error: step id `a` is used more than once; first at line 3 (step ids are unique across the whole runbook) [duplicate-id]'],
    ],
    [
      'unknown-target',
      lines('name: x', 'steps:', '  - id: check', '    wait: 1s', '    next: chek'),
      ['rb.yaml:5:11: error: `next` of step `check` names `chek`, which is not a step (did you mean `check`?) [unknown-target]'],
    ],
    [
      'target-out-of-scope',
      lines(
        'name: x',
        'steps:',
        '  - id: loop',
        '    foreach:',
        '      items: ${{ [1, 2] }}',
        '      steps:',
        '        - id: inner',
        '          wait: 1s',
        '          next: after',
        '  - id: after',
        '    wait: 1s',
      ),
      [
        'rb.yaml:9:17: error: `next` of step `inner` jumps to `after`, outside its foreach body (a route stays inside its block: the top level, one parallel branch, or one foreach body) [target-out-of-scope]',
      ],
    ],
    [
      'expression-syntax',
      lines('name: x', 'steps:', '  - id: a', '    uses: shell', '    with: { command: [echo, "${{ inputs.a + }}"] }'),
      ['rb.yaml:5:45: error: bad expression `inputs.a +`: Unexpected token: EOF [expression-syntax]'],
    ],
    [
      'unknown-name',
      lines('name: x', 'steps:', '  - id: a', '    uses: shell', '    with: { command: [echo, "${{ step.b }}"] }'),
      ['rb.yaml:5:34: error: unknown name `step` in expression (did you mean `steps`?) [unknown-name]'],
    ],
    [
      'unknown-input',
      lines(
        'name: x',
        'inputs:',
        '  service: { type: string }',
        'steps:',
        '  - id: a',
        '    uses: shell',
        '    with: { command: [echo, "${{ inputs.servce }}"] }',
      ),
      ['rb.yaml:7:34: error: no input named `servce` (did you mean `service`?) [unknown-input]'],
    ],
    [
      'unknown-secret',
      lines(
        'name: x',
        'secrets:',
        '  token: { env: TOKEN }',
        'steps:',
        '  - id: a',
        '    uses: shell',
        '    with: { command: [echo], env: { T: "${{ secrets.tokn }}" } }',
      ),
      ['rb.yaml:7:45: error: no secret named `tokn` (did you mean `token`?) [unknown-secret]'],
    ],
    [
      'secret-outside-with',
      lines(
        'name: x',
        'secrets:',
        '  token: { env: TOKEN }',
        'steps:',
        '  - id: a',
        '    if: ${{ secrets.token == "x" }}',
        '    uses: shell',
        '    with: { command: [echo] }',
      ),
      [
        'rb.yaml:6:13: error: secrets can only be used in the `with` of an action, where the worker resolves them at run time (anywhere else the value would enter workflow history) [secret-outside-with]',
      ],
    ],
    [
      'unknown-step',
      lines('name: x', 'steps:', '  - id: a', '    uses: shell', '    with: { command: [echo, "${{ steps.nope.outputs.stdout }}"] }'),
      ['rb.yaml:5:34: error: no step named `nope` [unknown-step]'],
    ],
    [
      'step-not-before',
      lines(
        'name: x',
        'steps:',
        '  - id: a',
        '    uses: shell',
        '    with: { command: [echo, "${{ steps.b.outputs.stdout }}"] }',
        '  - id: b',
        '    uses: shell',
        '    with: { command: [echo] }',
      ),
      ['rb.yaml:5:34: error: step `b` does not always run before step `a` (a step can only read steps that run before it on every path) [step-not-before]'],
    ],
    [
      'unknown-output',
      lines(
        'name: x',
        'steps:',
        '  - id: a',
        '    uses: shell',
        '    with: { command: [echo] }',
        '  - id: b',
        '    uses: shell',
        '    with: { command: [echo, "${{ steps.a.outputs.stdot }}"] }',
      ),
      ['rb.yaml:8:34: error: step `a` (`shell`) has no output `stdot` (did you mean `stdout`?) [unknown-output]'],
    ],
    [
      'unknown-action',
      lines('name: x', 'steps:', '  - id: a', '    uses: shel', '    with: { command: [echo] }'),
      ['rb.yaml:4:11: error: unknown action `shel` (did you mean `shell`?) [unknown-action]'],
    ],
    [
      'action parameters',
      lines('name: x', 'steps:', '  - id: a', '    uses: kubernetes', '    with: { operation: scale, name: api, replicas: many, colour: red }'),
      [
        'rb.yaml:5:52: error: `replicas` in `with` of step `a` (action `kubernetes`) must be an integer, not the string "many" [wrong-type]',
        'rb.yaml:5:58: error: unknown key `colour` in `with` of step `a` (action `kubernetes`) (expected one of `operation`, `kind`, `name`, `namespace`, `selector`, `replicas`, `toRevision`, `timeout`, `context`, `container`, `tail`, `previous`) [unknown-key]',
      ],
    ],
    [
      'unknown-runbook',
      lines('name: x', 'steps:', '  - id: a', '    runbook: missing-child'),
      [
        'rb.yaml:4:14: error: no runbook named `missing-child` (a child runbook is found by its `name:` beside this one, then in the RUNBOOK_DIR folders in order) [unknown-runbook]',
      ],
    ],
    [
      'unbounded-loop',
      lines('name: x', 'steps:', '  - id: a', '    wait: 1s', '  - id: b', '    wait: 1s', '    next: a'),
      ['rb.yaml:3:9: error: steps `a` → `b` → `a` form a loop that nothing bounds (set `maxVisits` on one of them) [unbounded-loop]'],
    ],
    [
      'unbounded-poll',
      lines('name: x', 'steps:', '  - id: a', '    uses: shell', '    with: { command: [echo] }', '    until: ${{ result.exitCode == 0 }}'),
      ['rb.yaml:6:5: error: step `a` polls until a condition holds, but nothing bounds it (add `within: 10m` or `maxPolls: 20`) [unbounded-poll]'],
    ],
    [
      'bad-default',
      lines('name: x', 'inputs:', '  n: { type: integer, minimum: 1, default: 0 }', 'steps:', '  - id: a', '    end: success'),
      ['rb.yaml:3:44: error: default of input `n` must be at least 1, not 0 [bad-default]'],
    ],
    [
      'bad-json-schema',
      lines('name: x', 'steps:', '  - id: a', '    fill:', '      prompt: p', '      schema: { type: string }'),
      ['rb.yaml:6:7: error: `schema` of fill step `a` must describe an object (`type: object`) [bad-json-schema]'],
    ],
    [
      'bad-approval-target',
      lines('name: x', 'steps:', '  - id: a', '    approve: { approvers: [alice] }', '  - id: b', '    wait: 1s'),
      [
        'rb.yaml:4:5: error: approval step `a` leads to `b`, a `wait` step (an approval guards a `uses`, `runbook` or `foreach` step, whose plan it shows) [bad-approval-target]',
      ],
    ],
    [
      'unguarded-path',
      lines(
        'name: x',
        'steps:',
        '  - id: check',
        '    wait: 1s',
        '    next: act',
        '  - id: ok',
        '    approve: { approvers: [alice] }',
        '  - id: act',
        '    uses: shell',
        '    with: { command: [echo] }',
      ),
      [
        'rb.yaml:5:11: error: step `act` needs the approval of `ok` but can be reached without it, from step `check` (`next`) (route to the approval step instead) [unguarded-path]',
        'rb.yaml:6:9: warning: step `ok` is never reached (no `next`, choice or route leads to it) [unreachable]',
      ],
    ],
    [
      'sensitive-in-prompt',
      lines(
        'name: x',
        'inputs:',
        '  token: { type: string, sensitive: true }',
        'steps:',
        '  - id: d',
        '    fill:',
        '      prompt: "use ${{ inputs.token }}"',
        '      schema: { type: object }',
      ),
      [
        'rb.yaml:7:24: error: input `token` is sensitive and cannot be sent to the model (leave it out of the prompt, or drop `sensitive: true`) [sensitive-in-prompt]',
      ],
    ],
    [
      'guard-without-limit',
      lines('name: x', 'steps:', '  - id: a', '    uses: shell', '    guard: { key: k }', '    with: { command: [echo] }'),
      [
        'rb.yaml:5:5: error: a guard needs a `limit`, a `rate`, or both (e.g. `limit: 1` for one at a time, `rate: { limit: 3, per: 1h }`) [guard-without-limit]',
      ],
    ],
    [
      'guard-on-read (a warning)',
      lines('name: x', 'steps:', '  - id: a', '    uses: kubernetes', '    guard: { key: k, limit: 1 }', '    with: { operation: get, kind: pods }'),
      ['rb.yaml:5:5: warning: step `a` reads, and reads never take a guard (guard the step that writes) [guard-on-read]'],
    ],
    [
      'misplaced guard keys',
      lines(
        'name: x',
        'concurrency: { key: k, limit: 1, onBusy: skip, maxWait: 5m }',
        'steps:',
        '  - id: a',
        '    wait: 1s',
        '    guard: { key: k, limit: 1 }',
      ),
      [
        'rb.yaml:2:48: error: `maxWait` only applies with `onBusy: queue` [misplaced-key]',
        'rb.yaml:6:5: error: `guard` has no effect on a `wait` step (`guard` applies to `uses` steps) [misplaced-key]',
      ],
    ],
    [
      'a concurrency key that reads steps',
      lines('name: x', "concurrency: { key: '${{ steps.a.outputs.x }}', limit: 1 }", 'steps:', '  - id: a', '    uses: shell', '    with: { command: [echo] }'),
      ['rb.yaml:2:26: error: the runbook’s concurrency key must be known before any step runs (build it from `inputs` and `alert`) [unknown-name]'],
    ],
    [
      'partial-undo (a warning): a write with an undo says when the undo is owed',
      lines(
        'name: x',
        'steps:',
        '  - id: a',
        '    uses: kubernetes',
        '    with: { operation: scale, name: api, replicas: 3 }',
        '    compensate:',
        '      uses: kubernetes',
        '      with: { operation: scale, name: api, replicas: 1 }',
        '  - id: b',
        '    uses: kubernetes',
        '    with: { operation: get, name: api }',
        '    compensate: { uses: shell, with: { command: [echo] } }',
      ),
      [
        'rb.yaml:6:5: warning: step `a` writes, and its undo runs only once the step completes, although a failed attempt may have changed something (say `when: attempted` to undo failed attempts too, or `when: completed` if a failed attempt changes nothing) [partial-undo]',
      ],
    ],
    [
      'undo-reads-own-outputs',
      lines(
        'name: x',
        'steps:',
        '  - id: a',
        '    uses: kubernetes',
        '    with: { operation: scale, name: api, replicas: 3 }',
        '    compensate:',
        '      when: attempted',
        '      uses: shell',
        "      with: { command: [echo, '${{ steps.a.outputs.stdout }}', '${{ steps.a.error }}'] }",
      ),
      [
        'rb.yaml:9:36: error: the undo of step `a` runs after a failed attempt too (`when: attempted`), when the step has no outputs (read what the undo needs from inputs or from a step before it (e.g. the replica count before scaling)) [undo-reads-own-outputs]',
      ],
    ],
    [
      '`when: attempted` on a child runbook step',
      lines('name: x', 'steps:', '  - id: a', '    runbook: y', '    compensate: { when: attempted, uses: shell, with: { command: [echo] } }'),
      [
        'rb.yaml:4:14: error: no runbook named `y` (a child runbook is found by its `name:` beside this one, then in the RUNBOOK_DIR folders in order) [unknown-runbook]',
        'rb.yaml:5:19: error: `when: attempted` applies to `uses` steps: a child runbook that fails undoes its own completed steps [misplaced-key]',
      ],
    ],
    [
      'unreachable (a warning)',
      lines('name: x', 'steps:', '  - id: a', '    end: success', '  - id: b', '    wait: 1s'),
      ['rb.yaml:5:9: warning: step `b` is never reached (no `next`, choice or route leads to it) [unreachable]'],
    ],
  ])('%s', (_, text, expected) => {
    expect(diagnose(text)).toEqual(expected);
  });

  it('runbook-cycle', () => {
    const a = lines('name: a', 'steps:', '  - id: call_b', '    runbook: b');
    const b = lines('name: b', 'steps:', '  - id: call_a', '    runbook: a');
    expect(diagnose(a, 'a.yaml', { a, b })).toEqual(['b.yaml:4:14: error: runbook `b` runs itself: `a` → `b` → `a` [runbook-cycle]']);
  });

  it('file-too-large', () => {
    expect(diagnose('#'.repeat(10 * 1024 * 1024))).toEqual(['rb.yaml:1:1: error: runbook is 10.0 MiB; the limit is 1.0 MiB [file-too-large]']);
  });

  it('too-deep', () => {
    const deep = 'name: x\nsteps:\n  - id: a\n    uses: http\n    with:\n      json: ' + '['.repeat(80) + ']'.repeat(80) + '\n';
    expect(diagnose(deep)).toEqual(['rb.yaml:6:73: error: nesting is deeper than 64 levels [too-deep]']);
  });

  it('alias-limit', () => {
    const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [prev, next] of [
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'd'],
      ['d', 'e'],
      ['e', 'f'],
      ['f', 'g'],
    ])
      bomb.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]`);
    expect(diagnose(bomb.join('\n'))).toEqual([
      'rb.yaml:2:8: error: aliases expand too much (more than 100 uses): Excessive alias count indicates a resource exhaustion attack [alias-limit]',
    ]);
  });
});

describe('all problems at once', () => {
  it('reports every error of a file, sorted by position', () => {
    const text = lines(
      'name: many-problems',
      'inputs:',
      '  svc: { type: string }',
      'steps:',
      '  - id: first',
      '    uses: shell',
      '    timout: 5s',
      '    with: { command: [echo, "${{ inputs.svc }}"] }',
      '    next: nowhere',
      '  - id: second',
      '    wait: soon',
    );
    expect(diagnose(text)).toEqual(
      [
        'rb.yaml:7:5: error: unknown key `timout` in step `first` (did you mean `timeout`?) [unknown-key]',
        'rb.yaml:9:11: error: `next` of step `first` names `nowhere`, which is not a step (use a step id, `fail` or `succeed`) [unknown-target]',
        'rb.yaml:11:11: error: `soon` is not a duration (write e.g. 30s, 5m, 1h30m, 2d or 250ms) [bad-duration]',
        'rb.yaml:10:9: warning: step `second` is never reached (no `next`, choice or route leads to it) [unreachable]',
      ].sort((a, b) => Number(a.split(':')[1]) - Number(b.split(':')[1])),
    );
  });

  it('accepts every example runbook without a warning', () => {
    const { readFileSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
    const texts = Object.fromEntries(EXAMPLE_NAMES.map((n) => [`${n}.yaml`, readFileSync(`${EXAMPLES_DIR}/${n}.yaml`, 'utf8')]));
    const byName = Object.fromEntries(Object.values(texts).map((t) => [/^name: (.*)$/m.exec(t)![1]!, t]));
    for (const [file, text] of Object.entries(texts)) expect([file, diagnose(text, file, byName)]).toEqual([file, []]);
  });
});

it('refuses a mapping used as a key', () => {
  expect(diagnose('name: x\n? { a: 1 }\n: b\nsteps: [{ id: a, wait: 1s }]\n')).toEqual([
    'rb.yaml:2:3: error: a key must be a plain value, not a list or mapping [yaml-syntax]',
  ]);
});
