// The "Current details" pane of the run's page in the Temporal Web UI (Markdown): how the run
// stands, what runs, and for each request waiting for a person what it waits for, the plan,
// the deadline and what happens then, and the exact signal and JSON that answer it.
import { answerCommands, answerTemplate } from '../contract/answer-template';
import type { Pending, RemediationStatus } from '../contract/run';

const PLAN_CHARS = 3_000;

export interface DetailsView {
  workflowId: string;
  status: RemediationStatus;
  running: Array<{ id: string; description?: string }>;
  pending: Pending[];
}

/** The first line of the pane, in words: what the run is doing, and which step it waits on. */
function headline(view: DetailsView): string {
  const steps = (kind: Pending['kind']) =>
    view.pending
      .filter((p) => p.kind === kind)
      .map((p) => `\`${p.step}\``)
      .join(', ');
  const running = view.running.map((s) => `\`${s.id}\``).join(', ');
  const phrase: Record<RemediationStatus, string> = {
    running: running ? `Running ${running}` : 'Running',
    'awaiting-approval': `Waiting for a person to approve ${steps('approval') || 'a step'}`,
    'awaiting-decision': `Waiting for a person to answer ${steps('decision') || 'a step'}`,
    queued: `Queued: ${running || 'a write step'} waits for a fleet guard (\`runbook guards\`)`,
    paused: `Paused: ${running || 'a write step'} waits because the fleet is paused (\`runbook guards\`, \`runbook resume\`)`,
    compensating: 'Undoing completed steps (compensating)',
    succeeded: 'Succeeded',
    failed: 'Failed',
    cancelled: 'Cancelled',
  };
  return `**${phrase[view.status]}** (RemediationStatus \`${view.status}\`)`;
}

export function currentDetails(view: DetailsView): string {
  // A step that waits for a person is told below, not listed as running.
  const working = { ...view, running: view.running.filter((s) => !view.pending.some((p) => p.step === s.id)) };
  const lines = [headline(working)];
  if (working.running.length) lines.push('', 'Running:', '', ...working.running.map((s) => `- \`${s.id}\`${s.description ? `: ${s.description}` : ''}`));
  for (const p of view.pending) lines.push('', ...waiting(view.workflowId, p));
  return lines.join('\n');
}

function waiting(workflowId: string, p: Pending): string[] {
  const lines: string[] = [];
  const until = `until ${p.deadline}${p.onTimeout ? `, then ${p.onTimeout}` : ''}`;
  if (p.kind === 'approval') {
    const votes = p.approvals.length ? ` (${p.approvals.map((a) => a.by).join(', ')})` : '';
    lines.push(
      `**Waiting for approval**: step \`${p.step}\` guards \`${p.guards}\`. ${p.approvals.length} of ${p.minApprovals} approvals${votes}; ` +
        `approvers ${p.approvers.join(', ')} (${p.eligible.join(', ')})${p.allowRequester ? '' : ', not the requester'}; ${until}.`,
      '',
      `Plan \`${p.planHash}\`:`,
      '```json',
      clip(JSON.stringify(p.plan, null, 2)),
      '```',
    );
  } else {
    lines.push(
      `**Waiting for a ${p.decision === 'decide' ? 'decision' : 'person to fill values'}**: step \`${p.step}\`, because ${p.why}; ` +
        `${p.eligible.length ? `deciders ${p.eligible.join(', ')}` : 'anyone may decide'}; ${until}.`,
      '',
      `Question: ${p.prompt}`,
    );
    if (p.choices) lines.push(...p.choices.map((c) => `- \`${c.name}\`: ${c.when}`));
    if (p.schema) lines.push('', 'Values that satisfy:', '```json', clip(JSON.stringify(p.schema, null, 2)), '```');
    if (p.suggestion)
      lines.push(
        '',
        `Claude suggested \`${p.suggestion.choice ?? JSON.stringify(p.suggestion.values)}\` (confidence ${p.suggestion.confidence}): ${p.suggestion.reasoning}`,
      );
  }
  const template = answerTemplate(p);
  lines.push(
    '',
    `To answer here: **More Actions → Send a Signal**, signal \`${template.name}\`, Data:`,
    '```json',
    JSON.stringify(template.payload, null, 2),
    '```',
  );
  if (p.signed)
    lines.push(`This step takes signed answers only: send the JSON that \`runbook sign ${workflowId} --step ${p.step}\` prints instead (docs/approvals.md).`);
  // One option per line: the pane is narrow.
  lines.push('', 'Or from a terminal:', '```sh', ...answerCommands(workflowId, p).map((c) => c.replace(/ --/g, ' \\\n  --')), '```');
  return lines;
}

function clip(text: string): string {
  return text.length > PLAN_CHARS ? `${text.slice(0, PLAN_CHARS)}\n… (${text.length - PLAN_CHARS} more characters: query \`status\`)` : text;
}
