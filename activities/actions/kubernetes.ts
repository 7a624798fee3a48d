// `kubernetes`: the common kubectl operations as argv, with resource names checked so that a
// value from an alert can never turn into a kubectl flag (`--all`) or a second resource.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { Type } from '@sinclair/typebox';
import { parseDuration } from '../../dsl/durations';
import { DURATION_PATTERN } from '../../dsl/schema-parts';
import { defineAction } from '../action';
import { processOutputProperties, runProcess } from '../process';

/** RFC 1123 names, as Kubernetes itself requires: no leading dash, no spaces, no slashes. */
const NAME = '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$';
const KIND = '^[a-z][a-z0-9.-]*$';
/** Secrets are never read: their data would land in history and in the model's evidence. */
const SECRET_KIND = '^secrets?($|\\.)';
const SECRET_REFUSAL = 'the kubernetes action never reads Secrets: their values would land in history and in the model evidence';

export const kubernetesInput = Type.Object(
  {
    operation: Type.Union(
      ['rollout-restart', 'rollout-undo', 'rollout-status', 'scale', 'get', 'logs', 'events', 'describe'].map((o) => Type.Literal(o)),
      {
        description: 'rollout-restart | rollout-undo | rollout-status | scale | get | logs | events | describe',
      },
    ),
    kind: Type.Optional(
      Type.String({
        pattern: KIND,
        not: { pattern: SECRET_KIND },
        'x-refusal': SECRET_REFUSAL,
        description: 'Resource kind (not `secret`). Default `deployment`.',
      }),
    ),
    name: Type.Optional(Type.String({ pattern: NAME, description: 'Resource name (all operations but `get` with a selector).' })),
    namespace: Type.Optional(Type.String({ pattern: NAME })),
    selector: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_./=,!() -]+$', description: 'Label selector for `get`.' })),
    replicas: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, description: 'For `scale`.' })),
    toRevision: Type.Optional(Type.Integer({ minimum: 1, description: 'For `rollout-undo`.' })),
    timeout: Type.Optional(Type.String({ pattern: DURATION_PATTERN, description: 'For `rollout-status`: how long to wait for the rollout.' })),
    context: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.@:/-]+$' })),
    container: Type.Optional(Type.String({ pattern: NAME, description: 'For `logs`: the container (default: the only one).' })),
    tail: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, description: 'For `logs`: the last lines to read. Default 200.' })),
    previous: Type.Optional(Type.Boolean({ description: 'For `logs`: the previous container (after a crash).' })),
  },
  { additionalProperties: false },
);

const READS = ['get', 'rollout-status', 'logs', 'events', 'describe'];

export const kubernetesOutput = Type.Object({ command: Type.Array(Type.String()), ...processOutputProperties }, { additionalProperties: false });

type KubernetesInput = typeof kubernetesInput.static;

/** The kubectl argv for an operation; exported for tests and for `runbook` plan previews. */
export function kubectlArgs(input: KubernetesInput): string[] {
  const kind = input.kind ?? 'deployment';
  if (new RegExp(SECRET_KIND).test(kind)) throw ApplicationFailure.create({ type: 'InvalidInput', message: SECRET_REFUSAL, nonRetryable: true });
  const target = input.name ? `${kind}/${input.name}` : undefined;
  const need = (what: string | undefined, label: string): string => {
    if (what === undefined) throw ApplicationFailure.create({ type: 'InvalidInput', message: `\`${input.operation}\` needs \`${label}\``, nonRetryable: true });
    return what;
  };
  const global = [...(input.context ? ['--context', input.context] : []), ...(input.namespace ? ['--namespace', input.namespace] : [])];
  switch (input.operation) {
    case 'rollout-restart':
      return [...global, 'rollout', 'restart', need(target, 'name')];
    case 'rollout-undo':
      return [...global, 'rollout', 'undo', need(target, 'name'), ...(input.toRevision ? [`--to-revision=${input.toRevision}`] : [])];
    case 'rollout-status':
      return [
        ...global,
        'rollout',
        'status',
        need(target, 'name'),
        `--timeout=${Math.ceil((input.timeout ? parseDuration(input.timeout)! : 300_000) / 1000)}s`,
      ];
    case 'scale':
      return [...global, 'scale', need(target, 'name'), `--replicas=${need(input.replicas?.toString(), 'replicas')}`];
    case 'get':
      return [...global, 'get', input.name ? need(target, 'name') : kind, ...(input.selector ? ['--selector', input.selector] : []), '--output', 'json'];
    case 'describe':
      return [...global, 'describe', need(target, 'name')];
    case 'logs':
      // `kind` defaults to a pod here: a deployment's logs are one of its pods', chosen by kubectl.
      return [
        ...global,
        'logs',
        need(input.name ? `${input.kind ?? 'pod'}/${input.name}` : undefined, 'name'),
        `--tail=${input.tail ?? 200}`,
        ...(input.container ? ['--container', input.container] : []),
        ...(input.previous ? ['--previous'] : []),
      ];
    case 'events':
      return [
        ...global,
        'get',
        'events',
        ...(input.name ? ['--field-selector', `involvedObject.name=${input.name}`] : []),
        '--sort-by=.lastTimestamp',
        '--output',
        'json',
      ];
    default:
      throw ApplicationFailure.create({ type: 'InvalidInput', message: `unknown operation ${String(input.operation)}`, nonRetryable: true });
  }
}

/**
 * Why kubectl has no cluster to talk to, if it has none: without a kubeconfig or an in-cluster
 * service account it falls back to http://localhost:8080, which is some other program's port.
 */
export function missingClusterConfig(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.KUBECONFIG || env.KUBERNETES_SERVICE_HOST) return undefined;
  if (existsSync(path.join(env.HOME ?? homedir(), '.kube', 'config'))) return undefined;
  return 'no Kubernetes cluster configured on the worker: set KUBECONFIG (or run the worker in the cluster); kubectl would otherwise call localhost:8080';
}

export default defineAction({
  name: 'kubernetes',
  description: 'kubectl rollout restart/undo/status, scale, get, logs, events and describe, as argv.',
  input: kubernetesInput,
  output: kubernetesOutput,
  idempotent: false,
  // These only look; an operation given as an expression counts as a write.
  effect: (w) => (READS.includes(w.operation as string) ? 'read' : 'write'),
  async run(input, ctx) {
    const missing = missingClusterConfig();
    if (missing) throw ApplicationFailure.create({ type: 'NoCluster', message: missing, nonRetryable: true });
    const command = [process.env.RUNBOOK_KUBECTL ?? 'kubectl', ...kubectlArgs(input)];
    const result = await runProcess({ argv: command, parseJson: input.operation === 'get' || input.operation === 'events' }, ctx);
    return { command, ...result };
  },
});
