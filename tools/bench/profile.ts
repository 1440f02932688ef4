import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOURCE_STEPS, summariseProfile, type ProfileSummary } from './cpuprofile.js';
import { loadStep, type LoadStep } from './load.js';
import { startRouted } from './routed.js';

/** One profiled process of the run. */
export interface ProcessProfile {
  /** The process id in the topology: lsp, apotheek-de-vijzel, ... */
  target: string;
  summary: ProfileSummary;
  /** Where the raw .cpuprofile was kept (open it in Chrome DevTools or speedscope). */
  file: string;
}

export interface ProfileResult {
  connections: number;
  load: LoadStep;
  /** The switch point's profile when it was a target (its step table is the routed query's). */
  summary?: ProfileSummary;
  file?: string;
  /** Every other target (the sources), with steps of a source's leg (SOURCE_STEPS). */
  sources: ProcessProfile[];
}

/**
 * Runs the routed query once under load with --cpu-prof in the `targets` processes (the switch point by
 * default; the pharmacies with --profile-target). Profiling slows them down, so this is a separate
 * topology and its throughput is not compared with anything. A profile is written when the process exits
 * normally, which t.close() (SIGTERM, graceful close) gives.
 */
export async function runProfile(
  resultsDir: string,
  connections: number,
  durationS: number,
  log: (line: string) => void,
  targets: string[] = ['lsp'],
): Promise<ProfileResult> {
  const dir = mkdtempSync(join(tmpdir(), 'schakel-bench-prof-'));
  try {
    log(`profiling ${targets.join(', ')}: ${connections} connections, ${durationS} s ...`);
    // One folder per process, so that each profile is found by the process that wrote it.
    const execArgv = Object.fromEntries(
      targets.map((t) => {
        mkdirSync(join(dir, t));
        return [t, ['--cpu-prof', `--cpu-prof-dir=${join(dir, t)}`]];
      }),
    );
    const routed = await startRouted({ patients: 100, execArgv });
    const known = [...routed.topology.processes.keys()];
    const unknown = targets.filter((t) => !known.includes(t));
    if (unknown.length > 0) {
      await routed.close();
      throw new Error(`--profile-target: no process ${unknown.join(', ')} (the topology has ${known.join(', ')})`);
    }
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
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const profiles = targets.map((target): ProcessProfile => {
      const name = readdirSync(join(dir, target)).find((f) => f.endsWith('.cpuprofile'));
      if (name === undefined) throw new Error(`${target} wrote no .cpuprofile to ${join(dir, target)}`);
      const text = readFileSync(join(dir, target, name), 'utf8');
      const file = join(resultsDir, `${target}-${stamp}.cpuprofile`);
      writeFileSync(file, text);
      const profile = JSON.parse(text) as Parameters<typeof summariseProfile>[0];
      return {
        target,
        summary: summariseProfile(profile, 20, window, target === 'lsp' ? undefined : SOURCE_STEPS),
        file,
      };
    });
    const lsp = profiles.find((p) => p.target === 'lsp');
    return {
      connections,
      load,
      ...(lsp !== undefined ? { summary: lsp.summary, file: lsp.file } : {}),
      sources: profiles.filter((p) => p.target !== 'lsp'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
