import type { SoakResult } from './soak.js';
import type { IndexBenchResult } from './reference-index.js';
import type { QueryBenchResult } from './query-bench.js';
import type { StartupResult } from './startup.js';

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

/** The targets of issue #7, checked against what this run measured (only for the sections that ran). */
export function checkTargets(r: {
  query?: QueryBenchResult;
  index?: IndexBenchResult;
  startup?: StartupResult;
  soak?: SoakResult;
}): TargetCheck[] {
  const checks: TargetCheck[] = [];
  if (r.soak !== undefined) {
    const errors = r.soak.minutes.reduce((n, m) => n + m.errors, 0);
    checks.push({ target: 'soak: no errors', measured: `${errors}`, met: errors === 0 });
    const worst = Object.entries(r.soak.growth).sort((a, b) => b[1].growthPct - a[1].growthPct)[0];
    if (worst !== undefined)
      checks.push({
        target: 'soak: RSS growth after warm-up < 10 % for every process',
        measured: `worst ${worst[0]} ${worst[1].growthPct} %`,
        met: worst[1].growthPct < 10,
      });
  }
  for (const n of r.query?.national?.ratios ?? []) {
    checks.push({
      target: `national index: routed req/s within 10 % of the 100-patient run (${n.connections} conn.)`,
      measured: `${n.ratio}x`,
      met: n.ratio >= 0.9,
    });
  }
  for (const c of r.query?.comparisons ?? []) {
    checks.push({
      target: `routed query >= 0.6x baseline req/s (${c.connections} conn.)`,
      measured: `${c.throughputRatio}x`,
      met: c.throughputRatio >= 0.6,
    });
    checks.push({
      target: `routed query p99 <= 2x baseline p99 (${c.connections} conn.)`,
      measured: `${c.p99Ratio}x (${c.schakel.latencyMs.p99} vs ${c.baseline.latencyMs.p99} ms)`,
      met: c.p99Ratio <= 2,
    });
    checks.push({
      target: `no errors (${c.connections} conn.)`,
      measured: `${c.schakel.errors.total} of ${c.schakel.requests}`,
      met: c.schakel.errors.total === 0,
    });
  }
  if (r.index !== undefined) {
    const worst = Math.max(...r.index.steps.filter((s) => s.patients <= 1_000_000).map((s) => s.lookupMs.p99));
    const sizes = r.index.steps.filter((s) => s.patients <= 1_000_000).map((s) => s.patients);
    checks.push({
      target: `index lookup p99 < 1 ms (${sizes.map(short).join(', ')})`,
      measured: `worst ${worst} ms`,
      met: worst < 1,
    });
    checks.push({
      target: `index lookup p99 within 2x from ${short(sizes[0] ?? 0)} to ${short(sizes.at(-1) ?? 0)}`,
      measured: `${r.index.p99Growth}x`,
      met: r.index.p99Growth <= 2,
    });
    const national = r.index.steps.find((s) => s.patients > 1_000_000);
    if (national !== undefined)
      checks.push({
        target: `index lookup p99 < 1 ms at ${short(national.patients)} (informative)`,
        measured: `${national.lookupMs.p99} ms`,
        met: national.lookupMs.p99 < 1,
      });
  }
  if (r.startup !== undefined) {
    const s = r.startup.npmStart;
    if ('wallMs' in s)
      checks.push({
        target: 'npm start to all ready < 5 s',
        measured: `${(s.wallMs / 1000).toFixed(1)} s`,
        met: s.wallMs < 5_000,
      });
    else {
      const median = sortedMedian(r.startup.launcherMs);
      checks.push({
        target: 'start-up to all ready < 5 s (launcher only; npm start skipped)',
        measured: `${(median / 1000).toFixed(1)} s`,
        met: median < 5_000,
      });
    }
  }
  return checks;
}

export function sortedMedian(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? 0;
}

export function short(n: number): string {
  if (n >= 1_000_000) return `${n / 1_000_000}M`;
  if (n >= 1_000) return `${n / 1_000}k`;
  return String(n);
}
