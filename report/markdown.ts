// The report as Markdown, for a ticket or a postmortem.
import type { RunReport } from './run-report';
import { formatVerdicts } from './verify-signatures';
import {
  answerOf,
  durationOf,
  hypothesisLine,
  investigationLine,
  NO_MODEL_LINE,
  outcomeLine,
  pastTenseOf,
  resultExcerpt,
  stepDuration,
  stepOutcome,
  tokens,
} from './format';

/** Table cells and inline text: no pipes or newlines from data can break the layout. */
const cell = (text: unknown): string =>
  String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
const code = (text: unknown): string => `\`${String(text ?? '').replace(/`/g, "'")}\``;

export function markdownReport(r: RunReport): string {
  const out: string[] = [];
  out.push(`# Remediation report: ${cell(r.runbook.name)}`, '');
  out.push('| | |', '|---|---|');
  out.push(`| Run | ${code(r.workflowId)}${r.runId ? ` (run ${code(r.runId)})` : ''} |`);
  out.push(`| Runbook | ${cell(r.runbook.name)}, content hash ${code(r.runbook.hash)} |`);
  out.push(`| Outcome | **${cell(outcomeLine(r))}** |`);
  out.push(`| Started | ${r.startedAt} by ${cell(r.startedBy)} |`);
  out.push(`| Ended | ${r.endedAt ?? '(still running)'}${r.endedAt ? ` (${durationOf(r.startedAt, r.endedAt)})` : ''} |`);
  if (r.alert) {
    const a = r.alert;
    out.push(
      `| Alert | ${cell(a.name)} from ${cell(a.source)}, ${cell(a.status)}, fingerprint ${code(a.fingerprint)}${a.startsAt ? `, since ${a.startsAt}` : ''} |`,
    );
    out.push(
      `| Alert labels | ${cell(
        Object.entries(a.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(', '),
      )} |`,
    );
    if (a.summary) out.push(`| Alert summary | ${cell(a.summary)} |`);
  }
  if (Object.keys(r.inputs).length) out.push(`| Inputs | ${cell(JSON.stringify(r.inputs))} |`);
  if (r.outputs && Object.keys(r.outputs).length) out.push(`| Outputs | ${cell(JSON.stringify(r.outputs))} |`);
  out.push('', '## Timeline', '', '| step | what | started | duration | outcome |', '|---|---|---|---|---|');
  for (const l of r.timeline) out.push(`| ${code(l.step)} | ${cell(l.what)} | ${l.startedAt} | ${stepDuration(l)} | ${cell(stepOutcome(l))} |`);
  out.push('', '## Decisions', '');
  const decided = r.modelAnswers.length > 0 || r.humans.some((h) => h.action === 'decide');
  if (!decided) out.push('No decide or fill step ran.');
  else if (r.noModel) out.push(NO_MODEL_LINE, '');
  for (const m of r.modelAnswers) {
    out.push(
      `- ${code(m.step)}: Claude (${cell(m.model)}) answered **${cell(answerOf(m))}** with confidence ${m.confidence}${m.outcome === 'invalid' ? ' (outside the declared choices or schema: not acted on)' : ''}; ${m.calls} call(s), ${m.latencyMs} ms, tokens ${tokens(m.tokens)}.`,
    );
    out.push(`  Reasoning: ${cell(m.reasoning)}`);
  }
  for (const h of r.humans.filter((x) => x.action === 'decide')) out.push(humanLine(h));
  if (r.investigations.length) out.push('', '## Investigation', '');
  for (const inv of r.investigations) {
    out.push(`- ${code(inv.step)}: ${investigationLine(inv)}`, '', '  | call | tool | arguments | why | result |', '  |---|---|---|---|---|');
    for (const c of inv.calls)
      out.push(
        `  | ${c.id} | ${code(c.tool)} | ${code(JSON.stringify(c.input))} | ${cell(c.reason)} | ${c.isError ? '**not run or failed:** ' : ''}${cell(resultExcerpt(c.result))} |`,
      );
    for (const c of inv.unread)
      out.push(`  | (last) | ${code(c.tool)} | ${code(JSON.stringify(c.input))} | ${cell(c.reason)} | made after the model's last turn |`);
    if (inv.finding) {
      out.push('', `  Finding: ${cell(inv.finding.summary)}`);
      for (const h of inv.finding.hypotheses) out.push(`  - ${cell(hypothesisLine(h))}`);
      if (inv.finding.recommendation) out.push(`  - Recommends **${cell(inv.finding.recommendation.choice)}**: ${cell(inv.finding.recommendation.reasoning)}`);
    }
    out.push('');
  }
  out.push('', '## Approvals', '');
  const approvals = r.humans.filter((h) => h.action !== 'decide');
  if (approvals.length === 0) out.push('No approval was requested or given.');
  for (const h of approvals) {
    out.push(humanLine(h));
    // What was approved, not only its hash.
    if (h.plan)
      out.push(
        '',
        '  ```json',
        ...JSON.stringify(h.plan, null, 2)
          .split('\n')
          .map((l) => `  ${l}`),
        '  ```',
        '',
      );
  }
  if (r.signatures) {
    out.push('', '## Signatures', '', `Re-checked against ${code(r.signatures.peopleFile)}:`, '');
    for (const line of formatVerdicts(r.signatures.verdicts)) out.push(`- ${cell(line)}`);
  }
  out.push('', '## Compensations', '');
  if (r.compensations.length === 0) out.push('None ran.');
  for (const c of r.compensations) out.push(`- undo ${code(c.step)} with ${cell(c.uses)}: ${cell(c.outcome)}${c.detail ? ` (${cell(c.detail)})` : ''}`);
  out.push('');
  return out.join('\n');
}

function humanLine(h: RunReport['humans'][number]): string {
  const verb = h.outcome === 'refused' ? `**refused** ${h.action}` : pastTenseOf(h.action);
  const plan = h.planHash ? ` plan ${code(h.planHash.slice(0, 12))}` : '';
  const why = h.outcome === 'refused' ? `: ${cell(h.reason)}` : h.detail ? ` (${cell(h.detail)})` : '';
  const identity = h.identity ? `, sent by identity ${code(h.identity)}` : '';
  const comment = h.comment ? `; comment: ${cell(h.comment)}` : '';
  return `- ${h.at} ${code(h.step)}: ${cell(h.by || '(no name)')} ${verb}${plan} via ${h.via}${identity}${why}${comment}`;
}
