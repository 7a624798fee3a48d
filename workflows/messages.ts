// Queries, signals and updates of the runbook workflow. Clients (CLI, API, receiver) import
// these definitions; the workflow registers every handler at start so the UI lists them.
import { defineQuery } from '@temporalio/workflow';
import type { StatusView } from './types';

export const statusQuery = defineQuery<StatusView>('status');
