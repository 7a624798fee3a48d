// `shell`: runs an argv array directly (no shell, so values are never parsed as code),
// captures and truncates its output, heartbeats while it runs, and kills the whole process
// group when the step is cancelled or times out.
import { Type } from '@sinclair/typebox';
import { parseDuration } from '../../dsl/durations';
import { DURATION_PATTERN } from '../../dsl/schema-parts';
import { defineAction } from '../action';
import { DANGEROUS_ENV, processOutputProperties, runProcess } from '../process';

export const shellInput = Type.Object(
  {
    command: Type.Array(Type.String(), { minItems: 1, description: 'argv: the program and its arguments. Never run through a shell.' }),
    cwd: Type.Optional(Type.String({ description: 'Working directory.' })),
    env: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), { description: 'Extra environment variables.' })),
    stdin: Type.Optional(Type.String({ description: 'Text written to the command’s standard input.' })),
    timeout: Type.Optional(Type.String({ pattern: DURATION_PATTERN, description: 'Kill the command after this long (default: the step timeout).' })),
    okExitCodes: Type.Optional(Type.Array(Type.Integer(), { minItems: 1, description: 'Exit codes that count as success. Default [0].' })),
    parseJson: Type.Optional(Type.Boolean({ description: 'Parse stdout as JSON into `outputs.json`.' })),
    maxOutputBytes: Type.Optional(
      Type.Integer({ minimum: 256, maximum: 1_048_576, description: 'Keep at most this much of stdout and of stderr (head and tail). Default 16384.' }),
    ),
  },
  { additionalProperties: false },
);

export const shellOutput = Type.Object(processOutputProperties, { additionalProperties: false });

export default defineAction({
  name: 'shell',
  description: 'Run a command (argv array, no shell) and capture its output.',
  input: shellInput,
  output: shellOutput,
  idempotent: false,
  effect: 'write',
  asTool: { pin: { command: true } },
  check: (withValue) =>
    Object.keys(withValue.env !== null && typeof withValue.env === 'object' ? withValue.env : {})
      .filter((name) => DANGEROUS_ENV.test(name))
      .map((name) => ({
        path: ['env', name],
        code: 'dangerous-env' as const,
        message: `\`env\` sets ${name}, which makes the command run other code`,
        hint: 'pass the value as an argument, or wrap the command in a script that the runbook names',
        part: 'key' as const,
      })),
  run: (input, ctx) =>
    runProcess(
      {
        argv: input.command,
        cwd: input.cwd,
        env: input.env,
        stdin: input.stdin,
        timeoutMs: input.timeout ? parseDuration(input.timeout) : undefined,
        okExitCodes: input.okExitCodes,
        parseJson: input.parseJson,
        maxOutputBytes: input.maxOutputBytes,
      },
      ctx,
    ),
});
