import { readFileSync, readdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadStep } from './load.js';
import { startRouted } from './routed.js';

export interface SoakMinute {
  minute: number;
  requests: number;
  requestsPerS: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  /** Resident memory (MB) of each process at the end of the minute. */
  rssMb: Record<string, number>;
}

export interface SoakResult {
  /** The rate the soak held: half of what one short step at 50 connections reached. */
  maxRequestsPerS: number;
  rate: number;
  connections: number;
  warmupMinutes: number;
  minutes: SoakMinute[];
  /** Per process: RSS at the end of the warm-up and at the end, and the growth between them. */
  growth: Record<string, { afterWarmupMb: number; endMb: number; growthPct: number }>;
  accessLogOutcomes: Record<string, number>;
  /** Heap snapshots of the switch point (before the warm-up, at the end) when asked for with --soak-heap. */
  heapSnapshots: string[];
}

/** VmRSS of a process in MB, from /proc/<pid>/status. */
export function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(line?.replace(/\D+/g, '') ?? 0) / 102.4) / 10;
}

/**
 * The soak (issue #15): the routed query for `minutes` minutes at half the maximum measured just before,
 * in one-minute steps: errors, p50/p99 and the resident memory of every process per minute, and each
 * process's growth after the warm-up (the first minute, or two from eight minutes on).
 */
export async function runSoak(
  minutes: number,
  options: { heapDir?: string },
  log: (line: string) => void,
): Promise<SoakResult> {
  log(`soak: starting the topology ...`);
  const routed = await startRouted({
    patients: 100,
    // A heap snapshot on SIGUSR2, written to heapDir.
    ...(options.heapDir !== undefined
      ? { execArgv: { lsp: ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${options.heapDir}`] } }
      : {}),
  });
  try {
    const pids: Record<string, number> = {};
    for (const p of routed.topology.processes.values()) if (p.child?.pid !== undefined) pids[p.id] = p.child.pid;
    const target = {
      name: 'schakel',
      url: routed.url,
      verify: routed.verify,
      pids: routed.pids,
      nextRequest: routed.nextRequest,
      tlsOptions: { ...routed.requesterTls },
    };
    const connections = 50;
    const max = await loadStep(target, connections, 10, 3);
    const rate = Math.max(1, Math.floor(max.requestsPerS / 2));
    log(`soak: the maximum was ${max.requestsPerS} req/s; ${minutes} minutes at ${rate} req/s ...`);
    const warmupMinutes = minutes >= 8 ? 2 : 1;
    const heapSnapshots: string[] = [];
    const snapshot = async (name: string) => {
      const lsp = routed.pids['lsp'];
      const dir = options.heapDir;
      if (dir === undefined || lsp === undefined) return;
      const before = new Set(readdirSync(dir));
      process.kill(lsp, 'SIGUSR2');
      // Writing a snapshot stops the process for a few seconds: wait for the file, then until it stops growing.
      for (let i = 0; i < 120; i++) {
        await new Promise((r) => setTimeout(r, 1_000));
        const made = readdirSync(dir).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
        if (made === undefined) continue;
        // The file appears empty while the heap is walked, then grows while it is written.
        let size = -1;
        for (;;) {
          await new Promise((r) => setTimeout(r, 2_000));
          const now = statSync(join(dir, made)).size;
          if (now > 0 && now === size) break;
          size = now;
        }
        const to = join(dir, `lsp-${name}.heapsnapshot`);
        renameSync(join(dir, made), to);
        heapSnapshots.push(to);
        return;
      }
    };
    // Writing a snapshot stops the switch point for seconds and leaves its buffers in RSS: the first one is
    // taken before the warm-up, whose minutes are not counted in the growth.
    await snapshot('start');
    const out: SoakMinute[] = [];
    for (let minute = 1; minute <= minutes; minute++) {
      const step = await loadStep({ ...target, overallRate: rate }, connections, 60, 0);
      const rss = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, rssMb(pid)]));
      out.push({
        minute,
        requests: step.requests,
        requestsPerS: step.requestsPerS,
        errors: step.errors.total,
        p50Ms: step.latencyMs.p50,
        p99Ms: step.latencyMs.p99,
        rssMb: rss,
      });
      log(
        `soak minute ${minute}: ${step.requestsPerS} req/s, ${step.errors.total} errors, p99 ${step.latencyMs.p99} ms, switch point ${rss['lsp']} MB`,
      );
    }
    await snapshot('end');
    const first = out[warmupMinutes - 1];
    const last = out.at(-1);
    const growth: SoakResult['growth'] = {};
    for (const name of Object.keys(pids)) {
      const a = first?.rssMb[name] ?? 0;
      const b = last?.rssMb[name] ?? 0;
      growth[name] = { afterWarmupMb: a, endMb: b, growthPct: a > 0 ? Math.round(((b - a) / a) * 1000) / 10 : 0 };
    }
    return {
      maxRequestsPerS: max.requestsPerS,
      rate,
      connections,
      warmupMinutes,
      minutes: out,
      growth,
      accessLogOutcomes: routed.outcomes(),
      heapSnapshots,
    };
  } finally {
    await routed.close();
  }
}
