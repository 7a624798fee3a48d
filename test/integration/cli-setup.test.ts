// `runbook setup`: creates a missing namespace with its retention and registers the search
// attributes, once (a second setup changes nothing); refuses bad flags before contacting anyone.
import { randomUUID } from 'node:crypto';
import { runCli } from '../helpers/cli';
import { serverAddress } from '../helpers/temporal';

it('refuses a --wait or --retention that is not a number of seconds or whole days', async () => {
  const env = { TEMPORAL_ADDRESS: '127.0.0.1:1' };
  const wait = await runCli(['setup', '--wait', 'soon'], env);
  expect([wait.code, wait.stderr.trim()]).toEqual([2, 'error: --wait takes seconds, not soon']);
  const retention = await runCli(['setup', '--retention', '1.5'], env);
  expect([retention.code, retention.stderr.trim()]).toEqual([2, 'error: --retention takes a whole number of days, not 1.5']);
});

it('creates the namespace with its retention and registers the attributes, once', async () => {
  const namespace = `setup-${randomUUID().slice(0, 8)}`;
  const env = { TEMPORAL_ADDRESS: serverAddress(), TEMPORAL_NAMESPACE: namespace };
  const first = await runCli(['setup', '--retention', '3', '--wait', '30'], env);
  expect(first.code).toBe(0);
  expect(first.stdout).toContain(`created namespace ${namespace} (retention 3 days)`);
  expect(first.stdout).toContain(`registered RunbookName, RunbookHash, Service, AlertFingerprint, RemediationStatus in ${namespace}`);
  const again = await runCli(['setup', '--wait', '30'], env);
  expect([again.code, again.stdout.trim()]).toEqual([0, `search attributes already registered in ${namespace}`]);
});
