// Activity types the workflow uses for people: who may approve or decide, and the audit trail.
import type { AuditEntry } from '../../workflows/types';

export interface People {
  /** Everyone the list names: people, and the current members of each `group:<name>`. */
  eligible: string[];
  /** Groups named in the list that the groups file does not define. */
  unknownGroups: string[];
}

export interface PeopleActivities {
  resolvePeople(names: string[]): Promise<People>;
}

export interface AuditActivities {
  /** Returns the entry, so that it is in the marker the local activity leaves in history. */
  recordAudit(entry: AuditEntry): Promise<AuditEntry>;
}
