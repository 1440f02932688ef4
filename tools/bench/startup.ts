import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTopology, startTopology } from '@schakel/topology';

export interface StartupResult {
  /** startTopology({ ports: 'ephemeral' }) to every process ready, per run. */
  launcherMs: number[];
  /** `npm start -- --no-seed` from spawn to "Schakel is running", or why it was skipped. */
  npmStart: { wallMs: number; reportedMs: number | undefined } | { skipped: string };
}

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function launcherOnce(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'schakel-bench-start-'));
  try {
    const t0 = performance.now();
    const t = await startTopology({ ports: 'ephemeral', dataDir, logLevel: 'warn' });
    const ms = performance.now() - t0;
    await t.close();
    return Math.round(ms);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * `npm start` as a user types it (npm, then node with tsx, then one process per organisation), timed
 * until it prints that everything runs, then stopped with Ctrl-C (SIGINT to its process group). It uses
 * the default fixed ports, so it is skipped when any of them is taken.
 */
async function npmStartOnce(): Promise<StartupResult['npmStart']> {
  const topology = loadTopology();
  const ports = [topology.switchPoint.port, ...topology.organisations.map((o) => o.port)];
  for (const port of ports)
    if (!(await portFree(port)))
      return { skipped: `port ${port} is in use (the default topology needs ${ports.join(', ')})` };
  const dataDir = mkdtempSync(join(tmpdir(), 'schakel-bench-npm-start-'));
  const t0 = performance.now();
  const child = spawn('npm', ['start', '--', '--data-dir', dataDir, '--no-seed', '--log-level', 'warn'], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  const stopGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  try {
    let output = '';
    let onExit: ((code: number | null) => void) | undefined;
    const result = await new Promise<{ wallMs: number; reportedMs: number | undefined }>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`npm start did not report running within 60 s:\n${output.slice(-2000)}`)),
        60_000,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const m = /Schakel is running \(all ready in ([\d.]+) s\)/.exec(output);
        if (m !== null) {
          clearTimeout(timer);
          resolve({
            wallMs: Math.round(performance.now() - t0),
            reportedMs: m[1] !== undefined ? Math.round(Number(m[1]) * 1000) : undefined,
          });
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      onExit = (code) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited (code ${code}) before it was running:\n${output.slice(-2000)}`));
      };
      child.once('exit', onExit);
    });
    // Only this listener: `exited` (below) must still see the exit.
    if (onExit !== undefined) child.removeListener('exit', onExit);
    return result;
  } finally {
    stopGroup('SIGINT');
    const timer = setTimeout(() => stopGroup('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runStartupBench(runs: number, log: (line: string) => void): Promise<StartupResult> {
  const launcherMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    log(`start-up: startTopology (ephemeral ports), run ${i + 1} of ${runs} ...`);
    launcherMs.push(await launcherOnce());
  }
  log('start-up: npm start ...');
  return { launcherMs, npmStart: await npmStartOnce() };
}
