import type { LoadStep } from './load.js';
import type { Machine } from './machine.js';
import type { Floor } from './floors.js';
import type { SoakResult } from './soak.js';
import type { ReplicasResult } from './replicas.js';
import type { ProcessProfile, ProfileResult } from './profile.js';
import type { ProfileSummary } from './cpuprofile.js';
import type { SourceLegResult } from './source-leg.js';
import type { IndexBenchResult } from './reference-index.js';
import type { QueryBenchResult } from './query-bench.js';
import type { StartupResult } from './startup.js';
import { short, sortedMedian, type TargetCheck } from './targets.js';

export interface BenchResult {
  date: string;
  mode: 'quick' | 'full';
  machine: Machine;
  query?: QueryBenchResult;
  index?: IndexBenchResult;
  startup?: StartupResult;
  profile?: ProfileResult;
  floors?: Floor[];
  leg?: SourceLegResult;
  soak?: SoakResult;
  replicas?: ReplicasResult;
  targets: TargetCheck[];
  durationS: number;
}

function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** CPU per request of the front process, the two sources and the load generator, in that order. */
function cpuCells(step: LoadStep): string {
  return Object.entries(step.cpuUsPerRequest)
    .map(([name, us]) => `${name} ${us}`)
    .join(' · ');
}

function querySection(q: QueryBenchResult): string {
  const rows = q.comparisons.flatMap((c) =>
    [c.baseline, c.schakel].map((s) => [
      c.connections,
      s.target,
      s.requestsPerS,
      s.latencyMs.p50,
      s.latencyMs.p99,
      s.errors.total,
      cpuCells(s),
      s.otherCores,
    ]),
  );
  const ratios = q.comparisons.map((c) => [c.connections, `${c.throughputRatio}x`, `${c.p99Ratio}x`]);
  return [
    `### Routed medication query vs bare fan-out (${q.transport.toUpperCase()}, ${q.patients} patients each at two pharmacies)`,
    '',
    table(
      [
        'conn.',
        'target',
        'req/s',
        'p50 ms',
        'p99 ms',
        'errors',
        'CPU µs per request, per process',
        'cores used by others',
      ],
      rows,
    ),
    '',
    table(['conn.', 'Schakel / baseline req/s (target >= 0.6)', 'Schakel / baseline p99 (target <= 2)'], ratios),
    '',
    `Access log outcomes at the switch point (warm-ups included): ${JSON.stringify(q.accessLogOutcomes)}; switch point RSS ${q.switchPointRssMb} MB`,
    ...(q.national !== undefined ? ['', nationalSection(q.national, q)] : []),
  ].join('\n');
}

function nationalSection(n: NonNullable<QueryBenchResult['national']>, q: QueryBenchResult): string {
  return [
    `#### The same routed query against a national-scale index (${short(n.seed.patients)} patients, ${n.seed.entries.toLocaleString('en')} entries, ${n.seed.systems} systems)`,
    '',
    `Seeded in ${n.seed.seconds} s wall, ${n.seed.cpuSeconds} s CPU (${n.seed.rowsPerS.toLocaleString('en')} rows/s) before the switch point started; switch point RSS after the steps ${n.switchPointRssMb} MB (${q.switchPointRssMb} MB with ${q.patients} patients).`,
    '',
    table(
      [
        'conn.',
        'req/s',
        'p50 ms',
        'p99 ms',
        'errors',
        `req/s over the ${q.patients}-patient run`,
        'cores used by others',
      ],
      n.steps.map((s) => [
        s.connections,
        s.requestsPerS,
        s.latencyMs.p50,
        s.latencyMs.p99,
        s.errors.total,
        `${n.ratios.find((r) => r.connections === s.connections)?.ratio ?? '-'}x`,
        s.otherCores,
      ]),
    ),
    '',
    `Access log outcomes (national run): ${JSON.stringify(n.accessLogOutcomes)}`,
  ].join('\n');
}

function indexSection(x: IndexBenchResult): string {
  const rows = x.steps.map((s) => [
    short(s.patients),
    s.entries.toLocaleString('en'),
    s.seedRowsPerS.toLocaleString('en'),
    (s.fileBytes / 1024 ** 2).toFixed(1),
    s.lookupMs.p50,
    s.lookupMs.p99,
    `${s.sqlLookupMs.p50} / ${s.sqlLookupMs.p99}`,
  ]);
  return [
    `### Reference index (${x.systems} pharmacies, ${x.entriesPerPatient} entries per patient, ${x.steps[0]?.lookups ?? 0} random lookups per size)`,
    '',
    table(
      ['patients', 'entries', 'seed rows/s', 'file MB', 'lookup p50 ms', 'lookup p99 ms', 'SQL only p50 / p99 ms'],
      rows,
    ),
    '',
    `p99 growth ${short(x.steps[0]?.patients ?? 0)} -> ${short(x.steps.filter((s) => s.patients <= 1_000_000).at(-1)?.patients ?? 0)}: ${x.p99Growth}x. Query plan: ${x.steps.at(-1)?.queryPlan.join('; ') ?? ''}`,
  ].join('\n');
}

function startupSection(s: StartupResult): string {
  const npm =
    'wallMs' in s.npmStart
      ? `${(s.npmStart.wallMs / 1000).toFixed(1)} s (the CLI reports ${((s.npmStart.reportedMs ?? 0) / 1000).toFixed(1)} s for its processes)`
      : `skipped: ${s.npmStart.skipped}`;
  return [
    '### Start-up',
    '',
    table(
      ['what', 'time to all ready'],
      [
        [
          `startTopology, ephemeral ports (median of ${s.launcherMs.length})`,
          `${(sortedMedian(s.launcherMs) / 1000).toFixed(1)} s (${s.launcherMs.map((m) => (m / 1000).toFixed(1)).join(', ')})`,
        ],
        ['npm start -- --no-seed (spawn to "Schakel is running")', npm],
      ],
    ),
  ].join('\n');
}

function profileSection(p: ProfileResult): string {
  return [
    ...(p.summary !== undefined && p.file !== undefined ? [switchPointProfile(p, p.summary, p.file)] : []),
    ...p.sources.map((s) => sourceProfile(p, s)),
  ].join('\n\n');
}

/** A source's profile: its leg's steps, areas and functions, in µs of its own CPU per routed request. */
function sourceProfile(p: ProfileResult, s: ProcessProfile): string {
  const us = p.load.cpuUsPerRequest[s.target] ?? 0;
  return [
    `### Where ${s.target}'s time goes (a source's leg; --cpu-prof, ${p.connections} connections, ${p.load.requestsPerS} req/s while profiled; ${us} µs per request profiled; ${s.summary.idlePercent}% idle)`,
    '',
    table(
      ['step (innermost on the stack)', '% of busy samples', 'µs per request while profiled'],
      s.summary.bySteps.map((x) => [x.step, x.percent, Math.round((us * x.percent) / 100)]),
    ),
    '',
    table(
      ['area', 'self %'],
      s.summary.byArea.slice(0, 12).map((a) => [a.area, a.selfPercent]),
    ),
    '',
    table(
      ['function', 'where', 'self %'],
      s.summary.topFunctions.slice(0, 15).map((f) => [f.what, f.where, f.selfPercent]),
    ),
    '',
    `Raw profile: ${s.file}`,
  ].join('\n');
}

function switchPointProfile(p: ProfileResult, summary: ProfileSummary, file: string): string {
  return [
    `### Where the switch point's time goes (--cpu-prof, ${p.connections} connections, ${p.load.requestsPerS} req/s while profiled; ${summary.idlePercent}% idle)`,
    '',
    table(
      ['area', 'self %'],
      summary.byArea.slice(0, 12).map((a) => [a.area, a.selfPercent]),
    ),
    '',
    table(
      ['step (innermost on the stack)', '% of busy samples', 'µs per request while profiled'],
      summary.bySteps.map((x) => [
        x.step,
        x.percent,
        Math.round(((p.load.cpuUsPerRequest.lsp ?? 0) * x.percent) / 100),
      ]),
    ),
    '',
    table(
      ['function', 'where', 'self %'],
      summary.topFunctions.slice(0, 15).map((f) => [f.what, f.where, f.selfPercent]),
    ),
    '',
    `Raw profile: ${file}`,
  ].join('\n');
}

function legSection(l: SourceLegResult): string {
  const rows = l.steps.flatMap((s) =>
    [s.bare, s.source].map((step) => [
      s.connections,
      step.target,
      step.requestsPerS,
      step.latencyMs.p50,
      step.latencyMs.p99,
      step.errors.total,
      cpuCells(step),
      step.otherCores,
    ]),
  );
  return [
    `### A source's leg alone (${l.source}'s POST /lsp/medication-queries with the switch point's certificate, beside a bare upstream answering the same ${l.answerBytes} bytes)`,
    '',
    table(
      ['conn.', 'target', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'CPU µs per request', 'cores used by others'],
      rows,
    ),
  ].join('\n');
}

function replicasSection(r: ReplicasResult): string {
  const rows = r.runs.map((run) => [
    run.store,
    run.replicas,
    Math.round(run.step.requestsPerS),
    run.step.latencyMs.p50,
    run.step.latencyMs.p99,
    run.step.errors.total,
  ]);
  return [
    `### Replicas: the routed query with 1 and 3 switch-point replicas (${r.connections} connections)`,
    '',
    table(['store', 'replicas', 'req/s', 'p50 ms', 'p99 ms', 'errors'], rows),
    ...(r.postgresSkipped !== undefined ? ['', `PostgreSQL left out: ${r.postgresSkipped}`] : []),
  ].join('\n');
}

function soakSection(s: SoakResult): string {
  const names = Object.keys(s.growth);
  return [
    `### Soak: ${s.minutes.length} minutes at ${s.rate} req/s (half of ${s.maxRequestsPerS} req/s measured at ${s.connections} connections just before)`,
    '',
    table(
      ['minute', 'req/s', 'errors', 'p50 ms', 'p99 ms', ...names.map((n) => `${n} MB`)],
      s.minutes.map((m) => [
        m.minute,
        m.requestsPerS,
        m.errors,
        m.p50Ms,
        m.p99Ms,
        ...names.map((n) => m.rssMb[n] ?? '-'),
      ]),
    ),
    '',
    `RSS growth after the warm-up (${s.warmupMinutes} min) to the end, per process (target < 10 %):`,
    '',
    table(
      ['process', 'after warm-up MB', 'end MB', 'growth %'],
      names.map((n) => [
        n,
        s.growth[n]?.afterWarmupMb ?? '-',
        s.growth[n]?.endMb ?? '-',
        s.growth[n]?.growthPct ?? '-',
      ]),
    ),
    '',
    `Access log outcomes at the switch point: ${JSON.stringify(s.accessLogOutcomes)}`,
    ...(s.heapSnapshots.length > 0 ? ['', `Heap snapshots: ${s.heapSnapshots.join(', ')}`] : []),
  ].join('\n');
}

export function renderMarkdown(r: BenchResult): string {
  const m = r.machine;
  const parts = [
    `## Schakel benchmark, ${r.date} (${r.mode}, ${r.durationS} s)`,
    '',
    `${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}, ${m.platform}; load average before the run ${m.loadAverageBefore}`,
  ];
  if (r.query !== undefined) parts.push('', querySection(r.query));
  if (r.index !== undefined) parts.push('', indexSection(r.index));
  if (r.startup !== undefined) parts.push('', startupSection(r.startup));
  if (r.profile !== undefined) parts.push('', profileSection(r.profile));
  if (r.leg !== undefined) parts.push('', legSection(r.leg));
  if (r.floors !== undefined)
    parts.push(
      '',
      '### Floors: the unavoidable parts, each alone (CPU µs per operation)',
      '',
      table(
        ['what', 'µs'],
        r.floors.map((f) => [f.what, f.usPerOp]),
      ),
    );
  if (r.soak !== undefined) parts.push('', soakSection(r.soak));
  if (r.replicas !== undefined) parts.push('', replicasSection(r.replicas));
  if (r.targets.length > 0) {
    parts.push(
      '',
      '### Targets (issue #7)',
      '',
      table(
        ['target', 'measured', 'met'],
        r.targets.map((t) => [t.target, t.measured, t.met ? 'yes' : '**no**']),
      ),
    );
  }
  return `${parts.join('\n')}\n`;
}
