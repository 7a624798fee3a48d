// Free TCP ports on loopback for the drill's processes, all distinct.
import { createServer, type Server } from 'node:net';

export async function freePorts(count: number): Promise<number[]> {
  // Hold every socket until all are chosen, so no port is handed out twice.
  const servers: Server[] = [];
  const ports: number[] = [];
  for (let i = 0; i < count; i++) {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    servers.push(server);
    const address = server.address();
    ports.push(typeof address === 'object' && address ? address.port : 0);
  }
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}
