// End to end with the real Prometheus Alertmanager (Debian's package): an alert posted to
// Alertmanager's API reaches the receiver through a webhook with bearer auth, exactly one
// remediation starts although Alertmanager keeps repeating the notification, and the resolved
// notification stops it.
import type { FastifyInstance } from 'fastify';
import { receiverMetrics, type ReceiverMetrics } from '../../triggers/metrics';
import { buildServer } from '../../triggers/server';
import { statusQuery } from '../../contract/messages';
import { startAlertmanager, type RunningAlertmanager } from '../helpers/alertmanager';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/ports';
import { callsOf } from '../helpers/test-actions';
import { closeTestClient, compile, settings, startWorker, testClient } from '../helpers/temporal';

const TOKEN = 'am-e2e-token-0123456789';

const runbook = compile(`
name: e2e-errors
triggers:
  - source: alertmanager
    match: { alertname: E2EHighErrorRate }
inputs:
  service: { type: string, pattern: '^[a-z0-9-]+$', from: alert.labels.service }
onResolved: stop
steps:
  - id: look
    uses: test.probe
    with: { name: 'am-e2e-\${{ inputs.service }}' }
  - id: gate
    approve: { approvers: [alice], timeout: 10m }
  - id: act
    uses: test.probe
    with: { name: 'am-e2e-act' }
`);

let alertmanager: RunningAlertmanager | undefined;
let app: FastifyInstance;
let metrics: ReceiverMetrics;
let stopWorker: () => Promise<void>;
let amUrl: string;

beforeAll(async () => {
  const s = settings();
  stopWorker = await startWorker(s);
  metrics = receiverMetrics();
  const receiverPort = await freePort();
  app = buildServer({
    config: {
      host: '127.0.0.1',
      port: receiverPort,
      runbookDirs: [],
      auth: { alertmanager: { bearerTokens: [TOKEN] } },
      bodyLimitBytes: 1 << 20,
      deadlineMs: 4_000,
    },
    client: await testClient(),
    taskQueue: s.taskQueue,
    runbooks: () => [runbook],
    metrics,
  });
  await app.listen({ host: '127.0.0.1', port: receiverPort });

  alertmanager = await startAlertmanager({ receivers: [`http://127.0.0.1:${receiverPort}/alerts/alertmanager`], token: TOKEN, sendResolved: true });
  amUrl = alertmanager.url;
});

afterAll(async () => {
  alertmanager?.stop();
  await app?.close();
  await stopWorker?.();
  await closeTestClient();
});

async function postAlerts(alerts: unknown[]): Promise<void> {
  const res = await fetch(`${amUrl}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
  if (!res.ok) throw new Error(`Alertmanager refused the alert: ${res.status} ${await res.text()}`);
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await metrics.registry.getSingleMetricAsString(name);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** Alertmanager works in seconds: poll gently, and give it time. */
const until = (check: () => Promise<boolean>, what: string) => eventually(check, what, 30_000, 200);

it('starts exactly one remediation despite Alertmanager repeats, and stops it when the alert resolves', async () => {
  const startsAt = new Date().toISOString();
  const alert = {
    labels: { alertname: 'E2EHighErrorRate', service: 'checkout', severity: 'critical' },
    annotations: { summary: 'checkout 5xx above SLO' },
    startsAt,
  };
  await postAlerts([alert]);

  await until(async () => (await metric('runbook_receiver_remediations_total', 'runbook="e2e-errors",outcome="started"')) === 1, 'the first notification');
  // Alertmanager keeps notifying (repeat_interval 1s); every repeat must find the run already there.
  await until(
    async () => (await metric('runbook_receiver_remediations_total', 'runbook="e2e-errors",outcome="duplicate"')) >= 3,
    'three repeated notifications',
  );
  expect(await metric('runbook_receiver_remediations_total', 'runbook="e2e-errors",outcome="started"')).toBe(1);

  const client = await testClient();
  const runs: string[] = [];
  await until(async () => {
    runs.length = 0;
    for await (const w of client.workflow.list({ query: 'RunbookName = "e2e-errors"' })) runs.push(w.workflowId);
    return runs.length > 0;
  }, 'the run in visibility');
  expect(runs).toHaveLength(1);
  expect(callsOf('am-e2e-checkout')).toHaveLength(1);
  const handle = client.workflow.getHandle(runs[0]!);
  await until(async () => (await handle.query(statusQuery)).status === 'awaiting-approval', 'the approval');

  // Resolving in Alertmanager sends a resolved notification: the run stops before the risky step.
  await postAlerts([{ ...alert, endsAt: new Date().toISOString() }]);
  const result = await handle.result();
  expect(result.stopped).toBe('the alert resolved during step `gate` (onResolved: stop)');
  expect(callsOf('am-e2e-act')).toHaveLength(0);
  expect(await metric('runbook_receiver_remediations_total', 'runbook="e2e-errors",outcome="started"')).toBe(1);
});
