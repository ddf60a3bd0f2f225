import { connect, createServer, type Socket } from 'node:net';

/**
 * A round-robin TCP balancer on 127.0.0.1, as nginx's `stream` module or HAProxy in TCP mode
 * would run in front of several `tongban serve` instances: each new client connection goes to the
 * next backend, whole (keep-alive requests on it stay with that backend), bytes untouched, so the
 * Host header and cookies reach the instance exactly as the browser sent them. It keeps no state
 * about sessions (no stickiness): whatever an instance needs from another's requests must come
 * from the shared database. See docs/adr/0030-multiple-instances.md.
 */
export interface Balancer {
  /** `http://127.0.0.1:<port>`: the public URL every instance is configured with. */
  readonly url: string;
  readonly port: number;
  /** Where new connections go, in turn; may be changed while running. */
  setBackends(ports: readonly number[]): void;
  /** Connections handed to each backend port so far. */
  connectionsPerBackend(): ReadonlyMap<number, number>;
  close(): Promise<void>;
}

export async function startBalancer(): Promise<Balancer> {
  let backends: readonly number[] = [];
  let next = 0;
  const counts = new Map<number, number>();
  const open = new Set<Socket>();

  const server = createServer((client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    const port = backends[next % Math.max(1, backends.length)];
    next += 1;
    if (port === undefined) {
      client.destroy();
      return;
    }
    counts.set(port, (counts.get(port) ?? 0) + 1);
    const upstream = connect({ host: '127.0.0.1', port });
    open.add(upstream);
    upstream.once('close', () => open.delete(upstream));
    // Either side failing or ending ends the other: the client sees what it would see from nginx.
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    setBackends(ports) {
      backends = [...ports];
      next = 0;
    },
    connectionsPerBackend: () => new Map(counts),
    close: () => new Promise<void>((resolve) => {
      for (const socket of open) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
