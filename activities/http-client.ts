// The one way actions make HTTP requests (http, prometheus.query, notify.*; custom actions
// should use it too): every destination is checked against the worker's egress policy after
// DNS resolution, every request has a timeout, the body is read as a stream and cut at a byte
// cap (the connection is dropped there, so a huge answer costs no memory), and cancellation
// aborts it.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { Agent, fetch, type Response } from 'undici';
import { timerMs } from '../dsl/durations';
import { addressRefusal, egressPolicyFromEnv, hostRefusal, type EgressPolicy } from './egress';
import { truncateText, truncationMarker } from './truncate';

/** Response headers worth keeping in history; the rest is noise (and cookies are sensitive). */
const KEPT_HEADERS = ['content-type', 'content-length', 'location', 'retry-after', 'etag', 'date'];
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_BYTES = 1_048_576;

export interface HttpRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  json?: unknown;
  body?: string;
  /** Default 30 s. */
  timeoutMs?: number;
  /** Bytes of the body read at most; the rest is never read. Default 1 MiB. */
  maxBytes?: number;
  signal: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** The body, or its first `maxBytes` followed by a marker when it was longer. */
  text: string;
  truncated: boolean;
}

class EgressRefused extends Error {
  readonly code = 'EGRESS_REFUSED';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A DNS lookup that fails when any address of the name is refused by the policy. */
function guardedLookup(policy: EgressPolicy) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      for (const { address } of addresses) {
        const refusal = addressRefusal(policy, hostname, address);
        if (refusal) return callback(new EgressRefused(refusal), []);
      }
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

let current: { key: string; policy: EgressPolicy; agent: Agent } | undefined;

/** The policy and connection pool for the worker's environment (rebuilt if the variables change). */
function egress(): { policy: EgressPolicy; agent: Agent } {
  const key = `${process.env.RUNBOOK_EGRESS_DENY ?? ''}|${process.env.RUNBOOK_EGRESS_ALLOW ?? ''}`;
  if (current?.key !== key) {
    const policy = egressPolicyFromEnv();
    void current?.agent.close();
    current = { key, policy, agent: new Agent({ connect: { lookup: guardedLookup(policy) } }) };
  }
  return current;
}

export async function request(req: HttpRequest): Promise<HttpResponse> {
  const method = req.method ?? 'GET';
  const what = `${method} ${req.url}`;
  const { policy, agent } = egress();
  const host = new URL(req.url).hostname.replace(/^\[|\]$/g, '');
  // A literal address is never looked up, so it is checked here.
  const refusal = hostRefusal(policy, host) ?? (isIP(host) ? addressRefusal(policy, host, host) : undefined);
  if (refusal) throw refused(what, refusal);
  const signal = AbortSignal.any([req.signal, AbortSignal.timeout(timerMs(req.timeoutMs ?? DEFAULT_TIMEOUT_MS))]);
  const headers: Record<string, string> = { ...(req.json !== undefined && { 'content-type': 'application/json' }), ...req.headers };
  let response: Response;
  try {
    response = await fetch(req.url, {
      method,
      headers,
      body: req.json !== undefined ? JSON.stringify(req.json) : req.body,
      signal,
      redirect: 'manual',
      dispatcher: agent,
    });
  } catch (err) {
    throw requestFailure(err, what, req.signal);
  }
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) kept[name] = value;
  }
  let body: { text: string; truncated: boolean };
  try {
    body = await readCapped(response, req.maxBytes ?? DEFAULT_MAX_BYTES);
  } catch (err) {
    throw requestFailure(err, what, req.signal);
  }
  return { status: response.status, headers: kept, ...body };
}

function requestFailure(err: unknown, what: string, signal: AbortSignal): Error {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause instanceof EgressRefused) return refused(what, cause.message);
  if (signal.aborted) return new CancelledFailure(`${what} was cancelled`);
  return ApplicationFailure.create({ type: 'RequestFailed', message: `${what} failed: ${cause?.code ?? cause?.message ?? (err as Error).message}` });
}

function refused(what: string, reason: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'EgressRefused', message: `${what} refused by the worker's egress policy: ${reason}`, nonRetryable: true });
}

/** Reads at most `maxBytes` of the body; past that the stream is cancelled, which drops the connection. */
async function readCapped(response: Response, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: '', truncated: false };
  const reader = response.body.getReader();
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
    chunks.push(Buffer.from(value));
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      const head = Buffer.concat(chunks)
        .subarray(0, maxBytes)
        .toString('utf8')
        .replace(/\uFFFD$/, '');
      return { text: head + truncationMarker(`more than ${maxBytes} bytes; the rest was not read`), truncated: true };
    }
  }
}

/** Fails the step with a retryable error for 5xx/408/429 and a final one for other unexpected statuses. */
export function failForStatus(method: string, url: string, response: HttpResponse): never {
  const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
  throw ApplicationFailure.create({
    type: 'UnexpectedStatus',
    message: `${method} ${url} answered ${response.status}: ${truncateText(response.text.trim(), 300).text}`,
    nonRetryable: !retryable,
  });
}
