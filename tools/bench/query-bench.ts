import { startBaseline } from './baseline.js';
import { loadStep, type LoadStep } from './load.js';
import type { Transport } from './transport.js';
import { startRouted } from './routed.js';
import { baselineTls } from './trust.js';
import type { BenchOptions } from './options.js';
import { seedNationalIndex, type NationalSeed } from './national.js';
import { rssMb } from './soak.js';

export interface QueryComparison {
  connections: number;
  schakel: LoadStep;
  baseline: LoadStep;
  /** Schakel / baseline requests per second (target >= 0.6). */
  throughputRatio: number;
  /** Schakel / baseline p99 latency (target <= 2). */
  p99Ratio: number;
}

export interface QueryBenchResult {
  transport: Transport['kind'];
  patients: number;
  /** Size of one pharmacy answer; the baseline upstreams send these same bytes. */
  pharmacyAnswerBytes: number;
  topologyStartMs: number;
  comparisons: QueryComparison[];
  /** Outcomes the switch point wrote to its access log during the whole section, warm-ups included. */
  accessLogOutcomes: Record<string, number>;
  /** The switch point's resident memory after the steps (MB). */
  switchPointRssMb: number;
  /** The same routed steps against a switch point with a national-scale index (--national). */
  national?: NationalRun;
}

export interface NationalRun {
  seed: NationalSeed;
  steps: LoadStep[];
  switchPointRssMb: number;
  /** Schakel req/s with the national index over the 100-patient run's, per connection count. */
  ratios: { connections: number; ratio: number }[];
  accessLogOutcomes: Record<string, number>;
}

const PATIENTS = 100;

/**
 * The routed medication query against the bare fan-out, in the same run and on the same machine state:
 * both are up at once (the idle one costs nothing) and the steps alternate per connection count, so
 * drift in what else runs on the machine hits both.
 */
export async function runQueryBench(options: BenchOptions, log: (line: string) => void): Promise<QueryBenchResult> {
  const result = await runHundred(options, log);
  if (options.nationalPatients === undefined) return result;
  const national = await runNational(options, options.nationalPatients, log);
  national.ratios = result.comparisons.map((c) => {
    const n = national.steps.find((s) => s.connections === c.connections);
    return {
      connections: c.connections,
      ratio: Math.round(((n?.requestsPerS ?? 0) / Math.max(1, c.schakel.requestsPerS)) * 100) / 100,
    };
  });
  return { ...result, national };
}

/**
 * The same routed steps against a switch point whose store was seeded with a national-scale reference
 * index (2,000 systems, `patients` patients) before it started; the 100 bench patients come on top.
 */
async function runNational(options: BenchOptions, patients: number, log: (line: string) => void): Promise<NationalRun> {
  log(`national: seeding ${patients.toLocaleString('en')} patients into the switch point's store ...`);
  let seed: NationalSeed | undefined;
  const routed = await startRouted({
    patients: PATIENTS,
    prepareSwitchPointStore: async (file) => {
      seed = await seedNationalIndex(file, patients);
      log(`national: ${seed.entries.toLocaleString('en')} entries in ${seed.seconds} s; starting the topology ...`);
    },
  });
  try {
    const target = {
      name: 'schakel (national)',
      url: routed.url,
      verify: routed.verify,
      pids: routed.pids,
      nextRequest: routed.nextRequest,
      tlsOptions: { ...routed.requesterTls },
    };
    const steps: LoadStep[] = [];
    for (const connections of options.connections) {
      log(`schakel (national), ${connections} connections, ${options.warmupS} + ${options.durationS} s ...`);
      steps.push(await loadStep(target, connections, options.durationS, options.warmupS));
    }
    const lsp = routed.pids['lsp'];
    if (seed === undefined) throw new Error('the national store was not seeded');
    return {
      seed,
      steps,
      switchPointRssMb: lsp !== undefined ? rssMb(lsp) : 0,
      ratios: [],
      accessLogOutcomes: routed.outcomes(),
    };
  } finally {
    await routed.close();
  }
}

async function runHundred(options: BenchOptions, log: (line: string) => void): Promise<QueryBenchResult> {
  log(`starting the topology and seeding ${PATIENTS} patients at two pharmacies ...`);
  const routed = await startRouted({ patients: PATIENTS });
  try {
    const transport: Transport = routed.url.startsWith('https:')
      ? { kind: 'https', tls: await baselineTls(routed.topology) }
      : { kind: 'http' };
    log(`topology ready in ${(routed.startMs / 1000).toFixed(1)} s; starting the baseline (${transport.kind}) ...`);
    const baseline = await startBaseline(transport, routed.pharmacyAnswer);
    try {
      // The same requests (body, assertion header, client certificate) go to both: only the server side differs.
      const client = { nextRequest: routed.nextRequest, tlsOptions: { ...routed.requesterTls } };
      const targets = {
        schakel: { name: 'schakel', url: routed.url, verify: routed.verify, pids: routed.pids, ...client },
        baseline: {
          name: 'baseline',
          url: baseline.url,
          verify: (b: string) => b.includes('"sources":[{'),
          pids: baseline.pids,
          ...client,
        },
      };
      const comparisons: QueryComparison[] = [];
      for (const connections of options.connections) {
        log(`baseline, ${connections} connections, ${options.warmupS} + ${options.durationS} s ...`);
        const b = await loadStep(targets.baseline, connections, options.durationS, options.warmupS);
        log(`schakel, ${connections} connections, ${options.warmupS} + ${options.durationS} s ...`);
        const s = await loadStep(targets.schakel, connections, options.durationS, options.warmupS);
        comparisons.push({
          connections,
          schakel: s,
          baseline: b,
          throughputRatio: Math.round((s.requestsPerS / Math.max(1, b.requestsPerS)) * 100) / 100,
          p99Ratio: Math.round((s.latencyMs.p99 / Math.max(0.001, b.latencyMs.p99)) * 100) / 100,
        });
      }
      const lsp = routed.pids['lsp'];
      return {
        transport: transport.kind,
        patients: PATIENTS,
        pharmacyAnswerBytes: Buffer.byteLength(routed.pharmacyAnswer),
        topologyStartMs: Math.round(routed.startMs),
        comparisons,
        accessLogOutcomes: routed.outcomes(),
        switchPointRssMb: lsp !== undefined ? rssMb(lsp) : 0,
      };
    } finally {
      await baseline.close();
    }
  } finally {
    await routed.close();
  }
}
