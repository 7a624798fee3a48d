// The runbooks the soak runs: between them every step kind (uses with retries and failures,
// decide and fill with a human fallback, an http request, approve answered, rejected or timed out, a child runbook, a
// guard, a wait, foreach, parallel, compensation, end) and a secret. Every shell step logs
// `start|end <run id> <step> <ms> <worker pid>` to the soak's action log, which the invariants read.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/** A shell step's `with` that logs around a sleep of `sleep` seconds, then exits with `exit`. */
function logged(log: string, step: string, sleep = "'0'", exit = "'0'", extraArg = ''): string {
  const script = `echo "start $1 $2 $(date +%s%3N) $PPID" >> "$3"; sleep "$4"; echo "end $1 $2 $(date +%s%3N) $PPID" >> "$3"; exit "$5"`;
  return `{ command: [sh, -c, '${script}', sh, '\${{ run.id }}', '${step}', '${log}', ${sleep}, ${exit}${extraArg}] }`;
}

export function soakRunbooks(dir: string, actionLog: string, serviceUrl: string): void {
  const remediate = `
name: soak-remediate
description: The soak's remediation, started by Alertmanager and Grafana alerts.
triggers:
  - source: alertmanager
    match: { alertname: SoakAlert }
  - source: grafana
    match: { alertname: SoakAlert }
inputs:
  service: { type: string, pattern: '^[a-z0-9-]+$', from: alert.labels.service }
  evidence_s: { type: string, pattern: '^[0-9.]+$', from: alert.labels.evidence_s, default: '0' }
  evidence_exit: { type: string, pattern: '^[01]$', from: alert.labels.evidence_exit, default: '0' }
onResolved: stop
secrets:
  token: { env: SOAK_SECRET }
steps:
  - id: evidence
    description: Gather evidence (random duration, sometimes fails)
    uses: shell
    readOnly: logs only
    timeout: 20s
    retry: { maxAttempts: 2, initialInterval: 1s }
    onFailure: escalate
    with: ${logged(actionLog, 'evidence', "'${{ inputs.evidence_s }}'", "'${{ inputs.evidence_exit }}'")}
  - id: diagnose
    decide:
      prompt: Is this a fix or an escalation for \${{ inputs.service }}?
      evidence: [evidence]
      choices:
        fix: { when: the evidence says the fix applies, next: gate }
        escalate: { when: anything else, next: escalate }
      human: { deciders: [alice], timeout: 30s, onTimeout: escalate }
  - id: gate
    approve: { approvers: [alice], timeout: 20s, onTimeout: escalate, onReject: escalate }
  - id: act
    description: The guarded write; it carries the secret
    uses: shell
    timeout: 20s
    with: ${logged(actionLog, 'act', "'0.2'", "'0'", ", '${{ secrets.token }}'")}
    compensate:
      description: Undo the write
      when: completed
      uses: shell
      with: ${logged(actionLog, 'undo')}
  - id: child
    runbook: soak-child
    with: { service: '\${{ inputs.service }}' }
  - id: serial
    description: One write per service at a time
    uses: shell
    timeout: 30s
    guard: { key: 'soak:\${{ inputs.service }}', limit: 1 }
    with: ${logged(actionLog, 'serial', "'0.5'")}
  - id: verify
    description: Fails for svc-9, which undoes the write
    uses: shell
    readOnly: logs only
    with: ${logged(actionLog, 'verify', "'0'", '\'${{ inputs.service == "svc-9" ? "1" : "0" }}\'')}
    end: success
  - id: escalate
    uses: shell
    readOnly: logs only
    with: ${logged(actionLog, 'escalate')}
`;
  const child = `
name: soak-child
inputs:
  service: { type: string, pattern: '^[a-z0-9-]+$' }
steps:
  - id: settle
    wait: 1s
  - id: check
    uses: shell
    readOnly: logs only
    with: ${logged(actionLog, 'child-check', "'0.1'")}
`;
  const page = `
name: soak-page
description: The soak's paging runbook, started by PagerDuty incidents and signed webhooks.
triggers:
  - source: pagerduty
    matchRe: { alertname: 'SoakPage on .*' }
  - source: webhook
    match: { team: soak }
inputs:
  service: { type: string, pattern: '^[a-z0-9-]+$', from: alert.labels.service }
steps:
  - id: look
    parallel:
      - id: left
        uses: shell
        readOnly: logs only
        with: ${logged(actionLog, 'left', "'0.3'")}
      - id: right
        uses: shell
        readOnly: logs only
        with: ${logged(actionLog, 'right', "'0.1'")}
  - id: probe
    description: A request to the service (0 to 400 ms, sometimes a 503)
    uses: http
    retry: { maxAttempts: 4, initialInterval: 1s }
    with: { url: '${serviceUrl}/probe', headers: { x-run: '\${{ run.id }}' }, timeout: 5s }
  - id: size
    fill:
      prompt: How many checks does \${{ inputs.service }} need?
      schema:
        type: object
        required: [count]
        additionalProperties: false
        properties:
          count: { type: integer, minimum: 1, maximum: 3 }
      human: { deciders: [alice], timeout: 30s }
  - id: sized
    uses: shell
    readOnly: logs only
    with: ${logged(actionLog, 'sized', "'0'", "'0'", ", '${{ string(steps.size.outputs.count) }}'")}
  - id: each
    foreach:
      items: \${{ [1, 2, 3] }}
      concurrency: 2
      steps:
        - id: item
          uses: shell
          readOnly: logs only
          with: ${logged(actionLog, 'item', "'0.1'")}
`;
  for (const [name, text] of Object.entries({ 'soak-remediate': remediate, 'soak-child': child, 'soak-page': page }))
    writeFileSync(path.join(dir, `${name}.yaml`), text);
}
