// Traces with the standard OTEL_* variables: an alert delivery to the real receiver process, the
// run it starts on a real worker process, and the run's activities are one trace, read here from
// an OTLP/HTTP endpoint standing in for a collector. Off unless configured.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { tracingEnabled } from '../../temporal/tracing';
import { eventually } from '../helpers/eventually';
import { startHttpServer, type TestServer } from '../helpers/http-server';
import { freePort } from '../helpers/ports';
import { closeTestClient, settings, testClient } from '../helpers/temporal';
import { exited, startWorkerProcess } from '../helpers/worker-process';

interface Span {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

const RUNBOOK = `
name: traced
triggers:
  - source: alertmanager
    match: { alertname: TracedAlert }
steps:
  - id: look
    uses: shell
    readOnly: prints only
    with: { command: [echo, traced] }
`;
const TOKEN = 'trace-token-0123456789';

const s = settings();
let collector: TestServer;
let worker: ChildProcess;
let receiver: ChildProcess;
let receiverUrl: string;
const spans: Span[] = [];

function collect(body: string): void {
  const data = JSON.parse(body) as {
    resourceSpans: Array<{
      resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
      scopeSpans: Array<{ spans: Array<{ name: string; traceId: string; spanId: string; parentSpanId?: string }> }>;
    }>;
  };
  for (const rs of data.resourceSpans) {
    const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
    for (const ss of rs.scopeSpans)
      for (const sp of ss.spans)
        spans.push({ service, name: sp.name, traceId: sp.traceId, spanId: sp.spanId, ...(sp.parentSpanId && { parentSpanId: sp.parentSpanId }) });
  }
}

beforeAll(async () => {
  collector = await startHttpServer((req, res, body) => {
    if (req.url === '/v1/traces') collect(body);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' };
  const dir = mkdtempSync(path.join(tmpdir(), 'traced-'));
  writeFileSync(path.join(dir, 'traced.yaml'), RUNBOOK);
  // No prebuilt bundle: the worker bundles the workflows with the tracing interceptors itself.
  worker = await startWorkerProcess(s, { ...otel, RUNBOOK_WORKFLOW_BUNDLE: '', RUNBOOK_DIR: dir });
  const port = await freePort();
  receiverUrl = `http://127.0.0.1:${port}`;
  receiver = spawn(process.execPath, [path.join(__dirname, '..', '..', 'dist', 'triggers', 'main.js')], {
    env: {
      ...process.env,
      ...otel,
      TEMPORAL_ADDRESS: s.connection.address,
      RUNBOOK_TASK_QUEUE: s.taskQueue,
      RUNBOOK_DIR: dir,
      RUNBOOK_RECEIVER_PORT: String(port),
      ALERTMANAGER_TOKENS: TOKEN,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    receiver.once('exit', (code) => reject(new Error(`receiver exited with ${code}`)));
    createInterface({ input: receiver.stdout! }).on('line', (line) => line.startsWith('receiver ready') && resolve());
  });
}, 120_000);

afterAll(async () => {
  receiver?.kill('SIGTERM');
  worker?.kill('SIGINT');
  await Promise.all([receiver && exited(receiver), worker && exited(worker)]);
  await collector?.close();
  await closeTestClient();
});

it('is off unless an OTLP endpoint is configured, and OTEL_TRACES_EXPORTER=none turns it off', () => {
  expect(tracingEnabled({})).toBe(false);
  expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
  expect(tracingEnabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
  expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
});

it('makes one trace of the delivery, the start, the run and its activities', async () => {
  const payload = {
    version: '4',
    status: 'firing',
    receiver: 'runbooks',
    groupKey: '{}:{alertname="TracedAlert"}',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'TracedAlert' },
        annotations: {},
        startsAt: '2026-11-30T10:00:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        fingerprint: 'traced0001',
      },
    ],
  };
  const response = await fetch(`${receiverUrl}/alerts/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(payload),
  });
  const body = (await response.json()) as { results: Array<{ runbooks: Array<{ workflowId: string }> }> };
  const workflowId = body.results[0]!.runbooks[0]!.workflowId;
  await (await testClient()).workflow.getHandle(workflowId).result();

  const delivery = await eventually(
    () => spans.find((sp) => sp.service === 'runbook-receiver' && sp.name === 'receive alertmanager alerts'),
    'the receiver span',
    30_000,
    200,
  );
  const inTrace = () => spans.filter((sp) => sp.traceId === delivery.traceId);
  await eventually(
    () => inTrace().some((sp) => sp.service === 'runbook-worker' && /RunActivity:shell/.test(sp.name)),
    'the activity span of the run, in the delivery trace',
    30_000,
    200,
  );
  const trace = inTrace();
  expect(delivery.parentSpanId).toBeUndefined();
  expect(trace.map((sp) => `${sp.service} ${sp.name}`)).toEqual(
    expect.arrayContaining([
      'runbook-receiver StartWorkflow:runbookV4',
      expect.stringMatching(/^runbook-worker RunWorkflow:runbookV4$/),
      expect.stringMatching(/^runbook-worker StartActivity:shell$/),
      expect.stringMatching(/^runbook-worker RunActivity:shell$/),
    ]),
  );
  // Every span but the delivery's has its parent in the same trace.
  const ids = new Set(trace.map((sp) => sp.spanId));
  expect(trace.filter((sp) => sp !== delivery && !ids.has(sp.parentSpanId ?? ''))).toEqual([]);
});
