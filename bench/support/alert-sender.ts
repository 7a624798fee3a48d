// A load generator in its own process, as Alertmanager is in production: for each line of
// stdin (a JSON array of request bodies) it posts them to the receiver from N concurrent senders
// and writes one line: the elapsed time, each acknowledgement's latency, the outcomes. The
// process stays up between rounds, so its connections and JIT are warm after the first.
//   node alert-sender.js <url> <token> <concurrency>
import { createInterface } from 'node:readline';

async function round(url: string, token: string, concurrency: number, bodies: string[]) {
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const sent = performance.now();
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
        const reply = (await res.json()) as { results?: Array<{ runbooks: Array<{ outcome: string }> }> };
        latencies.push(performance.now() - sent);
        if (res.status !== 202) throw new Error(`receiver answered ${res.status}: ${JSON.stringify(reply)}`);
        for (const r of reply.results ?? []) for (const b of r.runbooks) outcomes[b.outcome] = (outcomes[b.outcome] ?? 0) + 1;
      }
    }),
  );
  return { elapsedMs: performance.now() - started, latencies, outcomes };
}

const [url, token, concurrency] = process.argv.slice(2);
createInterface({ input: process.stdin }).on('line', (line) => {
  round(url!, token!, Number(concurrency), JSON.parse(line) as string[]).then(
    (result) => process.stdout.write(JSON.stringify(result) + '\n'),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});
