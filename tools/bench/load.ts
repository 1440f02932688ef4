import autocannon, { type RawRequest } from 'autocannon';
import { machineBusySeconds, watchCpu } from './proc-cpu.js';

export interface LoadTarget {
  /** Name in the report, e.g. "schakel" or "baseline". */
  name: string;
  url: string;
  /** A fresh request per request: the load rotates over many patients, each with a new assertion. */
  nextRequest: () => { body: string; headers: Record<string, string> };
  /** Cheap check of a 200 answer; a false answer counts as an error (autocannon "mismatch"). */
  verify: (body: string) => boolean;
  /** Processes whose CPU time is charged to this target, by name. */
  pids: Record<string, number>;
  tlsOptions?: Record<string, unknown>;
  /** A fixed rate over all connections (the soak); without it, as fast as the target answers. */
  overallRate?: number;
}

export interface LoadStep {
  target: string;
  connections: number;
  durationS: number;
  requests: number;
  requestsPerS: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  errors: { total: number; connection: number; timeouts: number; non2xx: number; mismatches: number };
  /** CPU microseconds per completed request, per process (the load generator is "bench"). */
  cpuUsPerRequest: Record<string, number>;
  /** Share of one core each process used during the step. */
  cpuCores: Record<string, number>;
  /** Cores used by everything else on the machine meanwhile: how shared the machine was. */
  otherCores: number;
}

function run(target: LoadTarget, connections: number, durationS: number) {
  return autocannon({
    url: target.url,
    connections,
    duration: durationS,
    // Longer than the switch point's per-source time-out, so a slow source shows as a partial batch
    // (a mismatch) rather than a client time-out.
    timeout: 10,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request: RawRequest) => {
          const next = target.nextRequest();
          return { ...request, body: next.body, headers: { ...request.headers, ...next.headers } };
        },
      },
    ],
    verifyBody: target.verify,
    ...(target.tlsOptions !== undefined ? { tlsOptions: target.tlsOptions } : {}),
    ...(target.overallRate !== undefined ? { overallRate: target.overallRate } : {}),
  });
}

/**
 * One load step: a warm-up that is thrown away (JIT, keep-alive pools, SQLite page cache), then the
 * measured run, with the CPU time of every process read from /proc before and after.
 */
export async function loadStep(
  target: LoadTarget,
  connections: number,
  durationS: number,
  warmupS: number,
): Promise<LoadStep> {
  if (warmupS > 0) await run(target, connections, warmupS);
  const cpu = watchCpu({ ...target.pids, bench: process.pid });
  const busy0 = machineBusySeconds();
  const r = await run(target, connections, durationS);
  const used = cpu.stop();
  const busy = machineBusySeconds() - busy0;
  const requests = r.requests.total;
  const ok = Math.max(1, requests);
  const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
  return {
    target: target.name,
    connections,
    durationS: r.duration,
    requests,
    requestsPerS: round(requests / r.duration, 0),
    latencyMs: {
      p50: r.latency.p50,
      p90: r.latency.p90,
      p99: r.latency.p99,
      max: r.latency.max,
      mean: round(r.latency.mean, 2),
    },
    // A non-2xx answer also fails `verify`, so it is in both non2xx and mismatches; count it once.
    errors: {
      total: r.errors + Math.max(r.non2xx, r.mismatches),
      connection: r.errors,
      timeouts: r.timeouts,
      non2xx: r.non2xx,
      mismatches: r.mismatches,
    },
    cpuUsPerRequest: Object.fromEntries(Object.entries(used).map(([name, s]) => [name, round((s * 1e6) / ok, 0)])),
    cpuCores: Object.fromEntries(Object.entries(used).map(([name, s]) => [name, round(s / r.duration, 2)])),
    otherCores: round(Math.max(0, busy - Object.values(used).reduce((a, b) => a + b, 0)) / r.duration, 2),
  };
}
