// The audit sink: every approval, rejection and decision attempt, accepted or refused, as one
// JSON line in the worker's log (ship it to your SIEM). The workflow calls it as a local
// activity, so the entry is also a marker in the run's history.
import { log } from '@temporalio/activity';
import type { AuditActivities } from '../../contract/activities';

export const auditActivities: AuditActivities = {
  async recordAudit(entry) {
    log.info('runbook audit', { audit: entry });
    return entry;
  },
};
