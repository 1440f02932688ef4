import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTopology, seedDemo, startTopology, type StartOptions, type Topology } from '@schakel/topology';
import { connectSchakel, type Schakel } from './schakel.js';

export interface StartSchakelOptions {
  /** The organisations to run (default: topology/default.json); a topology object or a file path. */
  topology?: Topology | string;
  /** Seed the demo patients as `npm start` does (default true). */
  seed?: boolean;
  /** The switch point's per-source time-out (default: the topology's, 3 s). */
  sourceTimeoutMs?: number;
  /** Keep stores, logs and the PKI here (default: a new temporary folder, removed by stop()). */
  dataDir?: string;
  /** fatal|error|warn|info|debug for the processes' log files (default warn). */
  logLevel?: string;
  /** Extra environment per process id ('*' for all), e.g. short report retries. */
  env?: StartOptions['env'];
  /** Bind address of every process (default 127.0.0.1; 0.0.0.0 to be reached from elsewhere). */
  host?: string;
}

/**
 * Schakel on local processes, no container engine: the switch point and one process per organisation
 * on ephemeral ports, stores in a temporary data folder, the demo patients seeded and saved as the
 * snapshot `start` (what `control.reset()` goes back to), exactly as `npm start` does it.
 */
export async function startSchakel(options: StartSchakelOptions = {}): Promise<Schakel> {
  const topology =
    typeof options.topology === 'string' ? loadTopology(options.topology) : (options.topology ?? loadTopology());
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'schakel-testkit-'));
  const running = await startTopology({
    topology,
    ports: 'ephemeral',
    dataDir,
    logLevel: options.logLevel ?? 'warn',
    ...(options.sourceTimeoutMs !== undefined ? { sourceTimeoutMs: options.sourceTimeoutMs } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
  }).catch((err: unknown) => {
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  try {
    if (options.seed ?? true) await seedDemo(running);
    await running.snapshot('start');
    const pkiDir = join(dataDir, 'pki');
    // URLs are fixed for the life of the stack: a restarted process keeps its port.
    const urls = Object.fromEntries([...running.processes.values()].map((p) => [p.id, p.url]));
    return await connectSchakel({
      topology,
      switchPoint: running.switchPoint.url,
      urls,
      pkiDir,
      dataDir,
      async stop() {
        await running.close();
        if (ownDir) rmSync(dataDir, { recursive: true, force: true });
      },
    });
  } catch (err) {
    await running.close();
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}
