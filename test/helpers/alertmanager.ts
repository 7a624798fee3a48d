// A real Prometheus Alertmanager (Debian's package) for end-to-end tests: one route, grouped by
// alertname and service, sent at once and repeated every second, to each of these receivers with
// a bearer token.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePorts } from '../../drill/ports';
import { eventually } from './eventually';

const ALERTMANAGER = process.env.ALERTMANAGER_PATH ?? '/usr/bin/prometheus-alertmanager';

export interface RunningAlertmanager {
  /** Its API, e.g. `${url}/api/v2/alerts`. */
  url: string;
  stop(): void;
}

export async function startAlertmanager(o: { receivers: string[]; token: string; sendResolved?: boolean }): Promise<RunningAlertmanager> {
  if (!existsSync(ALERTMANAGER)) throw new Error(`no Alertmanager at ${ALERTMANAGER}: \`apt-get install prometheus-alertmanager\` (or set ALERTMANAGER_PATH)`);
  const dir = mkdtempSync(path.join(tmpdir(), 'alertmanager-'));
  const configFile = path.join(dir, 'alertmanager.yml');
  const webhook = (url: string) =>
    `      - url: ${url}\n${o.sendResolved ? '        send_resolved: true\n' : ''}        http_config:\n          authorization: { type: Bearer, credentials: ${o.token} }\n`;
  writeFileSync(
    configFile,
    `route:
  receiver: runbooks
  group_by: [alertname, service]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1s
receivers:
  - name: runbooks
    webhook_configs:
${o.receivers.map(webhook).join('')}`,
  );
  const [port] = await freePorts(1);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    ALERTMANAGER,
    [`--config.file=${configFile}`, `--storage.path=${dir}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    { stdio: 'inherit' },
  );
  const stop = () => void child.kill('SIGTERM');
  try {
    await eventually(
      () =>
        fetch(`${url}/-/ready`).then(
          (r) => r.ok,
          () => false,
        ),
      'Alertmanager to be ready',
      20_000,
      200,
    );
  } catch (err) {
    stop();
    throw err;
  }
  return { url, stop };
}
