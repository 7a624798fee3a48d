// Search attributes let operators find remediations: by runbook, its version, the service,
// the alert, and where the run stands. `runbook setup` (and the dev server's start) registers
// them. Values derived from alerts are untrusted and unbounded: they are made safe to index
// here, once, for every place that sets them (starts, the workflow itself, child runs).
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import type { Alert } from '../dsl/alert';
import type { CompiledRunbook } from '../dsl/compiled';
import { sha256Hex } from '../dsl/hash';

export const RUNBOOK_NAME = defineSearchAttributeKey('RunbookName', SearchAttributeType.KEYWORD);
export const RUNBOOK_HASH = defineSearchAttributeKey('RunbookHash', SearchAttributeType.KEYWORD);
export const SERVICE = defineSearchAttributeKey('Service', SearchAttributeType.KEYWORD);
export const ALERT_FINGERPRINT = defineSearchAttributeKey('AlertFingerprint', SearchAttributeType.KEYWORD);
export const REMEDIATION_STATUS = defineSearchAttributeKey('RemediationStatus', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [RUNBOOK_NAME, RUNBOOK_HASH, SERVICE, ALERT_FINGERPRINT, REMEDIATION_STATUS];

const PLAIN_FINGERPRINT = /^[A-Za-z0-9._-]{1,128}$/;
const MAX_KEYWORD = 128;

/** A fingerprint as ids and search attributes hold it: as sent when short and plain, else its hash. */
export function safeFingerprint(fingerprint: string): string {
  return PLAIN_FINGERPRINT.test(fingerprint) ? fingerprint : sha256Hex(fingerprint).slice(0, 32);
}

/** Free text as a keyword: printable, at most 128 characters (a longer one keeps its start and a hash). */
export function safeKeyword(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  const printable = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  return printable.length <= MAX_KEYWORD ? printable : `${printable.slice(0, MAX_KEYWORD - 17)}…${sha256Hex(value).slice(0, 16)}`;
}

/** The service a remediation is about: its `service` input, else the alert's `service` label. */
export function serviceOf(inputs: Record<string, unknown>, alert: Alert | undefined): string | undefined {
  const service = typeof inputs.service === 'string' ? inputs.service : alert?.labels.service;
  return service ? safeKeyword(service) : undefined;
}

/** The attributes a remediation starts with. */
export function remediationAttributes(runbook: CompiledRunbook, inputs: Record<string, unknown>, alert: Alert | undefined): SearchAttributePair[] {
  const service = serviceOf(inputs, alert);
  return [
    { key: RUNBOOK_NAME, value: runbook.name },
    { key: RUNBOOK_HASH, value: runbook.hash },
    { key: REMEDIATION_STATUS, value: 'running' },
    ...(service ? [{ key: SERVICE, value: service }] : []),
    ...(alert ? [{ key: ALERT_FINGERPRINT, value: safeFingerprint(alert.fingerprint) }] : []),
  ];
}
