// Loaded by path (the SDK bundles it into the workflow sandbox): with payload encryption on,
// failure messages and stack traces are encoded as payloads too, so the codec encrypts them.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
