import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summariseProfile, type ProfileSummary } from './cpuprofile.js';
import { loadStep, type LoadStep } from './load.js';
import { startRouted } from './routed.js';

export interface ProfileResult {
  connections: number;
  load: LoadStep;
  summary: ProfileSummary;
  /** Where the raw .cpuprofile was kept (open it in Chrome DevTools or speedscope). */
  file: string;
}

/**
 * Runs the switch point once under load with --cpu-prof. Profiling slows it down, so this is a separate
 * topology and its throughput is not compared with anything. The profile is written when the process
 * exits normally, which t.close() (SIGTERM, graceful close) gives.
 */
export async function runProfile(
  resultsDir: string,
  connections: number,
  durationS: number,
  log: (line: string) => void,
): Promise<ProfileResult> {
  const dir = mkdtempSync(join(tmpdir(), 'schakel-bench-prof-'));
  try {
    log(`profiling the switch point: ${connections} connections, ${durationS} s ...`);
    const routed = await startRouted({ patients: 100, execArgv: { lsp: ['--cpu-prof', `--cpu-prof-dir=${dir}`] } });
    let load: LoadStep;
    const window = { fromUs: 0, toUs: 0 };
    try {
      // Only samples after the warm-up count: it opens every connection (TLS handshakes) once.
      const warmupS = 2;
      window.fromUs = Number(process.hrtime.bigint() / 1000n) + warmupS * 1_000_000;
      load = await loadStep(
        {
          name: 'schakel (profiled)',
          url: routed.url,
          nextRequest: routed.nextRequest,
          verify: routed.verify,
          pids: routed.pids,
          tlsOptions: { ...routed.requesterTls },
        },
        connections,
        durationS,
        warmupS,
      );
      window.toUs = Number(process.hrtime.bigint() / 1000n);
    } finally {
      await routed.close();
    }
    const name = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (name === undefined) throw new Error(`The switch point wrote no .cpuprofile to ${dir}`);
    const text = readFileSync(join(dir, name), 'utf8');
    const file = join(resultsDir, `lsp-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
    writeFileSync(file, text);
    return {
      connections,
      load,
      summary: summariseProfile(JSON.parse(text) as Parameters<typeof summariseProfile>[0], 20, window),
      file,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
