// A Temporal dev server for a benchmark run, and a worker on it serving the bench workflows.
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Admission } from '../../activities/admission/admission';
import { admissionActivities } from '../../activities/admission/activity';
import type { CompiledRunbook } from '../../dsl/compiled';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { bundleWorkflows } from '../../temporal/bundle';
import { findTemporalBinary } from '../../temporal/binary';
import { SEARCH_ATTRIBUTES } from '../../contract/search-attributes';
import { compileRunbook } from '../../dsl/compile';
import type { ActionSpec } from '../../dsl/catalog';
import { noop, noopWrite } from './noop-action';

export async function startBenchServer(): Promise<TestWorkflowEnvironment> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: findTemporalBinary() },
      ip: '127.0.0.1',
      searchAttributes: SEARCH_ATTRIBUTES,
      log: { format: 'pretty', level: 'error' },
    },
  });
}

export function benchBundle(): Promise<{ code: string }> {
  return bundleWorkflows(path.join(__dirname, 'workflows.js'));
}

/** A bench runbook, compiled against the bench actions (the no-op, as a read and as a write). */
export function compileBench(text: string): CompiledRunbook {
  const catalog = new Map<string, ActionSpec>([
    [noop.name, noop],
    [noopWrite.name, noopWrite],
  ]);
  const { runbook, diagnostics } = compileRunbook(text, 'bench.yaml', { catalog, resolve: () => undefined });
  if (!runbook) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return runbook;
}

/** The admission activity of a worker that serves exactly these runbooks (and has a model, as the benches' fake Messages API is one). */
export function admitting(...runbooks: CompiledRunbook[]): ReturnType<typeof admissionActivities> {
  const admission = new Admission();
  admission.serve(runbooks);
  return admissionActivities(admission, true);
}
