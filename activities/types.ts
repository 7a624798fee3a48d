// What the workflow sends to activities. Types only: workflows/ imports them without pulling
// in any activity code.
import type { SecretDoc } from '../dsl/schema';
import type { SecretSite } from '../dsl/secrets';

export interface ActionRequest {
  runbook: string;
  stepId: string;
  /** Rendered parameters; secrets appear as `⟦secret:NAME⟧` placeholders, which are only text. */
  with: Record<string, unknown>;
  /** Declarations of the secrets the step names in its definition (decided at compile time). */
  secrets: Record<string, SecretDoc>;
  /** Where in `with` the secret values go. */
  secretSites?: SecretSite[];
}

/** Every action activity has this shape; its activity type is the action name. */
export type ActionActivity = (request: ActionRequest) => Promise<Record<string, unknown>>;
