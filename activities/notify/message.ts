// What a request for people says, as plain text and as Slack Block Kit: the run, why it waits,
// the alert, the evidence and the model's reasoning, the exact plan, the deadline and what
// happens then, the link to the run and the command that answers it. Long parts are cut to
// Slack's limits (3,000 characters a text block).
import type { RequestNotice } from '../../contract/notify';
import { answerCommands } from '../../contract/answer-template';

const BLOCK_TEXT = 2_900;

export interface Message {
  title: string;
  lines: string[];
  plan?: string;
  link: string;
  commands: string[];
  /** Buttons that answer (Slack): none on a signed step, which a click cannot prove. */
  buttons: SlackButton[];
}

export interface SlackButton {
  text: string;
  style?: 'primary' | 'danger';
  /** `runbook.approve`, `runbook.reject` or `runbook.choice`. */
  action: string;
  /** What the receiver needs to answer, as JSON: the run, the step, the wait, and the plan or choice. */
  value: ButtonValue;
}

/** A button's value (triggers/slack/interactions.ts reads it back). */
export interface ButtonValue {
  w: string;
  s: string;
  r: string;
  p?: string;
  c?: string;
}

/** `slackTrusted`: the people file trusts Slack clicks as signatures for this step (slackBridge). */
export function requestMessage(notice: RequestNotice, link: string, mentions: string[], slackTrusted = false): Message {
  const p = notice.pending;
  const lead = notice.kind === 'reminder' ? 'Reminder: ' : notice.kind === 'escalation' ? 'Escalated: ' : '';
  const what = p.kind === 'approval' ? `approval of \`${p.guards}\`` : p.decision === 'decide' ? 'a decision' : 'values to fill';
  const title = `${lead}${notice.runbook.name} waits for ${what} (step \`${p.step}\`)`;
  const lines: string[] = [];
  if (mentions.length) lines.push(`For ${mentions.join(' ')}`);
  lines.push(`Run \`${notice.workflowId}\`, started by ${notice.startedBy}${notice.runbook.description ? `: ${notice.runbook.description}` : ''}`);
  if (notice.stepDescription) lines.push(`Step: ${notice.stepDescription}`);
  if (notice.alert) {
    const a = notice.alert;
    const summary = a.annotations.summary ?? a.annotations.description;
    lines.push(`Alert (${a.status}): ${a.labels.alertname ?? ''}${summary ? ` — ${summary}` : ''}`);
  }
  if (p.kind === 'approval') {
    lines.push(
      `${p.approvals.length} of ${p.minApprovals} approvals; who may approve: ${p.eligible.join(', ')}${p.allowRequester ? '' : ' (not the requester)'}${p.signed ? '; signed answers only' : ''}`,
    );
  } else {
    lines.push(`Why a person decides: ${p.why}`, `Question: ${p.prompt}`);
    if (p.choices) lines.push(`Choices: ${p.choices.map((c) => `${c.name} (${c.when})`).join('; ')}`);
    if (notice.evidence?.length) lines.push(`Evidence: ${notice.evidence.map((e) => `${e.step} ${e.status}`).join(', ')}`);
    if (p.suggestion)
      lines.push(
        `Claude suggests ${p.suggestion.choice ?? JSON.stringify(p.suggestion.values)} with confidence ${p.suggestion.confidence}: ${p.suggestion.reasoning}`,
      );
    lines.push(`Who may decide: ${p.eligible.length ? p.eligible.join(', ') : 'anyone'}${p.signed ? '; signed answers only' : ''}`);
  }
  lines.push(`Deadline ${p.deadline}${p.onTimeout ? `; then ${p.onTimeout}` : ''}`);
  const plan = p.kind === 'approval' ? cut(`plan ${p.planHash}\n${JSON.stringify(p.plan, null, 2)}`) : undefined;
  return {
    title,
    lines: lines.map(cut),
    ...(plan && { plan }),
    link,
    commands: answerCommands(notice.workflowId, p),
    buttons: buttonsFor(notice, slackTrusted),
  };
}

function buttonsFor(notice: RequestNotice, slackTrusted: boolean): SlackButton[] {
  const p = notice.pending;
  if (p.signed && !slackTrusted) return [];
  const value = { w: notice.workflowId, s: p.step, r: p.requestedAt };
  if (p.kind === 'approval')
    return [
      { text: 'Approve', style: 'primary', action: 'runbook.approve', value: { ...value, p: p.planHash } },
      { text: 'Reject', style: 'danger', action: 'runbook.reject', value },
    ];
  // Slack shows at most a handful of buttons well; more choices are answered from the CLI.
  return (p.choices ?? []).slice(0, 5).map((c) => ({ text: c.name, action: 'runbook.choice', value: { ...value, c: c.name } }));
}

export function plainText(m: Message): string {
  return [m.title, ...m.lines, ...(m.plan ? [m.plan] : []), `Open: ${m.link}`, ...m.commands.map((c) => `$ ${c}`)].join('\n');
}

/** Block Kit blocks (https://api.slack.com/block-kit). */
export function slackBlocks(m: Message): unknown[] {
  const text = (t: string) => ({ type: 'mrkdwn', text: cut(t) });
  return [
    { type: 'header', text: { type: 'plain_text', text: m.title.replace(/`/g, '').slice(0, 150) } },
    { type: 'section', text: text(m.lines.join('\n')) },
    ...(m.plan ? [{ type: 'section', text: text(`\`\`\`${m.plan}\`\`\``) }] : []),
    { type: 'section', text: text(`<${m.link}|Open the run in the Temporal Web UI>\n\`\`\`${m.commands.join('\n')}\`\`\``) },
    ...(m.buttons.length
      ? [
          {
            type: 'actions',
            block_id: 'runbook.answer',
            elements: m.buttons.map((b, i) => ({
              type: 'button',
              action_id: `${b.action}.${i}`,
              text: { type: 'plain_text', text: b.text.slice(0, 75) },
              value: JSON.stringify(b.value),
              ...(b.style && { style: b.style }),
            })),
          },
        ]
      : []),
  ];
}

/** The settled message: what happened, in place of the request. */
export function settledBlocks(title: string, outcome: string): unknown[] {
  return [
    { type: 'header', text: { type: 'plain_text', text: title.replace(/`/g, '').slice(0, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: cut(outcome) } },
  ];
}

function cut(text: string): string {
  return text.length > BLOCK_TEXT ? `${text.slice(0, BLOCK_TEXT)}… (cut)` : text;
}
