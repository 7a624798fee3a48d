// Answers from Slack: POST /slack/interactions receives Slack's button clicks on the requests the
// worker posted (activities/notify/). Each request is checked as Slack specifies (HMAC-SHA256
// of `v0:<timestamp>:<body>` with the app's signing secret, compared in constant time; the
// timestamp within 5 minutes; a request seen before refused), the Slack user is mapped to a
// person of the people file, and the answer goes to the run through the same update as the CLI,
// marked `slackUser` so the run records it `via: slack`. The run applies its own policy (who
// may answer, still waiting, signatures); its answer or refusal is told to the clicker in an
// ephemeral message and returned in the HTTP body.
import { createHash } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { approveUpdate, decideUpdate, rejectUpdate, statusQuery } from '../contract/messages';
import { signAnswer } from '../cli/signing';
import { loadPeopleFile } from '../activities/humans/people-file';
import { request } from '../activities/http-client';
import { isRecord } from '../dsl/values';
import { findSigningKey, hexSha256 } from './auth/crypto';
import { RecentIds } from './recent-ids';

const MAX_SKEW_S = 5 * 60;

export interface SlackDeps {
  client: Client;
  /** SLACK_SIGNING_SECRETS: the app's signing secret (several while rotating). */
  signingSecrets: readonly string[];
  peopleFile: string;
  /** SLACK_BRIDGE_KEY: the receiver's SSH key, which signs clicks on signed steps the people file trusts Slack for (slackBridge). */
  bridgeKey?: string;
  seen: RecentIds;
  log: (entry: Record<string, unknown>) => void;
  now?: () => number;
}

export interface SlackAnswer {
  status: number;
  body: { ok: boolean; text: string };
}

interface Click {
  user: string;
  action: string;
  value: { w: string; s: string; r: string; p?: string; c?: string };
  responseUrl?: string;
}

export async function slackInteraction(deps: SlackDeps, rawBody: Buffer, headers: Record<string, string | undefined>): Promise<SlackAnswer> {
  const refuse = (status: number, text: string, facts: Record<string, unknown> = {}): SlackAnswer => {
    deps.log({ msg: 'slack interaction refused', reason: text, ...facts });
    return { status, body: { ok: false, text } };
  };
  const timestamp = Number(headers['x-slack-request-timestamp']);
  const now = Math.floor((deps.now ?? Date.now)() / 1000);
  if (!Number.isInteger(timestamp) || Math.abs(now - timestamp) > MAX_SKEW_S)
    return refuse(401, 'stale or missing X-Slack-Request-Timestamp (more than 5 minutes off)');
  const signature = /^v0=([0-9a-f]{64})$/.exec(headers['x-slack-signature'] ?? '')?.[1];
  const given = signature ? hexSha256(signature) : undefined;
  if (!given || findSigningKey(deps.signingSecrets, [`v0:${timestamp}:`, rawBody], [given]) < 0) return refuse(401, 'bad X-Slack-Signature');
  // A signed request is unique: the same bytes again are a replay, refused whoever sends them.
  const id = createHash('sha256').update(signature!).digest('hex');
  if (deps.seen.seen(id)) return refuse(409, 'this request was already handled (replayed)');
  deps.seen.remember(id);
  const click = readClick(rawBody);
  if (typeof click === 'string') return refuse(400, click);
  const people = await loadPeopleFile(deps.peopleFile);
  const person = Object.entries(people.people).find(([, p]) => p.slack === click.user)?.[0];
  if (!person) {
    const text = `Slack user ${click.user} is not in the people file: ask the engine's operator to add \`slack: ${click.user}\` under your name (docs/approvals.md)`;
    await tell(click, text);
    return refuse(403, text, { slackUser: click.user });
  }
  const text = await answerRun(deps, click, person, id);
  await tell(click, text.text);
  deps.log({ msg: 'slack interaction', slackUser: click.user, person, run: click.value.w, step: click.value.s, outcome: text.ok ? 'accepted' : 'refused' });
  return { status: 200, body: text };
}

function readClick(rawBody: Buffer): Click | string {
  const payload = new URLSearchParams(rawBody.toString('utf8')).get('payload');
  if (payload === null) return 'no `payload` form field';
  let p: unknown;
  try {
    p = JSON.parse(payload);
  } catch {
    return '`payload` is not JSON';
  }
  if (!isRecord(p) || p.type !== 'block_actions' || !isRecord(p.user) || typeof p.user.id !== 'string' || !Array.isArray(p.actions) || !isRecord(p.actions[0]))
    return 'not a block_actions interaction';
  const action = p.actions[0];
  const name = typeof action.action_id === 'string' ? action.action_id.replace(/\.[0-9]+$/, '') : '';
  if (!['runbook.approve', 'runbook.reject', 'runbook.choice'].includes(name)) return 'not a runbook button';
  let value: unknown;
  try {
    value = JSON.parse(typeof action.value === 'string' ? action.value : '');
  } catch {
    return 'the button value is not JSON';
  }
  const text = (v: unknown, max: number) => typeof v === 'string' && v.length > 0 && v.length <= max;
  if (
    !isRecord(value) ||
    !text(value.w, 1_000) ||
    !text(value.s, 64) ||
    !text(value.r, 40) ||
    (value.p !== undefined && !text(value.p, 64)) ||
    (value.c !== undefined && !text(value.c, 64))
  )
    return 'the button value is not a runbook request';
  return {
    user: p.user.id,
    action: name,
    value: value as Click['value'],
    // Slack signed the request, response_url included (the worker's egress policy still applies).
    ...(typeof p.response_url === 'string' && /^https?:\/\//.test(p.response_url) && { responseUrl: p.response_url }),
  };
}

/** Sends the click to the run as an update; the run's own words back, accepted or refused. */
async function answerRun(deps: SlackDeps, click: Click, by: string, id: string): Promise<SlackAnswer['body']> {
  const handle = deps.client.workflow.getHandle(click.value.w);
  // The update id makes a click that reaches two receivers count once.
  const updateId = `slack-${id.slice(0, 32)}`;
  const action = click.action === 'runbook.approve' ? 'approve' : click.action === 'runbook.reject' ? 'reject' : 'decide';
  const note = action === 'approve' ? 'approved in Slack' : action === 'reject' ? `rejected in Slack by ${by}` : 'decided in Slack';
  try {
    const base = { step: click.value.s, by, slackUser: click.user, ...(await bridgeSignature(deps, click, { action, by, note })) };
    const reply =
      action === 'approve'
        ? await handle.executeUpdate(approveUpdate, { args: [{ ...base, planHash: click.value.p ?? '', comment: note }], updateId })
        : action === 'reject'
          ? await handle.executeUpdate(rejectUpdate, { args: [{ ...base, reason: note }], updateId })
          : await handle.executeUpdate(decideUpdate, { args: [{ ...base, choice: click.value.c ?? '', comment: note }], updateId });
    return { ok: true, text: reply.message };
  } catch (err) {
    const e = err as { cause?: { message?: string }; message?: string };
    const why = e.cause?.message ?? e.message ?? String(err);
    // A closed run cannot record the click; say so in words rather than in Temporal's.
    if (err instanceof WorkflowNotFoundError || /workflow execution already completed/i.test(why))
      return { ok: false, text: 'refused: the run has ended, so nothing waits for this answer' };
    return { ok: false, text: `refused: ${why}` };
  }
}

/**
 * On a step that takes signed answers, the bridge signs for the clicker (the run accepts it only
 * where the people file trusts Slack for that step, and only for the clicker's own name).
 */
async function bridgeSignature(deps: SlackDeps, click: Click, answer: { action: 'approve' | 'reject' | 'decide'; by: string; note: string }) {
  if (!deps.bridgeKey) return {};
  const status = await deps.client.workflow.getHandle(click.value.w).query(statusQuery);
  const pending = status.pending.find((p) => p.step === click.value.s);
  if (!pending?.signed || pending.requestedAt !== click.value.r) return {};
  return signAnswer(
    click.value.w,
    status,
    { step: click.value.s, ...answer, ...(click.value.c !== undefined && { choice: click.value.c }) },
    { key: deps.bridgeKey, expiresInMs: 5 * 60_000 },
  );
}

/** An ephemeral reply to the clicker, through the response_url Slack gave (best effort). */
async function tell(click: Click, text: string): Promise<void> {
  if (!click.responseUrl) return;
  try {
    await request({
      url: click.responseUrl,
      method: 'POST',
      json: { response_type: 'ephemeral', replace_original: false, text },
      timeoutMs: 5_000,
      maxBytes: 4_096,
      signal: AbortSignal.timeout(5_000),
    });
  } catch {
    // The HTTP answer carries the same text; Slack may have expired the response_url.
  }
}
