// Alert senders in a process of their own, as Alertmanager is in production, run at the lowest
// CPU priority: on a small machine the load generator would otherwise take CPU from the Temporal
// server and charge it to the receiver (0.85x instead of 0.95x on the 2-core CI machine).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

export type Round = { elapsedMs: number; latencies: number[]; outcomes: Record<string, number> };

/** A sender process that stays up across rounds; `send` posts one round of bodies and resolves with its figures. */
export function alertSender(url: string, token: string, concurrency: number): { send(bodies: string[]): Promise<Round>; close(): void } {
  const child = spawn('nice', ['-n', '19', process.execPath, path.join(__dirname, 'alert-sender.js'), url, token, String(concurrency)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: Array<(r: Round) => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.(JSON.parse(line) as Round));
  child.on('exit', (code) => {
    if (code !== 0 && code !== null) throw new Error(`the alert sender exited with ${code}`);
  });
  return {
    send: (bodies) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin.write(JSON.stringify(bodies) + '\n');
      }),
    close: () => child.stdin.end(),
  };
}
