import cluster, { type Worker } from 'node:cluster';
import { createHmac, randomBytes } from 'node:crypto';
import type { CommandMessage, CommandReply } from './process-control.js';
import type { ReadyMessage } from './server.js';

/**
 * Several replicas of one service behind one address (issue #18, docs/deployment.md): Node's cluster
 * module. The process the launcher (or a container) starts becomes the primary; it forks `replicas`
 * workers that each run the whole service on one shared store, and the primary hands incoming
 * connections to them in turn while they all listen on the same port (in a cluster, even port 0 is one
 * port for every worker). Chosen over a reverse proxy because it adds no hop and no process to install,
 * and mutual TLS stays end to end: each worker terminates TLS itself and sees the client's certificate.
 *
 * To the outside the replicas are one process: the primary starts the first worker alone (it applies the
 * store's migrations), then the others, and says ready once every worker is; relays the
 * workers' requests to the launcher (process control) and its replies back, and carries out each launcher
 * command (faults, journal, recording, clock) on every worker, merging what they answer. A worker that
 * dies is forked again; the others keep serving meanwhile.
 */
export const REPLICA_ENV = 'SCHAKEL_REPLICA';
/** The answer header naming the replica that answered (only when several serve one address). */
export const REPLICA_HEADER = 'schakel-replica';

/** A random seed the primary gives all its replicas, for the secrets they must share (replicaSecret). */
const SEED_ENV = 'SCHAKEL_REPLICA_SEED';

/**
 * A secret for `purpose` that every replica of this service shares (a token signed at one replica is
 * valid at the others), new at each start of the whole service as a random one would be. One process on
 * its own gets a random secret.
 */
export function replicaSecret(purpose: string): Buffer {
  const seed = process.env[SEED_ENV];
  if (seed === undefined || seed === '') return randomBytes(32);
  return createHmac('sha256', Buffer.from(seed, 'hex')).update(purpose).digest();
}

/** Which replica this process is (1..n), or undefined when the service runs as one process. */
export function replicaNumber(): number | undefined {
  const n = Number(process.env[REPLICA_ENV]);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * Run `main` once (replicas <= 1, or in a worker), or become the primary of `replicas` workers that each
 * run `main`. Call it inside `runMain`, so that a failed start prints one line and exits.
 * `service` names the service in the single ready message the primary gives its launcher.
 */
export async function runReplicated(service: string, replicas: number, main: () => Promise<unknown>): Promise<void> {
  if (replicas <= 1 || cluster.isWorker) {
    await main();
    return;
  }
  const toParent = process.send?.bind(process);
  const seed = randomBytes(32).toString('hex');
  const workers = new Map<number, Worker>();
  const ready = new Set<number>();
  let announced = false;
  let stopping = false;

  const fork = (n: number) => {
    const worker = cluster.fork({ [REPLICA_ENV]: String(n), [SEED_ENV]: seed });
    workers.set(n, worker);
    worker.on('message', (m: unknown) => {
      const message = m as { type?: unknown };
      if (message.type === 'schakel:ready') {
        ready.add(n);
        if (n === 1 && !announced) for (let next = 2; next <= replicas; next += 1) if (!workers.has(next)) fork(next);
        if (!announced && ready.size === replicas) {
          announced = true;
          const r = m as ReadyMessage;
          const all: ReadyMessage = { type: 'schakel:ready', service, url: r.url };
          toParent?.(all);
        }
        return;
      }
      // Process-control requests and any other message for the launcher: relayed as they are.
      if (message.type !== 'schakel:command-reply') toParent?.(m);
    });
    worker.on('exit', (code, signal) => {
      workers.delete(n);
      ready.delete(n);
      if (stopping) return;
      process.stderr.write(
        `${service} replica ${n} exited (code ${String(code)}, signal ${signal}); starting it again\n`,
      );
      fork(n);
    });
  };
  // The first replica alone, then the others once it is ready: it applies the store's migrations, which
  // several processes must not do at once on one store.
  fork(1);

  process.on('message', (m: unknown) => {
    const message = m as Partial<CommandMessage> & { type?: unknown };
    if (message.type === 'schakel:command' && message.requestId !== undefined && message.command !== undefined) {
      void broadcast(message as CommandMessage).then((reply) => toParent?.(reply));
      return;
    }
    // Replies to a worker's process-control request: every worker sees it, the one that asked takes it.
    for (const worker of workers.values()) if (worker.isConnected()) worker.send(m as object);
  });

  /** A launcher command on every worker; one reply, with journals and recordings merged. */
  async function broadcast(message: CommandMessage): Promise<CommandReply> {
    const results = await Promise.all(
      [...workers.values()].map(
        (worker) =>
          new Promise<unknown>((resolve) => {
            const onMessage = (m: unknown) => {
              const reply = m as Partial<CommandReply>;
              if (reply.type !== 'schakel:command-reply' || reply.requestId !== message.requestId) return;
              clearTimeout(timer);
              worker.off('message', onMessage);
              resolve(reply.result);
            };
            const timer = setTimeout(() => {
              worker.off('message', onMessage);
              resolve(undefined);
            }, 4_000);
            worker.on('message', onMessage);
            worker.send(message);
          }),
      ),
    );
    return { type: 'schakel:command-reply', requestId: message.requestId, result: mergeResults(results) };
  }

  const stop = () => {
    stopping = true;
    for (const worker of workers.values()) worker.process.kill('SIGTERM');
    const exit = () => {
      if (workers.size === 0) process.exit(0);
    };
    cluster.on('exit', exit);
    exit();
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.on('disconnect', stop);
}

/**
 * One answer from every replica's: the journal's entries and a recording's exchanges are per process, so
 * they are joined (in time order where entries carry `at`); for the rest (faults, clock, snapshot files of
 * the one shared store) the replicas agree and the first answer stands. An error from any replica wins.
 */
export function mergeResults(results: unknown[]): unknown {
  const answered = results.filter((r) => r !== undefined) as Record<string, unknown>[];
  const failed = answered.find((r) => typeof r.error === 'string');
  if (failed !== undefined) return failed;
  const first = answered[0];
  if (first === undefined) return { error: 'no replica answered' };
  for (const key of ['entries', 'exchanges'] as const) {
    if (!Array.isArray(first[key])) continue;
    const joined = answered.flatMap((r) => (Array.isArray(r[key]) ? (r[key] as unknown[]) : []));
    const at = (e: unknown) => (e as { at?: string }).at ?? '';
    return { ...first, [key]: joined.sort((a, b) => at(a).localeCompare(at(b))) };
  }
  return first;
}
