// A local stand-in for the Anthropic Messages API (`POST /v1/messages`), so tests can run the real
// `@anthropic-ai/sdk` end to end without network access. Each request consumes one scripted answer;
// the wire format (JSON bodies, SSE events, error bodies and headers) follows the real API closely
// enough that the SDK's own parsing, error mapping and timeouts are exercised.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

type ErrorStatus = 400 | 401 | 403 | 404 | 413 | 429 | 500 | 529;

export type Scripted =
  | { kind: 'tool'; name: string; input: unknown; usage?: Partial<Usage>; delayMs?: number; stopReason?: string; model?: string }
  | { kind: 'text'; text: string; usage?: Partial<Usage>; delayMs?: number }
  /** Several tool calls in one message (parallel tool use), after an optional text block. */
  | { kind: 'tools'; calls: Array<{ name: string; input: unknown }>; text?: string; usage?: Partial<Usage>; delayMs?: number }
  | { kind: 'error'; status: ErrorStatus; type?: string; message?: string; retryAfterSeconds?: number }
  /** 200 with a body that is not JSON; when streaming, the connection drops in the middle of an event. */
  | { kind: 'malformed' }
  /** Streaming: starts the message, then sends an SSE `error` event. Non-streaming: an HTTP 529. */
  | { kind: 'stream-error'; type?: string; message?: string }
  /** Waits `ms`, then answers 500; for exercising client timeouts. */
  | { kind: 'hang'; ms: number };

export interface CapturedRequest {
  headers: Record<string, string | string[] | undefined>;
  // The request body as the SDK sent it; `any` so tests can reach into it without casts.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test's view of a JSON body
  body: any;
  stream: boolean;
  at: number;
}

export interface FakeAnthropic {
  /** Use as the SDK's `baseURL`. */
  url: string;
  requests: CapturedRequest[];
  /** FIFO; each request to /v1/messages consumes one. */
  enqueue(...responses: Scripted[]): void;
  /** Forgets what was scripted and what was asked. */
  reset(): void;
  /** When the queue is empty this decides (default: a 500 api_error saying the script ran out). */
  fallback: (req: CapturedRequest) => Scripted;
  close(): Promise<void>;
}

export function toolAnswer(name: string, input: unknown, usage?: Partial<Usage>): Scripted {
  return { kind: 'tool', name, input, usage };
}

const ERROR_DEFAULTS: Record<ErrorStatus, { type: string; message: string }> = {
  400: { type: 'invalid_request_error', message: 'Invalid request' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  403: { type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' },
  404: { type: 'not_found_error', message: 'The requested resource could not be found.' },
  413: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' },
  500: { type: 'api_error', message: 'Internal server error' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

const DEFAULT_USAGE: Usage = { input_tokens: 100, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

const newId = (prefix: string): string => `${prefix}_01${randomBytes(12).toString('hex')}`;

export async function startFakeAnthropic(): Promise<FakeAnthropic> {
  const queue: Scripted[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });

  const fake: FakeAnthropic = {
    url: '',
    requests: [],
    enqueue: (...responses) => void queue.push(...responses),
    reset: () => {
      queue.length = 0;
      fake.requests.length = 0;
    },
    fallback: () => ({ kind: 'error', status: 500, message: `fake-anthropic: the script ran out (request #${fake.requests.length})` }),
    close: () => {
      // Keep-alive and deliberately hung connections would otherwise keep server.close() waiting.
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    // `?beta=true` is how the SDK's beta namespace addresses the same endpoint.
    if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://fake').pathname !== '/v1/messages') {
      return sendError(res, { kind: 'error', status: 404, message: `fake-anthropic only serves POST /v1/messages, not ${req.method} ${req.url}` });
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return sendError(res, { kind: 'error', status: 400, message: 'request body is not valid JSON' });
    }
    const captured: CapturedRequest = { headers: { ...req.headers }, body, stream: isStreaming(body), at: Date.now() };
    fake.requests.push(captured);
    const scripted = queue.shift() ?? fake.fallback(captured);
    const model = typeof captured.body?.model === 'string' ? captured.body.model : 'claude-fake';

    switch (scripted.kind) {
      case 'tool':
      case 'text':
      case 'tools':
        if (!(await pause(scripted.delayMs ?? 0, res))) return;
        return captured.stream ? streamMessage(res, scripted, model) : sendMessage(res, scripted, model);
      case 'error':
        return sendError(res, scripted);
      case 'malformed':
        return captured.stream ? streamBrokenOff(res, model) : sendBrokenJson(res);
      case 'stream-error':
        return captured.stream
          ? streamErrorEvent(res, scripted, model)
          : sendError(res, { kind: 'error', status: 529, type: scripted.type, message: scripted.message });
      case 'hang':
        if (!(await pause(scripted.ms, res))) return;
        return sendError(res, { kind: 'error', status: 500, message: `fake-anthropic: answered after hanging ${scripted.ms}ms` });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('fake-anthropic: server has no port');
  fake.url = `http://127.0.0.1:${address.port}`;
  return fake;
}

function isStreaming(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { stream?: unknown }).stream === true;
}

/** Resolves true after `ms`, or false as soon as the client goes away (timeout, abort, close()). */
function pause(ms: number, res: ServerResponse): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(true);
    }, ms);
    res.once('close', onClose);
  });
}

type Answer = Extract<Scripted, { kind: 'tool' | 'text' | 'tools' }>;
type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown };

function stopReason(answer: Answer): string {
  if (answer.kind === 'tool') return answer.stopReason ?? 'tool_use';
  return answer.kind === 'tools' ? 'tool_use' : 'end_turn';
}

/** The message's content blocks, as the API would send them. */
function blocksOf(answer: Answer): Block[] {
  switch (answer.kind) {
    case 'tool':
      return [{ type: 'tool_use', id: newId('toolu'), name: answer.name, input: answer.input }];
    case 'text':
      return [{ type: 'text', text: answer.text }];
    case 'tools':
      return [
        ...(answer.text !== undefined ? [{ type: 'text' as const, text: answer.text }] : []),
        ...answer.calls.map((c) => ({ type: 'tool_use' as const, id: newId('toolu'), name: c.name, input: c.input })),
      ];
  }
}

function answerModel(answer: Answer, requestModel: string): string {
  return answer.kind === 'tool' && answer.model ? answer.model : requestModel;
}

/** The message as `message_start` announces it: no content or stop reason yet. */
function emptyMessage(model: string, usage: Usage): Record<string, unknown> {
  return { id: newId('msg'), type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage };
}

function sendMessage(res: ServerResponse, answer: Answer, model: string): void {
  const message = {
    ...emptyMessage(answerModel(answer, model), { ...DEFAULT_USAGE, ...answer.usage }),
    content: blocksOf(answer),
    stop_reason: stopReason(answer),
  };
  sendJson(res, 200, JSON.stringify(message));
}

function streamMessage(res: ServerResponse, answer: Answer, model: string): void {
  const usage = { ...DEFAULT_USAGE, ...answer.usage };
  openStream(res, answerModel(answer, model), usage);
  for (const [index, block] of blocksOf(answer).entries()) {
    if (block.type === 'tool_use') {
      writeEvent(res, 'content_block_start', { index, content_block: { ...block, input: {} } });
      for (const partial_json of split(JSON.stringify(block.input))) {
        writeEvent(res, 'content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } });
      }
    } else {
      writeEvent(res, 'content_block_start', { index, content_block: { type: 'text', text: '' } });
      for (const text of split(block.text)) {
        writeEvent(res, 'content_block_delta', { index, delta: { type: 'text_delta', text } });
      }
    }
    writeEvent(res, 'content_block_stop', { index });
  }
  writeEvent(res, 'message_delta', {
    delta: { stop_reason: stopReason(answer), stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  writeEvent(res, 'message_stop', {});
  res.end();
}

function streamErrorEvent(res: ServerResponse, scripted: Extract<Scripted, { kind: 'stream-error' }>, model: string): void {
  openStream(res, model, DEFAULT_USAGE);
  writeEvent(res, 'error', { error: { type: scripted.type ?? 'overloaded_error', message: scripted.message ?? 'Overloaded' } });
  res.end();
}

/** A stream whose connection dies partway through an event, as when a proxy or the network cuts it. */
function streamBrokenOff(res: ServerResponse, model: string): void {
  openStream(res, model, DEFAULT_USAGE);
  // Destroying (not ending) the socket omits the chunked terminator, so the client sees a truncated body;
  // waiting for the write to flush makes sure the client got the start of the stream first.
  res.write('event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_bl', () => res.socket?.destroy());
}

function sendBrokenJson(res: ServerResponse): void {
  sendJson(res, 200, '{"id":"msg_broken","type":"message","content":[{"type":"te');
}

function sendError(res: ServerResponse, scripted: Extract<Scripted, { kind: 'error' }>): void {
  const defaults = ERROR_DEFAULTS[scripted.status];
  const requestId = newId('req');
  const body = {
    type: 'error',
    error: { type: scripted.type ?? defaults.type, message: scripted.message ?? defaults.message },
    request_id: requestId,
  };
  const headers: Record<string, string> = { 'request-id': requestId };
  if (scripted.retryAfterSeconds !== undefined) headers['retry-after'] = String(scripted.retryAfterSeconds);
  sendJson(res, scripted.status, JSON.stringify(body), headers);
}

function sendJson(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': newId('req'), ...headers });
  res.end(text);
}

/** Headers, `message_start` and a `ping`: how every real stream begins. */
function openStream(res: ServerResponse, model: string, usage: Usage): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': newId('req') });
  // Like the real API, message_start carries the input side of usage; the final output_tokens come in message_delta.
  writeEvent(res, 'message_start', { message: emptyMessage(model, { ...usage, output_tokens: 1 }) });
  writeEvent(res, 'ping', {});
}

function writeEvent(res: ServerResponse, type: string, data: Record<string, unknown>): void {
  res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
}

/** Splits a string into up to four pieces, so clients have to reassemble deltas like they do for real. */
function split(text: string): string[] {
  const size = Math.max(1, Math.ceil(text.length / 4));
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces.length > 0 ? pieces : [''];
}
