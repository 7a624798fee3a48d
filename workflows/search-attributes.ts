// Search attributes let operators find remediations: by runbook, its version, the service,
// the alert, and where the run stands. The start script registers them on the dev server.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const RUNBOOK_NAME = defineSearchAttributeKey('RunbookName', SearchAttributeType.KEYWORD);
export const RUNBOOK_HASH = defineSearchAttributeKey('RunbookHash', SearchAttributeType.KEYWORD);
export const SERVICE = defineSearchAttributeKey('Service', SearchAttributeType.KEYWORD);
export const ALERT_FINGERPRINT = defineSearchAttributeKey('AlertFingerprint', SearchAttributeType.KEYWORD);
export const REMEDIATION_STATUS = defineSearchAttributeKey('RemediationStatus', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [RUNBOOK_NAME, RUNBOOK_HASH, SERVICE, ALERT_FINGERPRINT, REMEDIATION_STATUS];
