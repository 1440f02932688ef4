import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTopology, startTopology } from '@schakel/topology';

export interface StartupResult {
  /** startTopology({ ports: 'ephemeral' }) to every process ready, per run. */
  launcherMs: number[];
  /**
   * CPU time (user + system, ms) per run once all are ready: each process by id (the console as `console`),
   * and `launcher` for this process's own part (PKI, bundles, spawning). Linux only (/proc); a figure that
   * does not depend on what else the machine runs, unlike the wall-clock times.
   */
  cpuMs?: Record<string, number>[];
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

/** CPU time used so far by each child process of this one, by pid (Linux /proc; empty elsewhere). */
function childCpuMs(): Map<number, number> {
  const out = new Map<number, number>();
  const pids = (() => {
    try {
      return readdirSync('/proc').filter((d) => /^\d+$/.test(d));
    } catch {
      return [];
    }
  })();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // After "(comm)": state ppid ... utime (14th field of the line) stime, in clock ticks (100 per second).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid) out.set(Number(pid), (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function launcherOnce(): Promise<{ ms: number; cpuMs: Record<string, number> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'schakel-bench-start-'));
  try {
    const own = process.cpuUsage();
    const t0 = performance.now();
    const t = await startTopology({ ports: 'ephemeral', dataDir, logLevel: 'warn', console: {} });
    const ms = performance.now() - t0;
    const used = process.cpuUsage(own);
    const idOf = new Map([...t.processes.values()].map((p) => [p.child?.pid, p.id]));
    const cpuMs: Record<string, number> = { launcher: Math.round((used.user + used.system) / 1000) };
    // The rest: the console, and esbuild's service process when the bundles were built.
    const nameOf = (pid: number) =>
      idOf.get(pid) ?? (/console\.mjs/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8')) ? 'console' : 'esbuild');
    for (const [pid, cpu] of childCpuMs()) cpuMs[nameOf(pid)] = (cpuMs[nameOf(pid)] ?? 0) + cpu;
    await t.close();
    return { ms: Math.round(ms), cpuMs };
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
  const cpuMs: Record<string, number>[] = [];
  for (let i = 0; i < runs; i++) {
    log(`start-up: startTopology (ephemeral ports), run ${i + 1} of ${runs} ...`);
    const run = await launcherOnce();
    launcherMs.push(run.ms);
    cpuMs.push(run.cpuMs);
    const total = Object.values(run.cpuMs).reduce((a, b) => a + b, 0);
    log(
      `start-up: ${run.ms} ms wall; CPU ms at all ready: ${Object.entries(run.cpuMs)
        .map(([id, ms]) => `${id} ${ms}`)
        .join(', ')}; total ${total}`,
    );
  }
  log('start-up: npm start ...');
  return { launcherMs, cpuMs, npmStart: await npmStartOnce() };
}
