// Workflow entry points registered with the worker.
export { runbookWorkflow } from './runbook-workflow';
