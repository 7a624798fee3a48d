// The drill's Kubernetes control plane: kine (SQLite as the etcd-compatible store), kube-apiserver
// (a token file, RBAC, self-signed serving certs) and kube-controller-manager (deployments and
// replicasets only; no kubelet, so no pod ever runs). Everything lives in one folder of the
// drill's; the kubeconfig it writes is what the worker and kubectl use, so nothing falls back to
// kubectl's default address.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import path from 'node:path';
import type { Supervisor } from '../cli/supervisor';

export interface KubeControlPlane {
  kubeconfig: string;
  server: string;
  token: string;
  /** The API server's self-signed certificate, which clients trust as their CA. */
  caFile: string;
}

export async function startKube(supervisor: Supervisor, opts: { bin: string; dir: string; kinePort: number; apiPort: number }): Promise<KubeControlPlane> {
  const dir = opts.dir;
  mkdirSync(path.join(dir, 'certs'), { recursive: true });
  const token = randomBytes(24).toString('hex');
  // user `drill-admin` in system:masters: RBAC is on, this user may do anything.
  writeFileSync(path.join(dir, 'tokens.csv'), `${token},drill-admin,drill-admin,system:masters\n`, { mode: 0o600 });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(path.join(dir, 'sa.key'), privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
  writeFileSync(path.join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));

  await supervisor.start({
    name: 'kine',
    command: path.join(opts.bin, 'kine'),
    args: ['--endpoint', `sqlite://${path.join(dir, 'kine.db')}?_journal=WAL&cache=shared`, '--listen-address', `127.0.0.1:${opts.kinePort}`],
    logFile: path.join(dir, 'kine.log'),
  });
  const server = `https://127.0.0.1:${opts.apiPort}`;
  await supervisor.start({
    name: 'kube-apiserver',
    command: path.join(opts.bin, 'kube-apiserver'),
    args: [
      `--etcd-servers=http://127.0.0.1:${opts.kinePort}`,
      '--storage-backend=etcd3',
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${opts.apiPort}`,
      `--cert-dir=${path.join(dir, 'certs')}`,
      `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${path.join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
      '--service-cluster-ip-range=10.96.0.0/24',
      '--endpoint-reconciler-type=none',
      '--enable-priority-and-fairness=false',
    ],
    logFile: path.join(dir, 'kube-apiserver.log'),
  });
  // The serving certificate is written at start; it names 127.0.0.1 and localhost.
  const caFile = path.join(dir, 'certs', 'apiserver.crt');
  await waitUntilReady(server, token, 90_000);
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `  - name: drill\n    cluster: { server: '${server}', certificate-authority: '${caFile}' }`,
      'users:',
      `  - name: drill-admin\n    user: { token: '${token}' }`,
      'contexts:',
      '  - name: drill\n    context: { cluster: drill, user: drill-admin }',
      'current-context: drill',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  await supervisor.start({
    name: 'kube-controller-manager',
    command: path.join(opts.bin, 'kube-controller-manager'),
    args: [
      `--kubeconfig=${kubeconfig}`,
      '--controllers=deployment,replicaset',
      '--leader-elect=false',
      '--use-service-account-credentials=false',
      '--bind-address=127.0.0.1',
      '--secure-port=0',
    ],
    logFile: path.join(dir, 'kube-controller-manager.log'),
  });
  return { kubeconfig, server, token, caFile };
}

/** Polls /readyz until the API server answers ok (its certificate is not trusted yet: it was just made). */
async function waitUntilReady(server: string, token: string, timeoutMs: number): Promise<void> {
  const agent = new Agent({ rejectUnauthorized: false });
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await new Promise<string>((resolve) => {
      const req = request(`${server}/readyz`, { agent, headers: { authorization: `Bearer ${token}` }, timeout: 2_000 }, (res) => {
        res.resume();
        resolve(String(res.statusCode));
      });
      req.on('error', (err) => resolve(err.message));
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.end();
    });
    if (last === '200') return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`kube-apiserver at ${server} was not ready after ${timeoutMs / 1000}s (last: ${last})`);
}
