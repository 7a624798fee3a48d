// What the workflow asks Claude and what it gets back. Types only, shared with workflows/.
import type { Alert } from '../../dsl/alert';
import type { TokenUsage } from '../../workflows/types';

export interface AdviceRequest {
  runbook: { name: string; description?: string };
  stepId: string;
  kind: 'decide' | 'fill';
  /** The step's prompt, rendered. */
  prompt: string;
  choices?: Array<{ name: string; when: string }>;
  schema?: Record<string, unknown>;
  evidence: Array<{ step: string; status: string; outputs: unknown; error?: string }>;
  alert?: Alert;
  /** Inputs minus those marked sensitive. */
  inputs: Record<string, unknown>;
  /** The step's or runbook's model; the worker's default otherwise. */
  model?: string;
}

export interface AdviceResult {
  /** `invalid`: the model kept answering outside the declared choices or schema. */
  outcome: 'answer' | 'invalid';
  choice?: string;
  values?: Record<string, unknown>;
  reasoning: string;
  confidence: number;
  model: string;
  usage: TokenUsage;
  latencyMs: number;
  /** Model calls made: 1 on the happy path, more when answers had to be corrected. */
  calls: number;
  problem?: string;
}

export interface ClaudeActivities {
  askClaude(request: AdviceRequest): Promise<AdviceResult>;
}
