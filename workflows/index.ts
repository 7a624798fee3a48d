// Workflow entry points registered with the worker: the current version, and the ones before it
// for runs still in flight (see runbook-workflow.ts).
export { runbookV4, runbookV3, runbookV2, runbookWorkflow } from './runbook-workflow';
export { fleetGovernor } from './governor/governor-workflow';
