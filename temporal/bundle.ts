// Bundling workflow code ahead of a worker (tests, benchmarks, replay), without webpack's chatter:
// warnings and errors still show.
import { bundleWorkflowCode } from '@temporalio/worker';

const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: console.warn, error: console.error };

/** `interceptorModules`: workflow interceptors baked into the bundle (only `runbook test` workers add any). */
export function bundleWorkflows(workflowsPath: string, interceptorModules: string[] = []): Promise<{ code: string }> {
  return bundleWorkflowCode({ workflowsPath, logger: quiet, workflowInterceptorModules: interceptorModules });
}
