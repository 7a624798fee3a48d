// The report as one self-contained HTML file (no scripts, no external assets) with a visual
// timeline. Every value from the run (labels, reasoning, comments) is escaped.
import { formatVerdicts } from './verify-signatures';
import type { RunReport, StepLine } from './run-report';
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

const esc = (text: unknown): string =>
  String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const COLORS: Record<StepLine['outcome'], string> = {
  succeeded: '#2e9e5b',
  failed: '#d64545',
  cancelled: '#8a8a8a',
  'timed out': '#e08a1e',
  running: '#3b7dd8',
  skipped: '#c8c8c8',
};

export function htmlReport(r: RunReport): string {
  const t0 = Date.parse(r.startedAt);
  const t1 = Math.max(t0 + 1, Date.parse(r.endedAt ?? r.timeline.reduce((m, l) => (l.endedAt && l.endedAt > m ? l.endedAt : m), r.startedAt)));
  const pct = (t: number) => (((t - t0) / (t1 - t0)) * 100).toFixed(2);
  const bars = r.timeline
    .map((l) => {
      const from = Date.parse(l.startedAt);
      const to = l.endedAt ? Date.parse(l.endedAt) : t1;
      const width = Math.max(0.5, Number(pct(to)) - Number(pct(from)));
      return `<div class="row"><div class="label"><code>${esc(l.step)}</code> ${esc(l.what)}</div><div class="track"><div class="bar" style="left:${pct(from)}%;width:${width.toFixed(2)}%;background:${COLORS[l.outcome]}" title="${esc(`${l.step}: ${stepOutcome(l)}, ${stepDuration(l)}`)}"></div></div><div class="took">${esc(stepDuration(l))}</div></div>`;
    })
    .join('\n');
  const facts: Array<[string, string]> = [
    ['Run', `<code>${esc(r.workflowId)}</code>${r.runId ? ` (run <code>${esc(r.runId)}</code>)` : ''}`],
    ['Runbook', `${esc(r.runbook.name)}, content hash <code>${esc(r.runbook.hash)}</code>`],
    ['Outcome', `<strong class="${esc(r.outcome.replace(/ /g, '-'))}">${spans(outcomeLine(r))}</strong>`],
    ['Started', `${esc(r.startedAt)} by ${esc(r.startedBy)}`],
    ['Ended', r.endedAt ? `${esc(r.endedAt)} (${esc(durationOf(r.startedAt, r.endedAt))})` : 'still running'],
  ];
  if (r.alert) {
    facts.push([
      'Alert',
      `${esc(r.alert.name)} from ${esc(r.alert.source)}, ${esc(r.alert.status)}, fingerprint <code>${esc(r.alert.fingerprint)}</code>${r.alert.summary ? `: ${esc(r.alert.summary)}` : ''}`,
    ]);
    facts.push([
      'Alert labels',
      Object.entries(r.alert.labels)
        .map(([k, v]) => `<code>${esc(k)}=${esc(v)}</code>`)
        .join(' '),
    ]);
  }
  if (Object.keys(r.inputs).length) facts.push(['Inputs', `<code>${esc(JSON.stringify(r.inputs))}</code>`]);
  if (r.outputs && Object.keys(r.outputs).length) facts.push(['Outputs', `<code>${esc(JSON.stringify(r.outputs))}</code>`]);
  const decisions = [
    ...r.modelAnswers.map(
      (m) =>
        `<li><code>${esc(m.step)}</code>: Claude (${esc(m.model)}) answered <strong>${esc(answerOf(m))}</strong>, confidence ${esc(m.confidence)}${m.outcome === 'invalid' ? ' <em>(outside the declared choices or schema: not acted on)</em>' : ''}; ${esc(m.calls)} call(s), ${esc(m.latencyMs)} ms; tokens ${esc(tokens(m.tokens))}<blockquote>${esc(m.reasoning)}</blockquote></li>`,
    ),
    ...r.humans.filter((h) => h.action === 'decide').map(human),
  ];
  const investigations = r.investigations.map(
    (inv) =>
      `<li><code>${esc(inv.step)}</code>: ${esc(investigationLine(inv))}<table class="calls"><tr><th>call</th><th>tool</th><th>arguments</th><th>why</th><th>result</th></tr>${[
        ...inv.calls.map(
          (c) =>
            `<tr><td>${esc(c.id)}</td><td><code>${esc(c.tool)}</code></td><td><code>${esc(JSON.stringify(c.input))}</code></td><td>${esc(c.reason)}</td><td>${c.isError ? '<strong>not run or failed:</strong> ' : ''}${esc(resultExcerpt(c.result))}</td></tr>`,
        ),
        ...inv.unread.map(
          (c) =>
            `<tr><td>(last)</td><td><code>${esc(c.tool)}</code></td><td><code>${esc(JSON.stringify(c.input))}</code></td><td>${esc(c.reason)}</td><td>made after the model's last turn</td></tr>`,
        ),
      ].join('')}</table>${
        inv.finding
          ? `<p>Finding: ${esc(inv.finding.summary)}</p><ul>${inv.finding.hypotheses.map((h) => `<li>${esc(hypothesisLine(h))}</li>`).join('')}${
              inv.finding.recommendation
                ? `<li>Recommends <strong>${esc(inv.finding.recommendation.choice)}</strong>: ${esc(inv.finding.recommendation.reasoning)}</li>`
                : ''
            }</ul>`
          : ''
      }</li>`,
  );
  const approvals = r.humans.filter((h) => h.action !== 'decide').map((h) => human(h) + (h.plan ? `<pre>${esc(JSON.stringify(h.plan, null, 2))}</pre>` : ''));
  const compensations = r.compensations.map(
    (c) => `<li>undo <code>${esc(c.step)}</code> with ${esc(c.uses)}: ${esc(c.outcome)}${c.detail ? ` (${spans(c.detail)})` : ''}</li>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Remediation report: ${esc(r.runbook.name)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#1d1d1f;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ddd}
table.facts td{padding:.15em 1em .15em 0;vertical-align:top}table.facts td:first-child{color:#666;white-space:nowrap}
code{font:12px ui-monospace,monospace;background:#f3f3f5;padding:0 .25em;border-radius:3px}
.row{display:grid;grid-template-columns:320px 1fr 80px;gap:.6em;align-items:center;margin:.2em 0}
.label{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.track{position:relative;height:14px;background:#f3f3f5;border-radius:3px}
.bar{position:absolute;top:0;height:14px;border-radius:3px}.took{color:#666;font-size:12px}
.succeeded{color:#2e9e5b}.failed,.terminated,.timed-out{color:#d64545}.cancelled{color:#8a8a8a}
table.calls{border-collapse:collapse;margin:.4em 0;font-size:12px}table.calls td,table.calls th{border:1px solid #ddd;padding:.2em .4em;text-align:left;vertical-align:top}
blockquote{margin:.3em 0 .6em 1em;color:#444;border-left:3px solid #ddd;padding-left:.6em}
.legend span{display:inline-block;margin-right:1em}.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:.3em}
</style></head><body>
<h1>Remediation report: ${esc(r.runbook.name)}</h1>
<table class="facts">${facts.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${v}</td></tr>`).join('')}</table>
<h2>Timeline</h2>
<p class="legend">${Object.entries(COLORS)
    .map(([k, c]) => `<span><i style="background:${c}"></i>${esc(k)}</span>`)
    .join('')}</p>
${bars || '<p>No step left a trace.</p>'}
<h2>Decisions</h2>
${r.noModel && decisions.length ? `<p>${esc(NO_MODEL_LINE)}</p>` : ''}
${decisions.length ? `<ul>${decisions.join('\n')}</ul>` : '<p>No decide or fill step ran.</p>'}
${investigations.length ? `<h2>Investigation</h2>\n<ul>${investigations.join('\n')}</ul>` : ''}
<h2>Approvals</h2>
${approvals.length ? `<ul>${approvals.join('\n')}</ul>` : '<p>No approval was requested or given.</p>'}
${
  r.signatures
    ? `<h2>Signatures</h2>\n<p>Re-checked against <code>${esc(r.signatures.peopleFile)}</code>:</p><ul>${formatVerdicts(r.signatures.verdicts)
        .map((l) => `<li>${esc(l)}</li>`)
        .join('\n')}</ul>`
    : ''
}
<h2>Compensations</h2>
${compensations.length ? `<ul>${compensations.join('\n')}</ul>` : '<p>None ran.</p>'}
</body></html>
`;
}

function human(h: RunReport['humans'][number]): string {
  const verb = h.outcome === 'refused' ? `<strong class="failed">refused</strong> ${esc(h.action)}` : pastTenseOf(h.action);
  return `<li>${esc(h.at)} <code>${esc(h.step)}</code>: ${esc(h.by || '(no name)')} ${verb}${h.planHash ? ` plan <code>${esc(h.planHash.slice(0, 12))}</code>` : ''} via ${esc(h.via)}${h.identity ? `, sent by identity <code>${esc(h.identity)}</code>` : ''}${h.outcome === 'refused' ? `: ${spans(h.reason)}` : h.detail ? ` (${spans(h.detail)})` : ''}${h.comment ? `; comment: ${esc(h.comment)}` : ''}</li>`;
}

/** Escaped text whose `code spans` (as the engine writes step names) become <code>. */
function spans(text: string | undefined): string {
  return esc(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}
