// runbooks/runbook.schema.json is generated from dsl/schema.ts and the built-in actions; the
// committed copy must match, and it must accept every example runbook.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { BUILTIN_ACTIONS } from '../../activities/registry';
import { editorSchemaText, testFileSchemaText } from '../../dsl/editor-schema';
import { EXAMPLE_NAMES, EXAMPLES_DIR } from '../helpers/examples';

const RUNBOOKS = EXAMPLES_DIR;
const committed = readFileSync(path.join(RUNBOOKS, 'runbook.schema.json'), 'utf8');

it('is up to date (regenerate with `npm run schema`)', () => {
  expect(committed).toBe(editorSchemaText(BUILTIN_ACTIONS));
  expect(readFileSync(path.join(RUNBOOKS, 'runbook-test.schema.json'), 'utf8')).toBe(testFileSchemaText());
});

describe('the published schema', () => {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(committed));
  const files = EXAMPLE_NAMES.map((n) => `${n}.yaml`);

  it.each(files)('accepts %s', (file) => {
    const ok = validate(parse(readFileSync(path.join(RUNBOOKS, file), 'utf8')));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('checks action parameters for editors, and accepts expressions in them', () => {
    const runbook = (withValue: unknown) => ({ name: 'x', steps: [{ id: 'a', uses: 'kubernetes', with: withValue }] });
    expect(validate(runbook({ operation: 'scale', name: 'api', replicas: '${{ inputs.n }}' }))).toBe(true);
    expect(validate(runbook({ operation: 'scale', name: 'api', replicas: 'three' }))).toBe(false);
    expect(validate(runbook({ operation: 'explode', name: 'api' }))).toBe(false);
  });

  it('tells editors which file it is', () => {
    for (const file of files) expect(readFileSync(path.join(RUNBOOKS, file), 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\/runbook\.schema\.json/);
  });
});

describe('the published test-file schema', () => {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(path.join(RUNBOOKS, 'runbook-test.schema.json'), 'utf8')));
  const files = EXAMPLE_NAMES.map((n) => `${n}.test.yaml`);

  it.each(files)('accepts %s', (file) => {
    validate(parse(readFileSync(path.join(RUNBOOKS, file), 'utf8')));
    expect(validate.errors ?? []).toEqual([]);
  });

  it('refuses a scenario without expectations', () => {
    expect(validate({ runbook: 'x', scenarios: [{ name: 'no expect' }] })).toBe(false);
  });
});
