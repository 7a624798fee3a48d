// Validating a folder compiles a child shared by many runbooks once (CompiledChildren); every
// result is still what compiling each file on its own gives: same runbooks, same diagnostics,
// and a cycle found even where a child compiled earlier would close it.
import { BUILTIN_ACTIONS, catalogOf } from '../../activities/registry';
import { CompiledChildren, compileRunbook, type CompileResult } from '../../dsl/compile';
import { formatDiagnostic } from '../../dsl/diagnostics';

const lines = (...l: string[]) => l.join('\n') + '\n';
const catalog = catalogOf(BUILTIN_ACTIONS);

const runs = (name: string, child: string) =>
  lines(`name: ${name}`, 'steps:', '  - id: first', `    runbook: ${child}`, '  - id: second', '    uses: shell', '    with: { command: [echo, done] }');

const files: Record<string, string> = {
  a: runs('a', 'notify'),
  b: runs('b', 'notify'),
  // `notify` has a warning (an unreachable step), so sharing must carry its diagnostics along.
  notify: lines(
    'name: notify',
    'steps:',
    '  - id: page',
    '    runbook: pager',
    '    end: success',
    '  - id: never',
    '    uses: shell',
    '    with: { command: [echo, unreachable] }',
  ),
  pager: lines('name: pager', 'steps:', '  - id: send', '    uses: shell', '    with: { command: [echo, paged] }'),
  // pager2 → loop → pager2 is a cycle; `loop` alone is fine.
  loop: runs('loop', 'pager2'),
  pager2: runs('pager2', 'loop'),
};

function compileAll(names: string[], compiledChildren?: CompiledChildren): Record<string, CompileResult> {
  const resolve = (name: string) => (files[name] !== undefined ? { file: `${name}.yaml`, text: files[name]! } : undefined);
  return Object.fromEntries(names.map((n) => [n, compileRunbook(files[n]!, `${n}.yaml`, { catalog, resolve, compiledChildren })]));
}

const printed = (results: Record<string, CompileResult>) =>
  Object.fromEntries(Object.entries(results).map(([n, r]) => [n, { runbook: r.runbook, diagnostics: r.diagnostics.map(formatDiagnostic) }]));

it('compiles a shared child once and gives every parent the same result as compiling alone', () => {
  const shared = compileAll(['a', 'b', 'notify'], new CompiledChildren());
  const alone = compileAll(['a', 'b', 'notify']);
  expect(printed(shared)).toEqual(printed(alone));
  // One compiled object for both parents: compiled once.
  expect(shared.a!.runbook!.children.notify).toBe(shared.b!.runbook!.children.notify);
  expect(alone.a!.runbook!.children.notify).not.toBe(alone.b!.runbook!.children.notify);
  expect(shared.b!.diagnostics.map(formatDiagnostic)).toEqual([
    'notify.yaml:6:9: warning: step `never` is never reached (no `next`, choice or route leads to it) [unreachable]',
  ]);
});

it('still finds a cycle that a child compiled for another parent would close', () => {
  const compiledChildren = new CompiledChildren();
  // `loop` compiles `pager2` as its child... which runs `loop`: a cycle, found with `loop` on the stack.
  // Then `pager2` itself: its child `loop` was never cached (it failed), so nothing hides the cycle.
  const shared = compileAll(['loop', 'pager2'], compiledChildren);
  const alone = compileAll(['loop', 'pager2']);
  expect(printed(shared)).toEqual(printed(alone));
  expect(shared.pager2!.diagnostics.map((d) => d.code)).toContain('runbook-cycle');
});

it('does not reuse a child under a runbook below it, even when that runbook changed since', () => {
  // `wrap` runs `mid`, which runs `leaf`: `mid` is cached with `leaf` below it.
  files.mid = runs('mid', 'leaf');
  files.leaf = lines('name: leaf', 'steps:', '  - id: x', '    uses: shell', '    with: { command: [echo] }');
  files.wrap = runs('wrap', 'mid');
  const compiledChildren = new CompiledChildren();
  compileAll(['wrap'], compiledChildren);
  // Now `leaf` runs `mid`: reusing the cached `mid` (with the old `leaf` inside) would hide leaf → mid → leaf.
  files.leaf = runs('leaf', 'mid');
  const shared = compileAll(['leaf'], compiledChildren);
  expect(printed(shared)).toEqual(printed(compileAll(['leaf'])));
  expect(shared.leaf!.diagnostics.map((d) => d.code)).toEqual(['runbook-cycle']);
});
