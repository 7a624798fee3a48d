// `kubernetes`: kubectl argv per operation, and names that can never become flags.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import kubernetes, { kubectlArgs, kubernetesInput, missingClusterConfig } from '../../activities/actions/kubernetes';
import { actionContext } from '../helpers/action-context';

it.each<[string, Parameters<typeof kubectlArgs>[0], string[]]>([
  ['rollout-restart', { operation: 'rollout-restart', name: 'api', namespace: 'prod' }, ['--namespace', 'prod', 'rollout', 'restart', 'deployment/api']],
  ['rollout-undo', { operation: 'rollout-undo', name: 'api', toRevision: 3 }, ['rollout', 'undo', 'deployment/api', '--to-revision=3']],
  ['rollout-status', { operation: 'rollout-status', name: 'api', timeout: '2m' }, ['rollout', 'status', 'deployment/api', '--timeout=120s']],
  [
    'scale',
    { operation: 'scale', kind: 'statefulset', name: 'db', replicas: 3, context: 'prod-eu' },
    ['--context', 'prod-eu', 'scale', 'statefulset/db', '--replicas=3'],
  ],
  ['get by selector', { operation: 'get', kind: 'pods', selector: 'app=api' }, ['get', 'pods', '--selector', 'app=api', '--output', 'json']],
  [
    'logs of a crashed container',
    { operation: 'logs', name: 'api-7d9', namespace: 'prod', container: 'app', previous: true },
    ['--namespace', 'prod', 'logs', 'pod/api-7d9', '--tail=200', '--container', 'app', '--previous'],
  ],
  ['logs of a deployment', { operation: 'logs', kind: 'deployment', name: 'api', tail: 50 }, ['logs', 'deployment/api', '--tail=50']],
  [
    'events of an object',
    { operation: 'events', name: 'api-7d9', namespace: 'prod' },
    ['--namespace', 'prod', 'get', 'events', '--field-selector', 'involvedObject.name=api-7d9', '--sort-by=.lastTimestamp', '--output', 'json'],
  ],
  ['describe', { operation: 'describe', kind: 'pod', name: 'api-7d9' }, ['describe', 'pod/api-7d9']],
])('%s', (_, input, argv) => {
  expect(kubectlArgs(input)).toEqual(argv);
});

it('refuses names and flags smuggled in through values', () => {
  const validate = new Ajv({ strict: false }).compile(kubernetesInput);
  for (const name of ['--all', '-A', 'api --all-namespaces', 'api/../db', 'API']) {
    expect([name, validate({ operation: 'rollout-restart', name })]).toEqual([name, false]);
  }
});

it('never reads Secrets, whichever way the kind is spelled (L5)', () => {
  const validate = new Ajv({ strict: false }).compile(kubernetesInput);
  for (const kind of ['secret', 'secrets', 'secrets.v1', 'secret.v1.']) {
    expect([kind, validate({ operation: 'get', kind, namespace: 'prod' })]).toEqual([kind, false]);
    expect(() => kubectlArgs({ operation: 'get', kind, namespace: 'prod' })).toThrow('the kubernetes action never reads Secrets');
  }
  expect(validate({ operation: 'get', kind: 'secretproviderclasses' })).toBe(true);
});

it('runs kubectl (RUNBOOK_KUBECTL) with the argv and parses `get` output', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kubectl-'));
  const fake = path.join(dir, 'kubectl');
  writeFileSync(fake, '#!/bin/sh\nprintf \'{"argv":"%s"}\' "$*"\n');
  chmodSync(fake, 0o755);
  process.env.RUNBOOK_KUBECTL = fake;
  const kubeconfig = process.env.KUBECONFIG;
  process.env.KUBECONFIG = path.join(dir, 'kubeconfig');
  try {
    const result = await kubernetes.run({ operation: 'get', kind: 'pods', namespace: 'prod' }, actionContext());
    expect(result.command).toEqual([fake, '--namespace', 'prod', 'get', 'pods', '--output', 'json']);
    expect(result.json).toEqual({ argv: '--namespace prod get pods --output json' });
    await expect(kubernetes.run({ operation: 'scale', name: 'api' }, actionContext())).rejects.toMatchObject({
      type: 'InvalidInput',
      message: '`scale` needs `replicas`',
      nonRetryable: true,
    });
  } finally {
    delete process.env.RUNBOOK_KUBECTL;
    if (kubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = kubeconfig;
  }
});

it('refuses to run kubectl with no cluster configured, rather than let it call localhost:8080', async () => {
  const home = mkdtempSync(path.join(tmpdir(), 'home-'));
  expect(missingClusterConfig({ HOME: home })).toMatch(/^no Kubernetes cluster configured on the worker: set KUBECONFIG/);
  expect(missingClusterConfig({ HOME: home, KUBECONFIG: '/etc/kube/drill' })).toBeUndefined();
  expect(missingClusterConfig({ HOME: home, KUBERNETES_SERVICE_HOST: '10.96.0.1' })).toBeUndefined();
  mkdirSync(path.join(home, '.kube'));
  writeFileSync(path.join(home, '.kube', 'config'), 'apiVersion: v1\n');
  expect(missingClusterConfig({ HOME: home })).toBeUndefined();
});

it('reads with get, rollout-status, logs, events and describe; writes otherwise, or when the operation is not known yet', () => {
  const effect = kubernetes.effect as (w: Record<string, unknown>) => string;
  expect(
    ['get', 'rollout-status', 'logs', 'events', 'describe', 'scale', 'rollout-undo', '${{ inputs.op }}'].map((operation) => effect({ operation })),
  ).toEqual(['read', 'read', 'read', 'read', 'read', 'write', 'write', 'write']);
});
