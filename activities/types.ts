// What the workflow sends to activities. Types only: workflows/ imports them without pulling
// in any activity code.
import type { SecretDoc } from '../dsl/schema';

export interface ActionRequest {
  runbook: string;
  stepId: string;
  /** Rendered parameters; secrets still appear as tokens. */
  with: Record<string, unknown>;
  /** Declarations of the secrets whose tokens appear in `with`. */
  secrets: Record<string, SecretDoc>;
}

/** Every action activity has this shape; its activity type is the action name. */
export type ActionActivity = (request: ActionRequest) => Promise<Record<string, unknown>>;
