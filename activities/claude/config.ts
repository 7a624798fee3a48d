// How the worker reaches Claude. ANTHROPIC_API_KEY (and, for proxies or tests,
// ANTHROPIC_BASE_URL) as the SDK reads them; RUNBOOK_MODEL for the default model.

/** A current fast model: decisions are small, latency matters more than depth. */
export const DEFAULT_MODEL = 'claude-haiku-5-5';

export interface ClaudeConfig {
  apiKey?: string;
  baseURL?: string;
  defaultModel: string;
  /** Per request; Temporal's start-to-close timeout bounds the whole attempt too. */
  requestTimeoutMs: number;
}

export function claudeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ClaudeConfig {
  return {
    ...(env.ANTHROPIC_API_KEY && { apiKey: env.ANTHROPIC_API_KEY }),
    ...(env.ANTHROPIC_BASE_URL && { baseURL: env.ANTHROPIC_BASE_URL }),
    defaultModel: env.RUNBOOK_MODEL ?? DEFAULT_MODEL,
    requestTimeoutMs: Number(env.RUNBOOK_MODEL_TIMEOUT_MS ?? 60_000),
  };
}
