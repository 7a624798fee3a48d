// The admission check as an activity. The workflow runs it as a local activity at the start of
// every execution, so the verdict is a marker in history and a replay never asks again.
import type { Admission } from './admission';
import type { AdmissionActivities } from '../../contract/activities';

/** `model`: whether this worker has a model to ask (an API key); the verdict tells the run. */
export function admissionActivities(admission: Admission, model: boolean): AdmissionActivities {
  return {
    async checkAdmission(request) {
      const verdict = admission.check(request);
      return verdict.admitted ? { ...verdict, model } : verdict;
    },
  };
}
