import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Transport } from '../transport.js';

/** What a baseline child tells the bench once it listens (the same handshake as the services' ready message). */
export interface BaselineReady {
  type: 'bench:ready';
  url: string;
}

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Listens on an ephemeral port on 127.0.0.1 like the topology does, over plain HTTP or mutual TLS, with
 * the same keep-alive time-outs as the services; reports the URL to the parent and closes on SIGTERM
 * or when the parent goes away.
 */
export function serve(transport: Transport, handler: RequestListener): void {
  const server: Server =
    transport.kind === 'https'
      ? createHttpsServer({ ...transport.tls, requestCert: true, rejectUnauthorized: true }, handler)
      : createHttpServer(handler);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    const ready: BaselineReady = { type: 'bench:ready', url: `${transport.kind}://127.0.0.1:${port}` };
    process.send?.(ready);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
}
