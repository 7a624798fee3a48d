// The drill's demo service `checkout`, as a process: it follows its Deployment on the API server
// (the image tag it "runs") and serves a steady synthetic load whose 5xx ratio the image decides
// (v1 healthy, v2 broken), exported as http_requests_total{service,code} for Prometheus.
//   node dist/drill/checkout.js   (env: KUBE_SERVER, KUBE_TOKEN, KUBE_CA, NAMESPACE, PORT)
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Agent, request } from 'node:https';
import { Counter, Gauge, Registry } from 'prom-client';

/** Errors per request of each version: v1 well under the 1% SLO, v2 far over it. */
const ERROR_RATIO: Record<string, number> = { v1: 0.002, v2: 0.3 };
const REQUESTS_PER_TICK = 20;
const TICK_MS = 100;

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const registry = new Registry();
const requests = new Counter({ name: 'http_requests_total', help: 'Requests served, by status code.', labelNames: ['service', 'code'], registers: [registry] });
const version = new Gauge({
  name: 'checkout_version_info',
  help: 'The image tag the service runs (1).',
  labelNames: ['service', 'version'],
  registers: [registry],
});

let running = 'v1';
let served = 0;

function tick(): void {
  const ratio = ERROR_RATIO[running] ?? 0;
  // Deterministic: every 1/ratio-th request fails, so the ratio is exact at any window.
  for (let i = 0; i < REQUESTS_PER_TICK; i++) {
    served++;
    const failing = ratio > 0 && Math.floor(served * ratio) !== Math.floor((served - 1) * ratio);
    requests.inc({ service: 'checkout', code: failing ? '500' : '200' });
  }
}

async function follow(): Promise<void> {
  const agent = new Agent({ ca: readFileSync(env('KUBE_CA')) });
  const url = `${env('KUBE_SERVER')}/apis/apps/v1/namespaces/${env('NAMESPACE')}/deployments/checkout`;
  const image = await new Promise<string | undefined>((resolve) => {
    const req = request(url, { agent, headers: { authorization: `Bearer ${env('KUBE_TOKEN')}` }, timeout: 2_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        try {
          resolve(
            (JSON.parse(body) as { spec?: { template?: { spec?: { containers?: Array<{ image?: string }> } } } }).spec?.template?.spec?.containers?.[0]?.image,
          );
        } catch {
          resolve(undefined);
        }
      });
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end();
  });
  const tag = image?.split(':').at(-1);
  if (tag && tag !== running && ERROR_RATIO[tag] !== undefined) {
    version.reset();
    running = tag;
    console.log(`checkout now runs ${tag} (5xx ratio ${ERROR_RATIO[tag]})`);
  }
  version.set({ service: 'checkout', version: running }, 1);
}

function main(): void {
  setInterval(tick, TICK_MS);
  setInterval(() => void follow(), 500);
  void follow();
  createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    void registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
  }).listen(Number(env('PORT')), '127.0.0.1', () => console.log(`checkout ready on :${env('PORT')}`));
}

main();
