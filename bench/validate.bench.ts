// Validating the example runbooks (load + check + compile, as one `runbook validate runbooks/`
// does: a child compiled once per pass) against parsing the same YAML with the `yaml` package
// alone, side by side in one process. Target: ratio <= 2 (issue #12; it was 3 in issue #3).
//   npm run bench -- validate
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { BUILTIN_ACTIONS, catalogOf } from '../activities/registry';
import { CompiledChildren, compileRunbook } from '../dsl/compile';
import { hasErrors } from '../dsl/diagnostics';
import { PROJECT_ROOT } from '../repository/project';
import { fmt, interleaved, median } from './stats';

const DIR = path.join(PROJECT_ROOT, 'runbooks');
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
const texts = files.map((f) => readFileSync(path.join(DIR, f), 'utf8'));
const byName = Object.fromEntries(texts.map((t) => [/^name: (.*)$/m.exec(t)![1]!, t]));
const catalog = catalogOf(BUILTIN_ACTIONS);

const yamlOnly = () => {
  for (const t of texts) parse(t);
};
const validate = () => {
  const compiledChildren = new CompiledChildren();
  for (const [i, t] of texts.entries()) {
    const r = compileRunbook(t, files[i]!, {
      catalog,
      resolve: (n) => (byName[n] ? { file: `${n}.yaml`, text: byName[n]! } : undefined),
      compiledChildren,
    });
    if (hasErrors(r.diagnostics)) throw new Error(`${files[i]} is invalid`);
  }
};

// Warm up both, then measure interleaved.
interleaved({ yamlOnly, validate }, 5, 20);
const samples = interleaved({ yamlOnly, validate }, 30, 20);
const base = median(samples.yamlOnly!);
const full = median(samples.validate!);
const ratio = full / base;
console.log(`validate: ${files.length} example runbooks per call (children compiled in)`);
console.log(`  yaml.parse only          ${fmt(base)} ms per pass (median of 30 rounds)`);
console.log(`  load + check + compile   ${fmt(full)} ms per pass`);
console.log(`  ratio                    ${fmt(ratio, 2)} (target <= 2.00) ${ratio <= 2 ? 'PASS' : 'FAIL'}`);
process.exitCode = ratio <= 2 ? 0 : 1;
