// The admission check as an activity. The workflow runs it as a local activity at the start of
// every execution, so the verdict is a marker in history and a replay never asks again.
import type { Admission } from './admission';
import type { AdmissionActivities } from '../../contract/activities';

export function admissionActivities(admission: Admission): AdmissionActivities {
  return {
    async checkAdmission(request) {
      return admission.check(request);
    },
  };
}
