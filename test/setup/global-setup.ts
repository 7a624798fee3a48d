// Starts one real Temporal dev server for the whole test run (random free ports, Web UI on),
// and bundles the workflow code once. No server, no tests: this throws with the reason.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { findTemporalBinary } from '../../temporal/binary';
import { bundleWorkflows } from '../../temporal/bundle';
import { SEARCH_ATTRIBUTES } from '../../contract/search-attributes';
import { freePort } from '../helpers/ports';

export const TMP = path.join(__dirname, '..', '.tmp');

export default async function globalSetup(): Promise<void> {
  const binary = findTemporalBinary();
  const uiPort = await freePort();
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: binary },
        ip: '127.0.0.1',
        ui: true,
        uiPort,
        searchAttributes: SEARCH_ATTRIBUTES,
        log: { format: 'pretty', level: 'error' },
      },
    });
  } catch (err) {
    throw new Error(`could not start the Temporal dev server (${binary}): ${(err as Error).message}`, { cause: err });
  }
  (globalThis as { temporalTestEnv?: TestWorkflowEnvironment }).temporalTestEnv = env;
  process.env.RUNBOOK_TEST_TEMPORAL_ADDRESS = env.address;
  process.env.RUNBOOK_TEST_UI_URL = `http://127.0.0.1:${uiPort}`;

  mkdirSync(TMP, { recursive: true });
  const bundle = await bundleWorkflows(require.resolve('../../workflows'));
  const bundlePath = path.join(TMP, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.env.RUNBOOK_TEST_WORKFLOW_BUNDLE = bundlePath;
}
