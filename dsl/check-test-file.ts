// Checks a runbook test file against the runbook it tests: every scripted step exists and is
// scripted as its kind can be, choices are declared, fill values fit the step's schema, action
// outputs fit what the action can return, and expectations name real steps. Every problem is
// reported at once, with file:line:col.
import type { ActionCatalog } from './catalog';
import type { CompiledRunbook } from './compiled';
import { didYouMean, sortDiagnostics, type Diagnostic, type DiagnosticCode } from './diagnostics';
import type { CompiledStep } from './kinds';
import { loadYaml, type Path, type SourceMap } from './load';
import { checkShape } from './shape';
import { TestFileSchema, type Scenario, type StepScript, type TestFileDoc } from './test-file';
import { isRecord } from './values';

export interface LoadedTestFile {
  file: string;
  doc?: TestFileDoc;
  /** Positions in the file, for messages about scenarios after they ran. */
  source: SourceMap;
  diagnostics: Diagnostic[];
}

/** What each kind lets a scenario script; everything else on a step's script is an error. */
const SCRIPTABLE: Record<CompiledStep['kind'], readonly (keyof StepScript)[]> = {
  action: ['outputs', 'fails', 'nonRetryable', 'attempts', 'calls', 'polls', 'compensate'],
  decide: ['choice', 'confidence', 'reasoning', 'model', 'human'],
  fill: ['values', 'confidence', 'reasoning', 'model', 'human'],
  investigate: ['turns', 'calls', 'model'],
  approve: ['approve', 'reject', 'timeout'],
  runbook: ['outputs', 'status', 'error', 'run', 'compensate'],
  wait: [],
  parallel: [],
  foreach: [],
  end: [],
};

const STEP_STATUSES = ['succeeded', 'failed', 'skipped', 'cancelled'];

/**
 * Loads and checks a test file. `runbookNamed` finds the runbook under test by name (in the
 * test file's folder); undefined when there is none, which is reported.
 */
export function checkTestFile(text: string, file: string, runbookNamed: (name: string) => CompiledRunbook | undefined, catalog: ActionCatalog): LoadedTestFile {
  const loaded = loadYaml(text, file);
  const out: LoadedTestFile = { file, source: loaded.source, diagnostics: [...loaded.diagnostics] };
  if (loaded.diagnostics.length > 0) return out;
  if (!isRecord(loaded.value)) {
    const message = 'a test file is a YAML mapping with `runbook` and `scenarios`';
    out.diagnostics.push({ file, line: 1, col: 1, severity: 'error', code: 'not-a-mapping', message });
    return out;
  }
  const shape = checkShape(loaded.value, TestFileSchema, loaded.source, { at: [], describe: describePath });
  if (shape.length > 0) {
    out.diagnostics.push(...shape);
    return out;
  }
  const doc = loaded.value as TestFileDoc;
  const report = (code: DiagnosticCode, path: Path, message: string, hint?: string, part: 'key' | 'value' = 'value') => {
    const pos = loaded.source.locate(path, part);
    out.diagnostics.push({ file, line: pos.line, col: pos.col, severity: 'error', code, message, ...(hint && { hint }) });
  };
  const runbook = runbookNamed(doc.runbook);
  if (!runbook) {
    report('unknown-runbook', ['runbook'], `no runbook named \`${doc.runbook}\` in this folder`, 'a test file sits beside the runbook it tests');
    return out;
  }
  const names = new Set<string>();
  doc.scenarios.forEach((scenario, i) => {
    const at: Path = ['scenarios', i];
    if (names.has(scenario.name)) report('duplicate-scenario', [...at, 'name'], `two scenarios are named \`${scenario.name}\``);
    names.add(scenario.name);
    new ScenarioChecks(runbook, catalog, report).check(scenario, at);
  });
  out.diagnostics = sortDiagnostics(out.diagnostics);
  if (out.diagnostics.length === 0) out.doc = doc;
  return out;
}

type Report = (code: DiagnosticCode, path: Path, message: string, hint?: string, part?: 'key' | 'value') => void;

class ScenarioChecks {
  constructor(
    private readonly runbook: CompiledRunbook,
    private readonly catalog: ActionCatalog,
    private readonly report: Report,
  ) {}

  check(scenario: Scenario, at: Path): void {
    this.checkScripts(this.runbook, scenario.steps ?? {}, [...at, 'steps']);
    const resolves = scenario.alert?.resolvesDuring;
    if (resolves !== undefined) {
      const step = this.step(this.runbook, resolves, [...at, 'alert', 'resolvesDuring']);
      // The resolution is sent while the step's activity runs or its question waits (docs/testing.md).
      if (step && !['action', 'decide', 'fill', 'approve'].includes(step.kind))
        this.report(
          'script-mismatch',
          [...at, 'alert', 'resolvesDuring'],
          `the alert can resolve during an action, decide, fill or approve step; \`${resolves}\` is ${article(step.kind)} step`,
        );
    }
    this.checkExpect(scenario, [...at, 'expect']);
  }

  /** The step, or undefined after reporting that there is none. */
  private step(runbook: CompiledRunbook, id: string, path: Path, part: 'key' | 'value' = 'value'): CompiledStep | undefined {
    if (Object.hasOwn(runbook.steps, id)) return runbook.steps[id];
    const close = didYouMean(id, Object.keys(runbook.steps));
    this.report('unknown-step', path, `runbook ${runbook.name} has no step \`${id}\``, close, part);
    return undefined;
  }

  private checkScripts(runbook: CompiledRunbook, scripts: Record<string, unknown>, at: Path): void {
    for (const [id, raw] of Object.entries(scripts)) {
      const step = this.step(runbook, id, [...at, id], 'key');
      if (step && isRecord(raw)) this.checkScript(runbook, step, raw as StepScript, [...at, id]);
    }
  }

  private checkScript(runbook: CompiledRunbook, step: CompiledStep, script: StepScript, at: Path): void {
    const allowed = SCRIPTABLE[step.kind];
    for (const key of Object.keys(script)) {
      if (!allowed.includes(key as keyof StepScript)) {
        const what = allowed.length === 0 ? 'nothing of it is scripted (its inner steps are)' : `script it with ${allowed.map((k) => `\`${k}\``).join(', ')}`;
        this.report('script-mismatch', [...at, key], `step \`${step.id}\` is ${article(step.kind)} step: \`${key}\` does not apply`, what, 'key');
      }
    }
    const exclusive = (keys: readonly (keyof StepScript)[]) => {
      const given = keys.filter((k) => script[k] !== undefined);
      if (given.length > 1)
        this.report('script-mismatch', [...at, given[1]!], `step \`${step.id}\`: give one of ${given.map((k) => `\`${k}\``).join(', ')}`, undefined, 'key');
    };
    switch (step.kind) {
      case 'action': {
        exclusive(['outputs', 'fails', 'attempts', 'calls', 'polls']);
        if (script.polls && !step.poll)
          this.report('script-mismatch', [...at, 'polls'], `step \`${step.id}\` does not poll (it has no \`until\`)`, 'use `calls`', 'key');
        if (script.compensate && !step.compensate)
          this.report('script-mismatch', [...at, 'compensate'], `step \`${step.id}\` has no \`compensate\``, undefined, 'key');
        this.checkOutputs(step.uses, script, at);
        break;
      }
      case 'decide':
        if (script.choice !== undefined) this.checkChoice(step, script.choice, [...at, 'choice']);
        if (isRecord(script.human) && script.human.choice !== undefined) this.checkChoice(step, script.human.choice, [...at, 'human', 'choice']);
        if (script.choice === undefined && script.model === undefined)
          this.report('missing-key', at, `step \`${step.id}\`: say what the model answers: \`choice\`, or \`model: unavailable\` or \`invalid\``);
        break;
      case 'fill':
        if (script.values !== undefined) this.checkValues(step.schema, script.values, [...at, 'values']);
        if (isRecord(script.human) && script.human.values !== undefined) this.checkValues(step.schema, script.human.values, [...at, 'human', 'values']);
        if (script.values === undefined && script.model === undefined)
          this.report('missing-key', at, `step \`${step.id}\`: say what the model answers: \`values\`, or \`model: unavailable\` or \`invalid\``);
        break;
      case 'investigate':
        exclusive(['turns', 'model']);
        if (script.turns === undefined && script.model === undefined)
          this.report('missing-key', at, `step \`${step.id}\`: say what the model does: \`turns\`, or \`model: unavailable\``);
        script.turns?.forEach((turn, i) => {
          if ((turn.calls === undefined) === (turn.finding === undefined))
            this.report('script-mismatch', [...at, 'turns', i], `turn ${i + 1} of step \`${step.id}\`: give \`calls\` or \`finding\``);
          turn.calls?.forEach((call, j) => {
            const names = step.tools.map((t) => t.name);
            // Calling a tool the step does not declare is allowed: it tests the refusal.
            if (!names.includes(call.tool) && !/^undeclared/.test(call.tool))
              this.report(
                'unknown-step',
                [...at, 'turns', i, 'calls', j, 'tool'],
                `step \`${step.id}\` has no tool \`${call.tool}\` (tools: ${names.join(', ')})`,
                didYouMean(call.tool, names) ?? 'a name starting with `undeclared` tests the refusal of an undeclared tool',
              );
          });
        });
        break;
      case 'approve':
        exclusive(['approve', 'reject', 'timeout']);
        if (script.approve === undefined && script.reject === undefined && script.timeout === undefined)
          this.report('missing-key', at, `step \`${step.id}\`: say who approves (\`approve: [name]\`), who rejects (\`reject\`), or \`timeout: true\``);
        break;
      case 'runbook': {
        exclusive(['run', 'status']);
        const child = runbook.children[step.runbook];
        if (script.run && child) this.checkScripts(child, script.run.steps, [...at, 'run', 'steps']);
        if (script.outputs && child) {
          for (const key of Object.keys(script.outputs)) {
            if (!Object.hasOwn(child.outputs, key))
              this.report(
                'unknown-output',
                [...at, 'outputs', key],
                `runbook ${child.name} has no output \`${key}\` (outputs: ${Object.keys(child.outputs).join(', ') || 'none'})`,
                didYouMean(key, Object.keys(child.outputs)),
                'key',
              );
          }
        }
        break;
      }
      default:
        break;
    }
  }

  private checkOutputs(uses: string, script: StepScript, at: Path): void {
    const spec = this.catalog.get(uses);
    if (!spec) return;
    // A scenario gives the outputs that matter; the runner fills in the others (scenarios/scripted-activities.ts).
    const properties = (spec.output as { properties?: Record<string, Record<string, unknown>> }).properties ?? {};
    const fits = (outputs: Record<string, unknown>, path: Path) => {
      for (const [key, value] of Object.entries(outputs)) {
        if (!Object.hasOwn(properties, key)) {
          const close = didYouMean(key, Object.keys(properties));
          this.report('unknown-output', [...path, key], `\`${uses}\` has no output \`${key}\` (outputs: ${Object.keys(properties).join(', ')})`, close, 'key');
          continue;
        }
        for (const d of checkShape(value, properties[key]!, this.sourceless(), { at: [...path, key], describe: () => 'the outputs' })) {
          this.report('invalid-value', [...path, key], `${d.message}: \`${uses}\` cannot return this`);
        }
      }
    };
    if (script.outputs) fits(script.outputs, [...at, 'outputs']);
    script.polls?.forEach((o, i) => fits(o, [...at, 'polls', i]));
    script.attempts?.forEach((a, i) => a.outputs && fits(a.outputs, [...at, 'attempts', i, 'outputs']));
    script.calls?.forEach((c, i) => {
      if (c.outputs) fits(c.outputs, [...at, 'calls', i, 'outputs']);
      c.attempts?.forEach((a, j) => a.outputs && fits(a.outputs, [...at, 'calls', i, 'attempts', j, 'outputs']));
    });
  }

  /** checkShape positions through a source map; this checker reports at the script's own path instead. */
  private sourceless(): SourceMap {
    return { file: '', locate: () => ({ line: 0, col: 0 }), locateInString: () => ({ line: 0, col: 0 }) };
  }

  private checkChoice(step: Extract<CompiledStep, { kind: 'decide' }>, choice: string, path: Path): void {
    const names = Object.keys(step.choices);
    if (names.includes(choice)) return;
    const close = didYouMean(choice, names);
    this.report('unknown-choice', path, `step \`${step.id}\` has no choice \`${choice}\` (choices: ${names.join(', ')})`, close);
  }

  private checkValues(schema: Record<string, unknown>, values: unknown, path: Path): void {
    for (const d of checkShape(values, schema, this.sourceless(), { at: path, describe: () => 'the values' })) {
      this.report('invalid-value', path, `${d.message}: the step's schema refuses these values`);
    }
  }

  private checkExpect(scenario: Scenario, at: Path): void {
    const expect = scenario.expect;
    expect.path?.forEach((entry, i) => {
      const [id, status] = typeof entry === 'string' ? [entry, 'succeeded'] : Object.entries(entry)[0]!;
      const where: Path = typeof entry === 'string' ? [...at, 'path', i] : [...at, 'path', i, id];
      this.step(this.runbook, id, where, typeof entry === 'string' ? 'value' : 'key');
      if (!STEP_STATUSES.includes(status as string))
        this.report('invalid-value', [...at, 'path', i, id], `\`${String(status)}\` is not a step status (${STEP_STATUSES.join(', ')})`);
    });
    expect.compensations?.forEach((id, i) => {
      const step = this.step(this.runbook, id, [...at, 'compensations', i]);
      if (step && !('compensate' in step && step.compensate))
        this.report('script-mismatch', [...at, 'compensations', i], `step \`${id}\` has no \`compensate\``);
    });
    expect.asked?.forEach((q, i) => {
      const step = this.step(this.runbook, q.step, [...at, 'asked', i, 'step']);
      if (step && !['approve', 'decide', 'fill'].includes(step.kind))
        this.report('script-mismatch', [...at, 'asked', i, 'step'], `step \`${q.step}\` is ${article(step.kind)} step: it asks no one`);
    });
    for (const key of Object.keys(expect.outputs ?? {})) {
      if (!Object.hasOwn(this.runbook.outputs, key))
        this.report(
          'unknown-output',
          [...at, 'outputs', key],
          `runbook ${this.runbook.name} has no output \`${key}\` (outputs: ${Object.keys(this.runbook.outputs).join(', ') || 'none'})`,
          didYouMean(key, Object.keys(this.runbook.outputs)),
          'key',
        );
    }
  }
}

/** "an action", "a decide"... */
const article = (kind: string): string => `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;

function describePath(path: Path): string {
  if (path[0] === 'scenarios' && typeof path[1] === 'number') return `scenario ${path[1] + 1}`;
  return 'the test file';
}
