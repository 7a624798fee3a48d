// Does an alert match a runbook trigger? Label values are compared as data: `match` needs
// equality, `matchRe` a full match of the regular expression. `alertname` defaults to the
// alert's name, so PagerDuty incidents and webhook alerts match on their titles too.
import type { Alert } from '../dsl/alert';
import type { CompiledRunbook } from '../dsl/compiled';
import { fullMatch } from '../dsl/regex';
import type { TriggerDoc } from '../dsl/schema';

export function alertLabel(alert: Alert, label: string): string | undefined {
  if (Object.hasOwn(alert.labels, label)) return alert.labels[label];
  return label === 'alertname' ? alert.name : undefined;
}

export function matchesTrigger(trigger: TriggerDoc, alert: Alert): boolean {
  if (trigger.source !== alert.source) return false;
  for (const [label, value] of Object.entries(trigger.match ?? {})) {
    if (alertLabel(alert, label) !== value) return false;
  }
  for (const [label, pattern] of Object.entries(trigger.matchRe ?? {})) {
    const value = alertLabel(alert, label);
    if (value === undefined || !fullMatch(pattern, value)) return false;
  }
  return true;
}

/** Every runbook that declares a trigger matching the alert: each starts its own remediation. */
export function matchingRunbooks(runbooks: readonly CompiledRunbook[], alert: Alert): CompiledRunbook[] {
  return runbooks.filter((r) => r.triggers.some((t) => matchesTrigger(t, alert)));
}
