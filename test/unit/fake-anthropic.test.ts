// The fake Messages API, driven by the real @anthropic-ai/sdk: if the SDK parses, streams and maps
// errors from it the way it does for the real API, tests built on the fake exercise real client code.
import Anthropic from '@anthropic-ai/sdk';
import { startFakeAnthropic, toolAnswer, type FakeAnthropic } from '../helpers/fake-anthropic';
import { eventually } from '../helpers/eventually';

const MODEL = 'claude-test-model';
const PARAMS = { model: MODEL, max_tokens: 256, messages: [{ role: 'user' as const, content: 'restart the pod?' }] };
const INPUT = { action: 'kubernetes.rollout_restart', args: { namespace: 'prod', names: ['api', 'worker'] }, confidence: 0.82, note: 'quotes " and unicode é' };

let fake: FakeAnthropic;
let client: Anthropic;

beforeEach(async () => {
  fake = await startFakeAnthropic();
  client = new Anthropic({ baseURL: fake.url, apiKey: 'test-key', maxRetries: 0 });
});

afterEach(() => fake.close());

/** The error a promise rejects with, so several of its properties can be asserted. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

describe('answers', () => {
  it('a tool answer via messages.create carries the exact input, stop reason and usage', async () => {
    fake.enqueue(toolAnswer('choose_action', INPUT, { input_tokens: 1200, output_tokens: 55, cache_creation_input_tokens: 900, cache_read_input_tokens: 300 }));

    const msg = await client.messages.create(PARAMS);

    expect(msg).toMatchObject({ type: 'message', role: 'assistant', model: MODEL, stop_reason: 'tool_use', stop_sequence: null });
    expect(msg.id).toMatch(/^msg_/);
    expect(msg._request_id).toMatch(/^req_/);
    expect(msg.content).toHaveLength(1);
    const block = msg.content[0];
    if (block?.type !== 'tool_use') throw new Error(`expected tool_use, got ${block?.type}`);
    expect(block.id).toMatch(/^toolu_/);
    expect(block.name).toBe('choose_action');
    expect(block.input).toEqual(INPUT);
    expect(msg.usage).toEqual({ input_tokens: 1200, output_tokens: 55, cache_creation_input_tokens: 900, cache_read_input_tokens: 300 });
  });

  it('a tool answer via messages.stream is reassembled from several partial_json chunks', async () => {
    fake.enqueue(toolAnswer('choose_action', INPUT, { input_tokens: 40, output_tokens: 9, cache_read_input_tokens: 30 }));

    const stream = client.messages.stream(PARAMS);
    const chunks: string[] = [];
    stream.on('inputJson', (partial) => chunks.push(partial));
    const msg = await stream.finalMessage();

    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(JSON.stringify(INPUT));
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.content[0]).toMatchObject({ type: 'tool_use', name: 'choose_action', input: INPUT });
    // input and cache counts come from message_start, output_tokens from message_delta.
    expect(msg.usage).toMatchObject({ input_tokens: 40, output_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 30 });
    expect(fake.requests[0]?.stream).toBe(true);
  });

  it('puts the SSE events on the wire in the real order, ping included', async () => {
    fake.enqueue({ kind: 'text', text: 'hello from the fake' });

    const res = await fetch(`${fake.url}/v1/messages`, { method: 'POST', body: JSON.stringify({ ...PARAMS, stream: true }) });
    const events = [...(await res.text()).matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);

    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    expect(events.slice(0, 3)).toEqual(['message_start', 'ping', 'content_block_start']);
    expect(events.slice(-4)).toEqual(['content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(events.filter((e) => e === 'content_block_delta').length).toBeGreaterThan(1);
  });

  it('the SDK iterates the raw stream events in that order', async () => {
    fake.enqueue(toolAnswer('choose_action', INPUT));

    const types: string[] = [];
    for await (const event of await client.messages.create({ ...PARAMS, stream: true })) types.push(event.type);

    // The SDK drops `ping` itself, so it never reaches the iterator.
    const deltas = types.filter((t) => t === 'content_block_delta').length;
    expect(types).toEqual([
      'message_start',
      'content_block_start',
      ...Array(deltas).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('a text answer arrives whole, streamed or not', async () => {
    fake.enqueue({ kind: 'text', text: 'Restarting is safe: both replicas are healthy.' }, { kind: 'text', text: 'Streamed: no action needed.' });

    const msg = await client.messages.create(PARAMS);
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.content).toEqual([{ type: 'text', text: 'Restarting is safe: both replicas are healthy.' }]);

    expect(await client.messages.stream(PARAMS).finalText()).toBe('Streamed: no action needed.');
  });

  it('echoes the request model unless the script overrides it', async () => {
    fake.enqueue(toolAnswer('a', {}), { kind: 'tool', name: 'a', input: {}, model: 'claude-other', stopReason: 'max_tokens' });

    expect((await client.messages.create(PARAMS)).model).toBe(MODEL);
    const overridden = await client.messages.create(PARAMS);
    expect(overridden.model).toBe('claude-other');
    expect(overridden.stop_reason).toBe('max_tokens');
  });
});

describe('errors', () => {
  it.each([
    [400, 'invalid_request_error', Anthropic.BadRequestError],
    [401, 'authentication_error', Anthropic.AuthenticationError],
    [403, 'permission_error', Anthropic.PermissionDeniedError],
    [404, 'not_found_error', Anthropic.NotFoundError],
    [413, 'request_too_large', Anthropic.ContentTooLargeError],
    [429, 'rate_limit_error', Anthropic.RateLimitError],
    [500, 'api_error', Anthropic.InternalServerError],
    [529, 'overloaded_error', Anthropic.OverloadedError],
  ] as const)('%d %s maps to its SDK error class', async (status, type, errorClass) => {
    fake.enqueue({ kind: 'error', status, message: `scripted ${status}` });

    const err = await failure(client.messages.create(PARAMS));

    expect(err).toBeInstanceOf(errorClass);
    if (!(err instanceof Anthropic.APIError)) throw err;
    expect(err.status).toBe(status);
    expect(err.type).toBe(type);
    expect(err.apiMessage).toBe(`scripted ${status}`);
    expect(err.message).toContain(`scripted ${status}`);
    expect(err.requestID).toMatch(/^req_/);
    expect(fake.requests).toHaveLength(1);
  });

  it('a custom error type reaches the SDK', async () => {
    fake.enqueue({ kind: 'error', status: 400, type: 'billing_error', message: 'credit balance too low' });

    const err = await failure(client.messages.create(PARAMS));

    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err).toMatchObject({ type: 'billing_error', apiMessage: 'credit balance too low' });
  });

  it('a 429 carries retry-after', async () => {
    fake.enqueue({ kind: 'error', status: 429, retryAfterSeconds: 17 });

    const err = await failure(client.messages.create(PARAMS));

    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect((err as InstanceType<typeof Anthropic.RateLimitError>).headers.get('retry-after')).toBe('17');
  });

  it('an SDK retry honours retry-after and consumes the next scripted answer', async () => {
    fake.enqueue({ kind: 'error', status: 429, retryAfterSeconds: 0.2 }, { kind: 'text', text: 'second try' });
    const retrying = new Anthropic({ baseURL: fake.url, apiKey: 'test-key', maxRetries: 1 });

    const msg = await retrying.messages.create(PARAMS);

    expect(msg.content).toEqual([{ type: 'text', text: 'second try' }]);
    const [first, second] = fake.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(150);
    expect(second!.headers['x-stainless-retry-count']).toBe('1');
  });

  it('a streaming request that errors gets the HTTP error, not a stream', async () => {
    fake.enqueue({ kind: 'error', status: 401 });

    const err = await failure(client.messages.stream(PARAMS).finalMessage());

    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(err).toMatchObject({ status: 401, type: 'authentication_error' });
    expect(fake.requests[0]?.stream).toBe(true);
  });

  it('malformed JSON makes messages.create throw', async () => {
    fake.enqueue({ kind: 'malformed' });

    const err = await failure(client.messages.create(PARAMS));

    // The SDK does not wrap this: the caller gets the SyntaxError from Response.json(), which comes
    // from another realm than jest's, hence no toBeInstanceOf(SyntaxError).
    expect(err).not.toBeInstanceOf(Anthropic.AnthropicError);
    expect(err).toMatchObject({ name: 'SyntaxError', message: expect.stringMatching(/JSON/) });
  });

  it('a stream cut off mid-message makes finalMessage reject', async () => {
    fake.enqueue({ kind: 'malformed' });

    const err = await failure(client.messages.stream(PARAMS).finalMessage());

    expect(err).toBeInstanceOf(Anthropic.AnthropicError);
    expect(String(err)).toMatch(/terminated/);
  });

  it('an SSE error event mid-stream rejects with the overloaded error', async () => {
    fake.enqueue({ kind: 'stream-error' });

    const err = await failure(client.messages.stream(PARAMS).finalMessage());

    expect(err).toBeInstanceOf(Anthropic.APIError);
    // The HTTP status was 200, so the SDK reports no status: callers must look at `type`.
    expect(err).toMatchObject({ status: undefined, type: 'overloaded_error' });
    expect(String(err)).toMatch(/overloaded/i);
  });

  it('stream-error on a non-streaming request is a 529', async () => {
    fake.enqueue({ kind: 'stream-error', message: 'busy' });

    const err = await failure(client.messages.create(PARAMS));

    expect(err).toBeInstanceOf(Anthropic.OverloadedError);
    expect(err).toMatchObject({ status: 529, type: 'overloaded_error', apiMessage: 'busy' });
  });

  it('a hanging answer trips the SDK timeout', async () => {
    fake.enqueue({ kind: 'hang', ms: 30_000 });

    const started = Date.now();
    await expect(client.messages.create(PARAMS, { timeout: 200 })).rejects.toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a short hang ends in a 500', async () => {
    fake.enqueue({ kind: 'hang', ms: 50 });

    await expect(client.messages.create(PARAMS)).rejects.toBeInstanceOf(Anthropic.InternalServerError);
  });
});

describe('requests and script', () => {
  it('captures the request as sent: model, tools, tool_choice, system blocks, auth header', async () => {
    fake.enqueue(toolAnswer('choose_action', INPUT));
    const tools = [
      {
        name: 'choose_action',
        description: 'Pick the next step',
        input_schema: { type: 'object' as const, properties: { action: { type: 'string' } }, required: ['action'] },
      },
    ];
    const system = [
      { type: 'text' as const, text: 'You advise on runbooks.', cache_control: { type: 'ephemeral' as const } },
      { type: 'text' as const, text: 'Never guess.' },
    ];

    await client.messages.create({ ...PARAMS, system, tools, tool_choice: { type: 'tool', name: 'choose_action' } });

    expect(fake.requests).toHaveLength(1);
    const req = fake.requests[0]!;
    expect(req.stream).toBe(false);
    expect(req.body).toMatchObject({
      model: MODEL,
      max_tokens: 256,
      system,
      tools,
      tool_choice: { type: 'tool', name: 'choose_action' },
      messages: PARAMS.messages,
    });
    // SDK 1.14 sends the API key as a bearer token, not as x-api-key.
    expect(req.headers.authorization).toBe('Bearer test-key');
    expect(req.headers['x-api-key']).toBeUndefined();
    expect(req.headers['anthropic-version']).toEqual(expect.any(String));
  });

  it('records requests that error too', async () => {
    fake.enqueue({ kind: 'error', status: 500 });

    await expect(client.messages.create(PARAMS)).rejects.toBeInstanceOf(Anthropic.InternalServerError);

    expect(fake.requests.map((r) => r.body.model)).toEqual([MODEL]);
  });

  it('answers in FIFO order, then falls back', async () => {
    fake.enqueue({ kind: 'text', text: 'one' }, { kind: 'text', text: 'two' });

    expect((await client.messages.create(PARAMS)).content).toEqual([{ type: 'text', text: 'one' }]);
    expect((await client.messages.create(PARAMS)).content).toEqual([{ type: 'text', text: 'two' }]);

    const ranOut = await failure(client.messages.create(PARAMS));
    expect(ranOut).toBeInstanceOf(Anthropic.InternalServerError);
    expect(ranOut).toMatchObject({ type: 'api_error', apiMessage: expect.stringMatching(/script ran out/) });

    fake.fallback = (req) => ({ kind: 'text', text: `fallback for ${req.body.messages.length} message(s)` });
    expect((await client.messages.create(PARAMS)).content).toEqual([{ type: 'text', text: 'fallback for 1 message(s)' }]);
    expect(fake.requests).toHaveLength(4);
  });

  it('a delayed answer does not hold up other requests', async () => {
    fake.enqueue({ kind: 'text', text: 'slow', delayMs: 500 }, { kind: 'text', text: 'fast' });
    const finished: string[] = [];
    const answer = (p: Promise<Anthropic.Message>) => p.then((m) => finished.push(m.content[0]?.type === 'text' ? m.content[0].text : '?'));

    const slow = answer(client.messages.create(PARAMS));
    // The slow request must take the first scripted answer, so wait until the fake has it.
    await eventually(() => fake.requests.length >= 1, 'the request to arrive', 20_000, 5);
    const fast = answer(client.messages.create(PARAMS));
    await Promise.all([slow, fast]);

    expect(finished).toEqual(['fast', 'slow']);
  });

  it('answers other paths with a 404 without consuming the script', async () => {
    fake.enqueue({ kind: 'text', text: 'kept' });

    await expect(client.messages.countTokens(PARAMS)).rejects.toBeInstanceOf(Anthropic.NotFoundError);

    expect(fake.requests).toHaveLength(0);
    expect((await client.messages.create(PARAMS)).content).toEqual([{ type: 'text', text: 'kept' }]);
  });

  it('close() does not wait for a hanging request', async () => {
    fake.enqueue({ kind: 'hang', ms: 60_000 });
    const pending = failure(client.messages.create(PARAMS));
    await eventually(() => fake.requests.length >= 1, 'the request to arrive', 20_000, 5);

    const started = Date.now();
    await fake.close();

    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await pending).toBeInstanceOf(Anthropic.APIConnectionError);
  });
});
