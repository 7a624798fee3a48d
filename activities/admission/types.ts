// What the workflow asks before it runs anything, and the answer. Types only, shared with workflows/.

export interface AdmissionRequest {
  name: string;
  /** Recomputed by the workflow from the definition it was given. */
  hash: string;
}

export type AdmissionVerdict = { admitted: true; how: 'served' | 'retired' | 'development'; from: string } | { admitted: false; reason: string };

export interface AdmissionActivities {
  checkAdmission(request: AdmissionRequest): Promise<AdmissionVerdict>;
}
