// The thinnest vertical slice on a real Temporal server: typed inputs, `shell` (argv) and
// `http` steps, references to inputs and earlier outputs, and `if`.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { statusQuery } from '../../contract/messages';
import { startHttpServer, type TestServer } from '../helpers/http-server';
import { closeTestClient, compile, runToEnd, testClient, withWorker } from '../helpers/temporal';

const RUNBOOK = (url: string) => `
name: slice
inputs:
  service: { type: string, pattern: '^[a-z0-9-]+$' }
  threshold: { type: integer, default: 100 }
  out: { type: string }
steps:
  - id: health
    description: Ask the service for its error count
    uses: http
    with:
      url: ${url}/errors?service=\${{ inputs.service }}
  - id: note
    uses: shell
    with:
      command: [sh, -c, 'printf "%s\\n" "$1" >> "$2"', note, 'errors=\${{ steps.health.outputs.json.errors }}', '\${{ inputs.out }}']
  - id: restart
    description: Only when the errors pass the threshold
    if: \${{ steps.health.outputs.json.errors > inputs.threshold }}
    uses: http
    with:
      url: ${url}/restart
      method: POST
      json: { service: '\${{ inputs.service }}', reason: 'errors=\${{ steps.health.outputs.json.errors }}' }
outputs:
  errors: \${{ steps.health.outputs.json.errors }}
  restarted: \${{ steps.restart.status == "succeeded" }}
`;

describe('vertical slice', () => {
  let server: TestServer;
  let errors = 0;
  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.url?.startsWith('/errors') ? { errors } : { restarted: true }));
    });
  });
  afterAll(async () => {
    await server.close();
    await closeTestClient();
  });

  const out = () => path.join(mkdtempSync(path.join(tmpdir(), 'slice-')), 'notes.txt');

  it('runs every step, follows the `if`, and returns the outputs', async () => {
    errors = 250;
    const file = out();
    const runbook = compile(RUNBOOK(server.url));
    const outcome = await withWorker((s) => runToEnd(s, { runbook, inputs: { service: 'checkout', threshold: 100, out: file } }));
    expect(outcome).toMatchObject({ ok: true, result: { outputs: { errors: 250, restarted: true } } });
    expect(readFileSync(file, 'utf8')).toBe('errors=250\n');
    const restart = server.requests.find((r) => r.url === '/restart');
    expect(JSON.parse(restart!.body)).toEqual({ service: 'checkout', reason: 'errors=250' });
  });

  it('skips a step whose `if` is false and says so in the status query', async () => {
    errors = 3;
    server.requests.length = 0;
    const runbook = compile(RUNBOOK(server.url));
    const outcome = await withWorker(async (s) => {
      const result = await runToEnd(s, { runbook, inputs: { service: 'checkout', out: out() } });
      const status = await (await testClient()).workflow.getHandle(result.workflowId).query(statusQuery);
      return { result, status };
    });
    expect(outcome.result).toMatchObject({ ok: true, result: { outputs: { errors: 3, restarted: false } } });
    expect(outcome.status.steps.restart!.status).toBe('skipped');
    expect(outcome.status.status).toBe('succeeded');
    expect(server.requests.some((r) => r.url === '/restart')).toBe(false);
  });

  it('fails the run with the step and the reason when a command fails', async () => {
    const runbook = compile(`
name: failing
steps:
  - id: check
    uses: shell
    with: { command: [sh, -c, 'echo "disk is on fire" >&2; exit 3'] }
  - id: never
    uses: shell
    with: { command: ['true'] }
`);
    const outcome = await withWorker((s) => runToEnd(s, { runbook, inputs: {} }));
    expect(outcome.ok).toBe(false);
    expect(outcome.ok === false && outcome.reason).toBe(
      'step `check` failed: shell failed: `sh -c "echo \\"disk is on fire\\" >&2; exit 3"` exited with 3: disk is on fire (test.yaml:4:5)',
    );
  });

  it('refuses inputs that break their declaration before running anything', async () => {
    const runbook = compile(RUNBOOK(server.url));
    const outcome = await withWorker((s) => runToEnd(s, { runbook, inputs: { service: 'Bad Name; rm -rf /', out: out() } }));
    expect(outcome.ok === false && outcome.reason).toMatch(/^invalid input: input `service` \(given\) `Bad Name; rm -rf \/` does not match/);
  });
});
