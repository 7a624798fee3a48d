// Every query of the engine's Grafana dashboard (config/observability/grafana-dashboard.json), run
// against a Prometheus: the drill checks its own, the observability test a test Prometheus.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../repository/project';

export interface DashboardQueryResult {
  panel: string;
  ok: boolean;
  error?: string;
  /** How many series the query returned. */
  series: number;
}

export async function runDashboardQueries(prometheus: string): Promise<DashboardQueryResult[]> {
  const dashboard = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'config', 'observability', 'grafana-dashboard.json'), 'utf8')) as {
    panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
  };
  return Promise.all(
    dashboard.panels.flatMap((p) =>
      p.targets.map(async (t) => {
        const r = (await (await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(t.expr)}`)).json()) as {
          status: string;
          error?: string;
          data?: { result: unknown[] };
        };
        return { panel: p.title, ok: r.status === 'success', ...(r.error && { error: r.error }), series: r.data?.result.length ?? 0 };
      }),
    ),
  );
}
