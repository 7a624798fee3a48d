// Links into the Temporal Web UI (for the CLI and the messages that tell people a run waits) (RUNBOOK_UI_URL, default the dev server's http://localhost:8233).
export function uiBase(env: NodeJS.ProcessEnv = process.env): string {
  return (env.RUNBOOK_UI_URL ?? 'http://localhost:8233').replace(/\/$/, '');
}

export function runUrl(namespace: string, workflowId: string, env: NodeJS.ProcessEnv = process.env): string {
  return `${uiBase(env)}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
