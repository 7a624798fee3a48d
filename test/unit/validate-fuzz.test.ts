// Mutated runbooks (random edits of the examples) never crash the validator, and every
// rejection says where. Hostile files are refused quickly with a clear error.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { BUILTIN_ACTIONS, catalogOf } from '../../activities/registry';
import { compileRunbook } from '../../dsl/compile';
import { hasErrors } from '../../dsl/diagnostics';
import { EXAMPLE_NAMES, EXAMPLES_DIR } from '../helpers/examples';

const examples = EXAMPLE_NAMES.map((n) => readFileSync(path.join(EXAMPLES_DIR, `${n}.yaml`), 'utf8'));
const byName = Object.fromEntries(examples.map((t) => [/^name: (.*)$/m.exec(t)![1]!, t]));
const catalog = catalogOf(BUILTIN_ACTIONS);
const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const COUNT = Number(process.env.FUZZ_COUNT ?? 10_000);

/** mulberry32: small, seedable, good enough to pick mutations. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SNIPPETS = [
  '${{',
  '}}',
  '${{ steps.x.outputs.y }}',
  '${{ inputs.nope }}',
  ': ',
  '- ',
  '  ',
  '\t',
  '&a ',
  '*a',
  '[',
  ']',
  '{',
  '}',
  '"',
  "'",
  '#',
  '!!binary ',
  '<<: *a',
  'next: fail',
  'end: success',
  'uses: shell',
  'wait: 5',
  '0x1F',
  '~',
  'null',
  '\u0000',
  '\u202e',
  '✓',
  '${{ 1/0 }}',
  'maxVisits: 1',
  'parallel: []',
  'foreach: {}',
];

function mutate(text: string, random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const lines = text.split('\n');
  const i = Math.floor(random() * lines.length);
  switch (Math.floor(random() * 10)) {
    case 0:
      lines.splice(i, 1);
      break;
    case 1:
      lines.splice(i, 0, lines[Math.floor(random() * lines.length)]!);
      break;
    case 2: {
      const j = Math.floor(random() * lines.length);
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      break;
    }
    case 3: {
      const line = lines[i]!;
      const at = Math.floor(random() * (line.length + 1));
      lines[i] = line.slice(0, at) + pick(SNIPPETS) + line.slice(at);
      break;
    }
    case 4: {
      const line = lines[i]!;
      const at = Math.floor(random() * line.length);
      lines[i] = line.slice(0, at) + line.slice(at + 1 + Math.floor(random() * 5));
      break;
    }
    case 5:
      lines[i] = (random() < 0.5 ? '  ' : '') + lines[i]!.replace(/^ {0,2}/, random() < 0.5 ? '' : ' ');
      break;
    case 6:
      return text.slice(0, Math.floor(random() * text.length));
    case 7: {
      // Replace a word by another word of the corpus (ids, keys, actions, values).
      const words = text.match(/[A-Za-z_][\w.-]*/g) ?? [];
      const from = pick(words);
      const to = pick(words);
      return text.replace(from, to);
    }
    default:
      return mutateStructure(text, random) ?? lines.join('\n');
  }
  return lines.join('\n');
}

/** Edits the parsed document (types, keys, values) and writes YAML back. */
function mutateStructure(text: string, random: () => number): string | undefined {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return undefined;
  }
  const nodes: Array<{ holder: Record<string, unknown> | unknown[]; key: string | number }> = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        nodes.push({ holder: v, key: i });
        walk(x);
      });
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        nodes.push({ holder: v as Record<string, unknown>, key: k });
        walk(x);
      }
    }
  };
  walk(doc);
  if (nodes.length === 0) return undefined;
  const { holder, key } = nodes[Math.floor(random() * nodes.length)]!;
  const replacements = [null, 0, -1, 1.5, true, '', 'x', [], {}, ['a'], { id: 'x' }, '${{ steps }}', 'fail', 10 ** 12];
  const h = holder as Record<string | number, unknown>;
  if (random() < 0.3 && !Array.isArray(holder)) delete h[key];
  else h[key] = replacements[Math.floor(random() * replacements.length)];
  return stringify(doc);
}

it(`validates ${COUNT} mutated runbooks without a crash, every rejection with a position (seed ${SEED})`, () => {
  const random = rng(SEED);
  let rejected = 0;
  let accepted = 0;
  for (let n = 0; n < COUNT; n++) {
    let text = examples[n % examples.length]!;
    const edits = 1 + Math.floor(random() * 3);
    for (let e = 0; e < edits; e++) text = mutate(text, random);
    let result;
    try {
      result = compileRunbook(text, 'fuzz.yaml', { catalog, resolve: (name) => (byName[name] ? { file: `${name}.yaml`, text: byName[name]! } : undefined) });
    } catch (err) {
      throw new Error(`mutation ${n} (seed ${SEED}) crashed the validator: ${(err as Error).stack}\n--- input ---\n${text}`, { cause: err });
    }
    const lineCount = text.split('\n').length;
    for (const d of result.diagnostics) {
      const ok = d.line >= 1 && d.col >= 1 && (d.file !== 'fuzz.yaml' || d.line <= lineCount + 1) && d.message.length > 0;
      if (!ok) throw new Error(`mutation ${n} (seed ${SEED}): diagnostic without a usable position: ${JSON.stringify(d)}\n--- input ---\n${text}`);
    }
    if (hasErrors(result.diagnostics)) {
      rejected++;
      expect(result.runbook).toBeUndefined();
    } else {
      accepted++;
      expect(result.runbook?.hash).toMatch(/^[0-9a-f]{64}$/);
    }
  }
  // The mutations must actually break things, or the test proves nothing.
  expect(rejected).toBeGreaterThan(COUNT * 0.5);
  expect(accepted + rejected).toBe(COUNT);
});

describe('hostile files', () => {
  // Generous bounds: these guard against exponential blow-ups, they are not performance targets.
  const bounded = (text: string) => {
    const before = process.memoryUsage().heapUsed;
    const started = performance.now();
    const result = compileRunbook(text, 'evil.yaml', { catalog, resolve: () => undefined });
    return { result, ms: performance.now() - started, heapMiB: (process.memoryUsage().heapUsed - before) / 2 ** 20 };
  };

  it('refuses a billion-laughs alias bomb', () => {
    const lines = ['name: bomb', 'x0: &x0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i <= 12; i++)
      lines.push(
        `x${i}: &x${i} [${Array(10)
          .fill(`*x${i - 1}`)
          .join(',')}]`,
      );
    lines.push('steps: [{ id: a, wait: 1s }]');
    const { result, ms, heapMiB } = bounded(lines.join('\n'));
    expect(result.diagnostics.map((d) => d.code)).toEqual(['alias-limit']);
    expect(ms).toBeLessThan(5_000);
    expect(heapMiB).toBeLessThan(200);
  });

  it('refuses nesting 100,000 levels deep', () => {
    const { result, ms } = bounded(`name: deep\nsteps: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    expect(result.diagnostics[0]).toMatchObject({ code: 'too-deep', line: 2 });
    expect(ms).toBeLessThan(5_000);
  });

  it('refuses a 10 MB file before parsing it', () => {
    const { result, ms } = bounded(`name: big\nsteps:\n${'  - { id: a, wait: 1s }\n'.repeat(450_000)}`);
    expect(result.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual(['1:1 runbook is 10.3 MiB; the limit is 1.0 MiB']);
    expect(ms).toBeLessThan(1_000);
  });
});
