// The soak's model: the local Messages API server answering decide and fill steps, with faults injected
// at seeded rates (429, 529, 500, malformed bodies, answers slower than the worker waits, and
// answers outside the declared choices), and a pause switch that holds every request while the
// "network" to it is down.
import { startFakeAnthropic, toolAnswer, type FakeAnthropic, type Scripted } from '../drill/messages-api';
import { Random } from './random';

export interface SoakModel {
  model: FakeAnthropic;
  /** Holds requests for `ms` (a paused network), then lets them through. */
  pause(ms: number): void;
  faults: Record<string, number>;
}

export async function startSoakModel(seed: number): Promise<SoakModel> {
  const model = await startFakeAnthropic();
  const random = new Random(seed ^ 0x5eed);
  const faults: Record<string, number> = {};
  let pausedUntil = 0;
  model.fallback = (req) => {
    if (Date.now() < pausedUntil) return count({ kind: 'hang', ms: pausedUntil - Date.now() }, 'paused');
    const r = random.next();
    if (r < 0.05) return count({ kind: 'error', status: 429, retryAfterSeconds: 1 }, '429');
    if (r < 0.1) return count({ kind: 'error', status: 529 }, '529');
    if (r < 0.13) return count({ kind: 'error', status: 500 }, '500');
    if (r < 0.16) return count({ kind: 'malformed' }, 'malformed');
    if (r < 0.19) return count({ kind: 'hang', ms: 20_000 }, 'timeout');
    if (r < 0.22) return count(toolAnswer('choose', { choice: 'reboot-everything', reasoning: 'not a declared choice', confidence: 0.99 }), 'off-menu');
    const confidence = random.chance(0.9) ? 0.9 : 0.4;
    if (req.body?.tool_choice?.name === 'fill')
      return toolAnswer('fill', { values: { count: random.int(1, 3) }, reasoning: 'soak model sizes it', confidence });
    const choice = random.chance(0.8) ? 'fix' : 'escalate';
    return toolAnswer('choose', { choice, reasoning: `soak model picks ${choice}`, confidence });
  };
  function count(s: Scripted, what: string): Scripted {
    faults[what] = (faults[what] ?? 0) + 1;
    return s;
  }
  return { model, pause: (ms) => (pausedUntil = Date.now() + ms), faults };
}
