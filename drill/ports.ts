// Free TCP ports on loopback for the drill's and the cluster's processes, all distinct.
import { createServer, type Server } from 'node:net';

/**
 * `count` free ports: any the system offers, or, with `below`, ports under that number (the
 * Temporal server keeps membership ports in a smallint column, so they must be under 32768).
 */
export async function freePorts(count: number, below?: number): Promise<number[]> {
  // Hold every socket until all are chosen, so no port is handed out twice.
  const servers: Server[] = [];
  const ports: number[] = [];
  for (let tries = 0; ports.length < count; tries++) {
    if (tries > count * 50) throw new Error(`no ${count} free ports${below ? ` below ${below}` : ''} on 127.0.0.1`);
    const wanted = below ? 20_000 + Math.floor(Math.random() * (below - 20_000)) : 0;
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(wanted, '127.0.0.1', () => resolve(true));
    });
    if (!bound) continue;
    servers.push(server);
    const address = server.address();
    ports.push(typeof address === 'object' && address ? address.port : 0);
  }
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}
