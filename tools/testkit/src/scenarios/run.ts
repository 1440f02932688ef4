import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { callers, type ScenarioContext, type Target } from './context.js';
import { Scenario, type Check, type Step } from './format.js';
import { applyGiven } from './given.js';
import type { ScenarioResult } from './junit.js';
import { act, check } from './steps.js';

export interface LoadedScenario {
  file: string;
  scenario?: Scenario;
  /** Why the file is not a valid scenario. */
  error?: string;
}

/** Every .yaml/.yml file under the paths (folders are read recursively, in name order). */
export function loadScenarios(paths: string[], base = process.cwd()): LoadedScenario[] {
  const files: string[] = [];
  const walk = (p: string) => {
    if (statSync(p).isDirectory())
      for (const name of readdirSync(p).sort()) {
        const child = join(p, name);
        if (statSync(child).isDirectory() || /\.ya?ml$/.test(name)) walk(child);
      }
    else files.push(p);
  };
  for (const p of paths) walk(p);
  return files.map((file) => {
    const shown = relative(base, file) || file;
    try {
      const parsed = Scenario.safeParse(parse(readFileSync(file, 'utf8')));
      if (parsed.success) return { file: shown, scenario: parsed.data };
      return {
        file: shown,
        error: parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; '),
      };
    } catch (err) {
      return { file: shown, error: err instanceof Error ? err.message : String(err) };
    }
  });
}

export interface RunOptions {
  /** Narrate and pause between steps, for a presentation. */
  demo?: boolean;
  /** Pause after each step in --demo (default 1500 ms). */
  paceMs?: number;
  /**
   * How scenarios are kept apart. `undo` (default): fresh patients each, and what a scenario changed for
   * everyone (policies, faults, stopped or paused processes, opt-ins) is undone after it. `reset`: every
   * store is put back as it was before the run (a snapshot) before each scenario after the first.
   */
  isolation?: 'undo' | 'reset';
  /** Where progress goes (default: stdout). */
  print?: (line: string) => void;
}

const describe = (s: Step): string => {
  const v = s.value as unknown;
  if (typeof v !== 'object' || v === null) return `${s.kind} ${String(v)}`;
  const o = v as Record<string, unknown>;
  const parts = ['at', 'of', 'patient', 'consult', 'system', 'kind', 'state', 'as']
    .filter((k) => o[k] !== undefined)
    .map((k) => `${k}=${String(o[k])}`);
  return `${s.kind} ${parts.join(' ')}`.trim();
};

/** Run scenarios one after another against one running Schakel; answers a result per scenario. */
export async function runScenarios(
  target: Target,
  scenarios: LoadedScenario[],
  options: RunOptions = {},
): Promise<ScenarioResult[]> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const pause = (ms: number) => (options.demo === true ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());
  const pace = options.paceMs ?? 1_500;
  const shared = callers(target);
  const results: ScenarioResult[] = [];
  const base = `scenarios-${process.pid}`;
  const isolation = options.isolation ?? 'undo';
  if (isolation === 'reset') await target.control.snapshot(base);
  try {
    for (const [n, loaded] of scenarios.entries()) {
      const started = Date.now();
      const name = loaded.scenario?.scenario ?? loaded.file;
      const done = (r: Omit<ScenarioResult, 'file' | 'name' | 'durationMs'>) => {
        const result = { file: loaded.file, name, durationMs: Date.now() - started, ...r };
        results.push(result);
        const mark = r.outcome === 'passed' ? 'ok  ' : r.outcome === 'skipped' ? 'skip' : 'FAIL';
        print(`${mark} ${name} (${loaded.file}, ${(result.durationMs / 1000).toFixed(1)} s)`);
        if (r.message !== undefined) print(`     ${r.message}`);
        if (r.outcome === 'failed' && r.detail !== undefined) print(r.detail.replace(/^/gm, '       '));
      };
      const s = loaded.scenario;
      if (s === undefined) {
        done({ outcome: 'failed', message: 'not a valid scenario', detail: loaded.error ?? '' });
        continue;
      }
      const missing = s.given.professionals.filter(
        (p) =>
          !target.topology.organisations.some(
            (o) => o.id === p.at && o.professionals.some((q) => q.uziNumber === p.uziNumber),
          ),
      );
      if (missing.length > 0) {
        done({
          outcome: 'skipped',
          message: `this Schakel has no ${missing.map((p) => `${p.uziNumber} (${p.roleCode}) at ${p.at}`).join(', ')}; start it with the scenario runner, which adds them`,
        });
        continue;
      }
      if (isolation === 'reset' && n > 0) await target.control.restore(base);
      if (options.demo === true) {
        print(`\n=== ${s.scenario}`);
        if (s.description !== undefined) print(s.description.trim().replace(/^/gm, '    '));
        await pause(pace);
      }
      const ctx: ScenarioContext = {
        target,
        control: target.control,
        frontOffice: shared.frontOffice,
        admin: shared.admin,
        bsns: new Map(),
        answers: new Map(),
        ids: new Map(),
        undo: [],
      };
      let failure: { message: string; detail: string } | undefined;
      const steps: { phase: string; n: number; step: Step }[] = [
        ...s.when.map((step, i) => ({ phase: 'when', n: i + 1, step })),
        ...s.then.map((step, i) => ({ phase: 'then', n: i + 1, step })),
      ];
      try {
        await applyGiven(ctx, s.given);
        for (const { phase, n: i, step } of steps) {
          if (options.demo === true) print(`  ${phase} ${step.say ?? describe(step)}`);
          const isCheck = ['answer', 'accessLog', 'inbox', 'report', 'journal'].includes(step.kind);
          if (isCheck) {
            const diff = await check(ctx, step as Check);
            if (diff.length > 0) {
              failure = { message: `${phase} step ${i} (${describe(step)}) does not hold`, detail: diff.join('\n') };
              break;
            }
            if (options.demo === true) print('    ✓ as expected');
          } else await act(ctx, step as Exclude<Step, Check>);
          await pause(pace);
        }
      } catch (err) {
        failure = {
          message: `could not carry out the scenario: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
          detail: err instanceof Error ? (err.stack ?? err.message) : String(err),
        };
      } finally {
        // Undo in reverse order: a cleared fault before a restarted process, the policies last set first.
        for (const undo of ctx.undo.reverse()) await undo().catch(() => undefined);
      }
      done(failure !== undefined ? { outcome: 'failed', ...failure } : { outcome: 'passed' });
    }
  } finally {
    await shared.close();
  }
  const count = (o: string) => results.filter((r) => r.outcome === o).length;
  print(`\n${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped`);
  return results;
}
