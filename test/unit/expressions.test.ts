import { ExpressionError, evaluateCondition, expressionReferences, renderTemplate, renderValue, splitTemplate } from '../../dsl/expressions';

describe('templates', () => {
  const scope = {
    inputs: { service: 'api', replicas: 3, ratio: 0.25, flags: ['a', 'b'] },
    steps: { probe: { outputs: { status: 200, body: 'ok' }, status: 'succeeded', error: '' } },
  };

  it('keeps the type of a value that is a single expression', () => {
    expect(renderTemplate('${{ inputs.replicas }}', scope)).toBe(3);
    expect(renderTemplate('  ${{ inputs.flags }} ', scope)).toEqual(['a', 'b']);
    expect(renderTemplate('${{ inputs.ratio < 0.5 }}', scope)).toBe(true);
  });

  it('interpolates text around expressions as strings', () => {
    expect(renderTemplate('deploy/${{ inputs.service }} x${{ inputs.replicas }}', scope)).toBe('deploy/api x3');
    expect(renderTemplate('flags=${{ inputs.flags }}', scope)).toBe('flags=["a","b"]');
  });

  it('does integer arithmetic on whole numbers from JSON', () => {
    expect(renderTemplate('${{ inputs.replicas + 1 }}', scope)).toBe(4);
    expect(renderTemplate('${{ steps.probe.outputs.status == 200 }}', scope)).toBe(true);
  });

  it('renders nested values and leaves plain text alone', () => {
    expect(renderValue({ command: ['kubectl', 'scale', '--replicas=${{ inputs.replicas }}'], n: 1 }, scope)).toEqual({
      command: ['kubectl', 'scale', '--replicas=3'],
      n: 1,
    });
  });

  it('treats an injection payload as an inert string', () => {
    const hostile = { inputs: { service: '$(rm -rf /); ${{ 1 + 1 }}' } };
    expect(renderValue(['echo', '${{ inputs.service }}'], hostile)).toEqual(['echo', '$(rm -rf /); ${{ 1 + 1 }}']);
  });

  it('finds closing braces past map literals and strings', () => {
    expect(splitTemplate('a ${{ {"k": {"x": 1}}["k"]["x"] }} b ${{ "}}" }}')).toEqual([
      { kind: 'text', text: 'a ' },
      { kind: 'expr', source: ' {"k": {"x": 1}}["k"]["x"] ', offset: 5 },
      { kind: 'text', text: ' b ' },
      { kind: 'expr', source: ' "}}" ', offset: 40 },
    ]);
  });

  it('reports an unclosed expression with its offset', () => {
    expect(() => splitTemplate('x ${{ inputs.a')).toThrow(new ExpressionError('`${{` is never closed with `}}`', 2));
  });

  it('requires conditions to be booleans', () => {
    expect(evaluateCondition('${{ inputs.replicas > 2 }}', scope)).toBe(true);
    expect(() => evaluateCondition('${{ inputs.service }}', scope)).toThrow('condition must be true or false, got string "api"');
  });

  it('reports evaluation errors with a CEL message', () => {
    expect(() => renderTemplate('${{ steps.probe.outputs.missing }}', scope)).toThrow('No such key: missing');
  });
});

describe('references', () => {
  it('lists free variables with their static member paths', () => {
    const refs = expressionReferences('steps.a.outputs.x + inputs["b"] && has(alert.labels.c)');
    expect(refs.map((r) => [r.root, r.path])).toEqual([
      ['steps', ['a', 'outputs', 'x']],
      ['inputs', ['b']],
      ['alert', ['labels', 'c']],
    ]);
  });

  it('does not report macro variables as free', () => {
    const refs = expressionReferences('steps.pods.outputs.items.filter(p, p.ready).map(p, p.name + inputs.suffix)');
    expect(refs.map((r) => r.root)).toEqual(['steps', 'inputs']);
  });

  it('walks computed indexes', () => {
    const refs = expressionReferences('inputs.m[steps.k.outputs.key]');
    expect(refs.map((r) => r.root).sort()).toEqual(['inputs', 'steps']);
  });

  it('gives the offset of each reference', () => {
    const refs = expressionReferences(' 1 + inputs.a', 10);
    expect(refs[0]!.offset).toBe(15);
  });
});
