import { Server as TlsServer } from 'node:tls';
import type { FastifyInstance } from 'fastify';

export interface RunningService {
  url: string;
  close: () => Promise<void>;
}

/**
 * The thin entry part (the app apart from listening, as in fastify/demo's src/app.ts and src/server.ts):
 * listen, announce readiness to a parent launcher over IPC,
 * and close gracefully on SIGTERM / SIGINT (in-flight requests finish, stores close via onClose hooks).
 */
export async function listen(
  app: FastifyInstance,
  host: string,
  port: number,
  onListening?: (url: string) => Promise<void>,
): Promise<RunningService> {
  await app.listen({ host, port });
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  const scheme = app.server instanceof TlsServer ? 'https' : 'http';
  // Listening on every address (in a container): announce the loopback one, which a certificate names.
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const url = `${scheme}://${reachable.includes(':') ? `[${reachable}]` : reachable}:${actualPort}`;
  app.server.keepAliveTimeout = 65_000;
  app.server.headersTimeout = 66_000;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= app.close().then(() => undefined);
    return closing;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    app.log.info({ signal }, 'closing');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'close failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  // Started by a launcher: when it goes away (even by SIGKILL), so do we, instead of lingering on our port.
  if (typeof process.send === 'function') process.once('disconnect', () => onSignal('SIGTERM'));
  if (onListening !== undefined) await onListening(url);
  return { url, close };
}

/** Message a service sends its parent launcher (child_process.fork) once it is listening and ready. */
export interface ReadyMessage {
  type: 'schakel:ready';
  service: string;
  url: string;
}

export function announceReady(service: string, url: string): void {
  if (typeof process.send === 'function') {
    const message: ReadyMessage = { type: 'schakel:ready', service, url };
    process.send(message);
  }
}

/** Entry files call this so a bad config or failed start prints one clear line and exits non-zero. */
export function runMain(main: () => Promise<unknown>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
