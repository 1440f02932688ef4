import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine } from './machine.js';
import { HELP, parseOptions } from './options.js';
import { renderMarkdown, type BenchResult } from './report.js';
import { checkTargets } from './targets.js';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

/** Progress goes to stderr, so stdout is only the markdown table (`npm run bench -s > x.md` works). */
const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  const machine = describeMachine();
  const started = performance.now();
  const date = new Date().toISOString();
  const only = new Set(options.sections);

  // Each section is loaded only when it runs: the index section needs the switch point's migrations,
  // the others the topology, and `--only` should not depend on what it leaves out.
  const query = only.has('routed') ? await (await import('./query-bench.js')).runQueryBench(options, log) : undefined;
  const profile = only.has('profile')
    ? await (
        await import('./profile.js')
      ).runProfile(RESULTS_DIR, options.connections[0] ?? 50, options.durationS, log, options.profileTargets)
    : undefined;
  const leg = only.has('leg')
    ? await (
        await import('./source-leg.js')
      ).runSourceLeg(options.connections.slice(0, 1), options.durationS, options.warmupS, log)
    : undefined;
  const floors = only.has('floors') ? await (await import('./floors.js')).runFloors(log) : undefined;
  const index = only.has('index')
    ? await (await import('./reference-index.js')).runIndexBench(options.indexSizes, options.lookups, log)
    : undefined;
  const startup = only.has('startup')
    ? await (await import('./startup.js')).runStartupBench(options.startupRuns, log)
    : undefined;

  const soak = only.has('soak')
    ? await (
        await import('./soak.js')
      ).runSoak(options.soakMinutes, options.soakHeap ? { heapDir: RESULTS_DIR } : {}, log)
    : undefined;

  const replicas = only.has('replicas')
    ? await (await import('./replicas.js')).runReplicasBench(options, log)
    : undefined;

  const result: BenchResult = {
    date,
    mode: options.quick ? 'quick' : 'full',
    machine,
    ...(query !== undefined ? { query } : {}),
    ...(index !== undefined ? { index } : {}),
    ...(startup !== undefined ? { startup } : {}),
    ...(profile !== undefined ? { profile } : {}),
    ...(floors !== undefined ? { floors } : {}),
    ...(leg !== undefined ? { leg } : {}),
    ...(soak !== undefined ? { soak } : {}),
    ...(replicas !== undefined ? { replicas } : {}),
    targets: checkTargets({
      ...(query !== undefined ? { query } : {}),
      ...(index !== undefined ? { index } : {}),
      ...(startup !== undefined ? { startup } : {}),
      ...(soak !== undefined ? { soak } : {}),
    }),
    durationS: Math.round((performance.now() - started) / 1000),
  };
  const json = `${JSON.stringify(result, null, 2)}\n`;
  const file = join(RESULTS_DIR, `${date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, json);
  writeFileSync(join(RESULTS_DIR, 'latest.json'), json);
  process.stdout.write(renderMarkdown(result));
  log(`results: ${file}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
