// Renders the Block Kit blocks a request was posted with as HTML close to Slack's own look, so
// the operator's guide can show the message that is really sent (a screenshot in headless
// Chromium). Covers the block types requests use: header, section (mrkdwn), actions (buttons).
const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Slack mrkdwn, the subset requests use: ```code blocks```, `code`, *bold*, <url|text> links. */
function mrkdwn(text: string): string {
  return text
    .split(/```/)
    .map((part, i) =>
      i % 2 === 1
        ? `<pre>${esc(part)}</pre>`
        : esc(part)
            .replace(/&lt;(https?:[^|&]+)\|([^&]+)&gt;/g, '<a href="$1">$2</a>')
            .replace(/&lt;@(U[A-Z0-9]+)&gt;/g, '<span class="mention">@$1</span>')
            .replace(/`([^`]+)`/g, '<code>$1</code>')
            .replace(/\*([^*\n]+)\*/g, '<b>$1</b>')
            .replace(/\n/g, '<br>'),
    )
    .join('');
}

interface Block {
  type: string;
  text?: { type: string; text: string };
  elements?: Array<{ text: { text: string }; style?: string }>;
}

export function blockKitHtml(blocks: unknown[], app = 'Runbook engine'): string {
  const body = (blocks as Block[])
    .map((b) => {
      if (b.type === 'header') return `<div class="header">${esc(b.text!.text)}</div>`;
      if (b.type === 'section') return `<div class="section">${mrkdwn(b.text!.text)}</div>`;
      if (b.type === 'actions')
        return `<div class="actions">${b.elements!.map((e) => `<button class="${e.style ?? ''}">${esc(e.text.text)}</button>`).join('')}</div>`;
      return '';
    })
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body{font:15px/1.46 Lato,system-ui,sans-serif;color:#1d1c1d;margin:0;padding:20px;background:#fff;width:760px}
.msg{display:grid;grid-template-columns:40px 1fr;gap:10px}.avatar{width:36px;height:36px;border-radius:6px;background:#4a154b}
.who{font-weight:900}.who span{font-weight:400;color:#616061;font-size:12px;margin-left:6px}
.header{font-weight:900;font-size:18px;margin:4px 0}.section{margin:6px 0}
pre{font:12px/1.5 Monaco,Menlo,monospace;background:#f8f8f8;border:1px solid #ddd;border-radius:4px;padding:8px;white-space:pre-wrap;margin:4px 0}
code{font:12px Monaco,Menlo,monospace;color:#e01e5a;background:#f8f8f8;border:1px solid #ddd;border-radius:3px;padding:0 3px}
a{color:#1264a3;text-decoration:none}.mention{color:#1264a3;background:#e8f5fa;border-radius:3px;padding:0 2px}
.actions button{font:700 14px Lato,system-ui,sans-serif;border:1px solid #ccc;border-radius:4px;background:#fff;padding:6px 14px;margin-right:8px}
.actions .primary{background:#007a5a;color:#fff;border-color:#007a5a}.actions .danger{color:#e01e5a;border-color:#e01e5a}
</style></head><body><div class="msg"><div class="avatar"></div><div><div class="who">${esc(app)}<span>APP</span></div>
${body}</div></div></body></html>`;
}
