// Payloads encrypted at rest (AES-256-GCM, key from the environment): history holds no
// plaintext, the run still works, and the codec server decodes for the Web UI.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { historyJson } from '../../cli/histories';
import { AesGcmCodec, dataConverter, ENCRYPTED } from '../../temporal/codec';
import { codecServer } from '../../temporal/codec-server';
import { startRun } from '../../temporal/start-run';
import { createWorker } from '../../worker/create-worker';
import { runCli } from '../helpers/cli';
import { ACTIONS, compile, quietRuntime, serverAddress, settings, TEST_ADMISSION, TEST_PEOPLE } from '../helpers/temporal';

const KEY = randomBytes(32);
const codec = new AesGcmCodec(new Map([['k1', KEY]]), 'k1');

it('encrypts every payload, runs normally, and decodes through the codec server and the CLI', async () => {
  quietRuntime();
  const s = settings();
  const converter = dataConverter(codec)!;
  const connection = await NativeConnection.connect(s.connection);
  // Bundled at start (not the shared test bundle) so the encrypting failure converter is inside it.
  const { worker } = await createWorker({
    settings: s,
    actions: ACTIONS,
    admission: TEST_ADMISSION,
    connection,
    dataConverter: converter,
    claude: { defaultModel: 'x', requestTimeoutMs: 1000 },
    people: { file: TEST_PEOPLE, requireSignatures: false },
  });
  const clientConnection = await Connection.connect({ address: serverAddress() });
  const client = new Client({ connection: clientConnection, dataConverter: converter });
  try {
    const runbook = compile(
      "name: private\ninputs:\n  customer: { type: string }\nsteps:\n  - id: look\n    uses: test.probe\n    with: { name: codec-look, value: 'account of ${{ inputs.customer }}' }\noutputs:\n  seen: ${{ steps.look.outputs.value }}\n",
    );
    const { history, workflowId } = await worker.runUntil(async () => {
      const handle = await startRun(client, s.taskQueue, { runbook, inputs: { customer: 'ACME-Corp-4711' }, startedBy: 'test' });
      expect((await handle.result()).outputs).toEqual({ seen: 'account of ACME-Corp-4711' });
      return { history: await handle.fetchHistory(), workflowId: handle.workflowId };
    });
    const json = historyJson(history);
    const decodedData = json.replace(/"data":\s*"([A-Za-z0-9+/=]+)"/g, (_, b64: string) => Buffer.from(b64, 'base64').toString('latin1'));
    expect(decodedData).not.toContain('ACME-Corp-4711');
    expect(decodedData).not.toContain('account of');
    const started = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    expect(Buffer.from(started.metadata!.encoding!).toString()).toBe(ENCRYPTED);

    // The Web UI asks the codec server to decode.
    const app = codecServer(codec, 'http://localhost:8233');
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const reply = await fetch(`${address}/decode`, {
      method: 'POST',
      headers: { origin: 'http://localhost:8233', 'content-type': 'application/json', 'x-namespace': 'default' },
      body: JSON.stringify({
        payloads: [
          {
            metadata: Object.fromEntries(Object.entries(started.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
            data: Buffer.from(started.data!).toString('base64'),
          },
        ],
      }),
    });
    await app.close();
    expect(reply.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
    const plain = (await reply.json()) as { payloads: Array<{ metadata: { encoding: string }; data: string }> };
    expect(Buffer.from(plain.payloads[0]!.metadata.encoding, 'base64').toString()).toBe('json/plain');
    expect(Buffer.from(plain.payloads[0]!.data, 'base64').toString()).toContain('ACME-Corp-4711');

    // The report reads the run with the key from the environment, and says why it cannot without it.
    const env = { TEMPORAL_ADDRESS: serverAddress(), RUNBOOK_PAYLOAD_KEY: KEY.toString('base64'), RUNBOOK_PAYLOAD_KEY_ID: 'k1' };
    const report = await runCli(['report', workflowId], env);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('ACME-Corp-4711');
    const withoutKey = await runCli(['report', workflowId], { TEMPORAL_ADDRESS: serverAddress() });
    expect(withoutKey.code).toBe(2);
    expect(withoutKey.stderr).toContain('binary/encrypted');
  } finally {
    await clientConnection.close();
    await connection.close();
  }
});

it('refuses a key of the wrong size and decoding with an unknown key id', async () => {
  expect(() => new AesGcmCodec(new Map([['k', randomBytes(16)]]), 'k')).toThrow('payload key k must be 32 bytes (base64 of 32 random bytes), not 16');
  const [encrypted] = await codec.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"x"') }]);
  const other = new AesGcmCodec(new Map([['k2', randomBytes(32)]]), 'k2');
  await expect(other.decode([encrypted!])).rejects.toThrow('payload encrypted with key k1, which this process does not have');
});

it('has nothing to serve as a codec server without a key', async () => {
  const result = await runCli(['codec-server', '--port', '0'], {});
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('RUNBOOK_PAYLOAD_KEY is not set: there is nothing to decode\n');
});
