// `npm run drill`: a real incident on real parts, narrated. A Kubernetes control plane (kine,
// kube-apiserver, kube-controller-manager), the demo service `checkout` following its Deployment,
// Prometheus and Alertmanager, and the whole engine (Temporal dev server, worker, receiver). The
// broken v2 is rolled out; the alert fires, reaches the receiver, `high-error-rate` gathers real
// evidence, a decision is taken, a person approves, `kubectl rollout undo` runs on the API server,
// the error ratio falls under the SLO, the alert resolves, and the report is written.
//   npm run drill            interactive: decide (without a model) and approve yourself
//   npm run drill -- --ci    a local Messages API decides, a named operator approves (for tests)
// Ctrl-C, or the end, stops everything it started.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { Command } from 'commander';
import { alertResolvedSignal, approveUpdate, statusQuery } from '../contract/messages';
import type { Pending, PendingApproval, PendingDecision, StatusView } from '../contract/run';
import { runUrl } from '../contract/urls';
import { whoAmI } from '../cli/humans';
import { Supervisor } from '../cli/supervisor';
import { startStack, type Stack } from '../cli/up';
import { fetchHistory } from '../cli/histories';
import { PROJECT_ROOT } from '../repository/project';
import { htmlReport } from '../report/html';
import { readHistory } from '../report/read-history';
import { writeAlertmanagerConfig, writePrometheusConfig, type DrillPorts } from './configs';
import { runDashboardQueries } from './dashboard';
import { startKube } from './kube';
import { startFakeAnthropic, toolAnswer, type FakeAnthropic } from './messages-api';
import { freePorts } from './ports';
import { timeline, type DrillTimeline } from './timeline';

const run = promisify(execFile);
const NAMESPACE = 'prod';
const OPERATOR = 'drill-operator';

export interface DrillResult {
  workflowId: string;
  /** Runs of high-error-rate the alert started (one: repeats of the alert are duplicates). */
  remediations: number;
  /** Whether Alertmanager's resolved notification reached the run as a signal. */
  resolvedSignalled: boolean;
  report: string;
  /** Every query of the engine's Grafana dashboard, run against the drill's Prometheus. */
  dashboard: { queries: number; withData: number; errors: string[] };
  timeline: DrillTimeline;
  image: string;
  revision: string;
}

async function main(): Promise<void> {
  const opts = new Command().option('--ci', 'non-interactive: a local Messages API decides, a named operator approves').parse().opts<{ ci?: boolean }>();
  const ci = opts.ci === true;
  const started = Date.now();
  const say = (line: string) => console.log(`[drill +${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${line}`);
  const supervisor = new Supervisor((line) => (line.startsWith('[') ? undefined : say(line)));
  let stack: Stack | undefined;
  let model: FakeAnthropic | undefined;
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      if (stack) await stack.stop(0);
      else await supervisor.stopAll();
      await model?.close();
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      say('stopping everything the drill started');
      void stopAll().then(() => process.exit(130));
    });
  // A part that exits unexpectedly stops the stack; the drill then fails at once instead of
  // waiting out its timeouts.
  let partDied: (err: Error) => void = () => undefined;
  const died = new Promise<never>((_, reject) => (partDied = reject));
  const onStack = (s: Stack) => {
    stack = s;
    void s.done.then((code) => code !== 0 && partDied(new Error('a part of the drill exited unexpectedly (its log is in the working folder)')));
  };
  try {
    const result = await Promise.race([drill({ ci, say, supervisor, onStack, onModel: (m) => (model = m) }), died]);
    say(`done: ${result.workflowId} rolled back to ${result.image} (revision ${result.revision}); report ${result.report}`);
    // On a desktop, the report opens; elsewhere its path is above.
    if (!ci && process.env.DISPLAY)
      spawn('xdg-open', [result.report], { detached: true, stdio: 'ignore' })
        .on('error', () => undefined)
        .unref();
    for (const line of formatTimeline(result.timeline)) console.log(`  ${line}`);
    if (ci) console.log(`DRILL RESULT ${JSON.stringify(result)}`);
  } catch (err) {
    say(`drill failed: ${(err as Error).message}`);
    process.exitCode = 1;
  } finally {
    await stopAll();
  }
  // The abandoned drill may still be waiting on timers.
  if (process.exitCode) setTimeout(() => process.exit(), 500).unref();
}

async function drill(ctx: {
  ci: boolean;
  say: (line: string) => void;
  supervisor: Supervisor;
  onStack: (s: Stack) => void;
  onModel: (m: FakeAnthropic) => void;
}): Promise<DrillResult> {
  const { ci, say, supervisor } = ctx;
  say('building or finding the Kubernetes control plane (cached after the first run)');
  const bin = execFileSync('bash', [path.join(PROJECT_ROOT, 'scripts', 'build-kube.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .at(-1)!;
  // In-process servers listen before the ports of the others are chosen: one listening on a port
  // of its own choosing after that could take a port handed out to another process.
  let modelEnv: NodeJS.ProcessEnv = {};
  if (ci) {
    const model = await startFakeAnthropic();
    ctx.onModel(model);
    model.fallback = () =>
      toolAnswer('choose', {
        choice: 'rollback',
        reasoning: 'the errors began with the rollout of checkout:v2 (drill stand-in for the model)',
        confidence: 0.92,
      });
    modelEnv = { ANTHROPIC_API_KEY: 'drill-ci', ANTHROPIC_BASE_URL: model.url };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'runbook-drill-'));
  const [kine, api, checkout, prometheus, alertmanager, alertmanagerCluster, temporal, temporalMetrics, ui, receiver, inbox, workerMetrics] =
    await freePorts(12);
  const ports: DrillPorts = {
    kine,
    api,
    checkout,
    prometheus,
    alertmanager,
    alertmanagerCluster,
    temporal,
    temporalMetrics,
    ui,
    receiver,
    inbox,
    workerMetrics,
  };
  say(`working folder ${dir}`);

  const kube = await startKube(supervisor, { bin, dir: path.join(dir, 'kube'), kinePort: ports.kine, apiPort: ports.api });
  const kubectl = (...args: string[]) => run('kubectl', ['--kubeconfig', kube.kubeconfig, ...args]).then((r) => r.stdout);
  await kubectl('create', 'namespace', NAMESPACE);
  await kubectl('create', 'deployment', 'checkout', '--image=checkout:v1', '--namespace', NAMESPACE);
  say(`Kubernetes API at ${kube.server}; deployment ${NAMESPACE}/checkout runs checkout:v1`);

  await supervisor.start({
    name: 'checkout',
    command: process.execPath,
    args: [path.join(PROJECT_ROOT, 'dist', 'drill', 'checkout.js')],
    env: { ...process.env, KUBE_SERVER: kube.server, KUBE_TOKEN: kube.token, KUBE_CA: kube.caFile, NAMESPACE, PORT: String(ports.checkout) },
    logFile: path.join(dir, 'checkout.log'),
    readyLine: /^checkout ready/,
  });

  const token = `drill-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const people = path.join(dir, 'people.yaml');
  writeFileSync(people, `groups:\n  oncall: [${OPERATOR}, ${JSON.stringify(whoAmI())}]\n`);
  const stack = await startStack(
    {
      dataDir: path.join(dir, 'temporal'),
      ip: '127.0.0.1',
      port: ports.temporal,
      uiPort: ports.ui,
      receiverPort: ports.receiver,
      inboxPort: ports.inbox,
      metrics: `127.0.0.1:${ports.workerMetrics}`,
      runbookDirs: [path.join(PROJECT_ROOT, 'runbooks')],
    },
    say,
    supervisor,
    {
      temporalMetricsPort: ports.temporalMetrics,
      env: {
        ...modelEnv,
        KUBECONFIG: kube.kubeconfig,
        PROMETHEUS_URL: `http://127.0.0.1:${ports.prometheus}`,
        ALERTMANAGER_TOKENS: token,
        RUNBOOK_PEOPLE_FILE: people,
        RUNBOOK_METRICS_ADDRESS: `127.0.0.1:${ports.workerMetrics}`,
        RUNBOOK_UI_URL: `http://localhost:${ports.ui}`,
      },
    },
  );
  ctx.onStack(stack);
  say(`engine up: Temporal ${stack.address}, Web UI http://localhost:${ports.ui}, receiver :${ports.receiver}`);

  mkdirSync(path.join(dir, 'prometheus'), { recursive: true });
  await supervisor.start({
    name: 'prometheus',
    command: 'prometheus',
    args: [
      `--config.file=${writePrometheusConfig(dir, ports)}`,
      `--storage.tsdb.path=${path.join(dir, 'prometheus')}`,
      `--web.listen-address=127.0.0.1:${ports.prometheus}`,
    ],
    logFile: path.join(dir, 'prometheus.log'),
  });
  await supervisor.start({
    name: 'alertmanager',
    command: 'prometheus-alertmanager',
    args: [
      `--config.file=${writeAlertmanagerConfig(dir, ports, token)}`,
      `--storage.path=${path.join(dir, 'alertmanager')}`,
      `--web.listen-address=127.0.0.1:${ports.alertmanager}`,
      `--cluster.listen-address=127.0.0.1:${ports.alertmanagerCluster}`,
    ],
    logFile: path.join(dir, 'alertmanager.log'),
  });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${ports.prometheus}/-/ready`).catch(() => undefined))?.ok, 'Prometheus', 30_000);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${ports.alertmanager}/-/ready`).catch(() => undefined))?.ok, 'Alertmanager', 30_000);
  say(`Prometheus http://127.0.0.1:${ports.prometheus} and Alertmanager http://127.0.0.1:${ports.alertmanager} up`);

  say('checkout:v1 serves a steady load, 0.2% errors; letting Prometheus see a healthy baseline');
  await new Promise((r) => setTimeout(r, 8_000));
  const brokenAt = Date.now();
  await kubectl('set', 'image', 'deployment/checkout', 'checkout=checkout:v2', '--namespace', NAMESPACE);
  say('rolled out checkout:v2 (30% errors): watch the error ratio climb');

  const client = new Client({ connection: await Connection.connect({ address: stack.address }) });
  try {
    const workflowId = await waitFor(
      async () => {
        for await (const w of client.workflow.list({ query: 'RunbookName = "high-error-rate"' })) return w.workflowId;
        return undefined;
      },
      'the alert to start high-error-rate',
      180_000,
    );
    const handle = client.workflow.getHandle(workflowId);
    say(
      `HighErrorRate fired; Alertmanager told the receiver; remediation started: ${runUrl('default', workflowId, { RUNBOOK_UI_URL: `http://localhost:${ports.ui}` })}`,
    );

    const decision = (await waitForPending(handle, 'decision', 'diagnose', 120_000)) as PendingDecision | undefined;
    if (decision) {
      say(`the decision waits for a person (${decision.why}). Decide in the Web UI, or:`);
      say(`  TEMPORAL_ADDRESS=${stack.address} bin/runbook decide '${workflowId}' --step diagnose --choice rollback`);
    }
    const approval = (await waitForPending(handle, 'approval', 'approve_rollback', 30 * 60_000, true)) as PendingApproval;
    say(`${decision ? 'decided' : 'Claude chose'} rollback; the rollback waits for approval (plan ${approval.planHash.slice(0, 12)})`);
    if (ci) {
      await handle.executeUpdate(approveUpdate, {
        args: [{ step: 'approve_rollback', by: OPERATOR, planHash: approval.planHash, comment: 'drill: v2 is the bad rollout' }],
      });
      say(`${OPERATOR} approved through the approve update`);
    } else {
      say('approve it: in the Web UI (More Actions → Send a Signal, as the run page says), or:');
      say(`  TEMPORAL_ADDRESS=${stack.address} bin/runbook approve '${workflowId}' --step approve_rollback`);
    }
    const deployment = await waitFor(
      async () => {
        const d = JSON.parse(await kubectl('get', 'deployment', 'checkout', '--namespace', NAMESPACE, '--output', 'json')) as {
          metadata: { annotations?: Record<string, string> };
          spec: { template: { spec: { containers: Array<{ image: string }> } } };
        };
        const image = d.spec.template.spec.containers[0]!.image;
        return image === 'checkout:v1' && { image, revision: d.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '?' };
      },
      'the rollback to reach the API server',
      30 * 60_000,
    );
    say(`kubectl rollout undo ran: the deployment runs ${deployment.image} again (revision ${deployment.revision}); waiting for the error ratio and the alert`);
    await handle.result();
    say('the verify step saw the ratio under the SLO, and Alertmanager told the run the alert resolved');
    const { history } = await fetchHistory(client, workflowId);
    const report = path.join(dir, 'report.html');
    writeFileSync(report, htmlReport(await readHistory(history, workflowId)));
    say(`report: ${report}`);
    const remediations = (await client.workflow.count('RunbookName = "high-error-rate"')).count;
    const resolvedSignalled = (history.events ?? []).some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === alertResolvedSignal.name);
    const dashboard = await checkDashboard(`http://127.0.0.1:${ports.prometheus}`);
    say(`the engine's dashboard: ${dashboard.queries} queries, ${dashboard.withData} with data, ${dashboard.errors.length} failed`);
    return { workflowId, remediations, resolvedSignalled, report, dashboard, timeline: await timeline(history, brokenAt), ...deployment };
  } finally {
    await client.connection.close();
  }
}

/** Every dashboard query against this Prometheus, summed up for the result. */
async function checkDashboard(prometheus: string): Promise<DrillResult['dashboard']> {
  const results = await runDashboardQueries(prometheus);
  return {
    queries: results.length,
    withData: results.filter((r) => r.series > 0).length,
    errors: results.filter((r) => !r.ok).map((r) => `${r.panel}: ${r.error}`),
  };
}

async function waitForPending(
  handle: ReturnType<Client['workflow']['getHandle']>,
  kind: 'decision' | 'approval',
  step: string,
  timeoutMs: number,
  required = false,
): Promise<Pending | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = (await handle.query(statusQuery).catch(() => undefined)) as StatusView | undefined;
    const pending = status?.pending.find((p) => p.kind === kind && p.step === step);
    if (pending) return pending;
    // A decision Claude took never waits: the run is already past it.
    if (!required && status && (status.steps[step]?.status === 'succeeded' || status.pending.some((p) => p.kind === 'approval'))) return undefined;
    if (status && ['succeeded', 'failed', 'cancelled'].includes(status.status)) throw new Error(`the run ended (${status.status}) before step \`${step}\``);
    if (Date.now() > deadline) throw new Error(`step \`${step}\` did not wait for a ${kind} within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function waitFor<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function formatTimeline(t: DrillTimeline): string[] {
  return Object.entries(t).map(([phase, ms]) => `${phase.padEnd(44)} ${ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(2)} s`}`);
}

void main();
