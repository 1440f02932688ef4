import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseXml } from '@schakel/hl7v3';
import { REPO_ROOT, loadTopology } from '@schakel/topology';
import { loadScenarios, runScenarios, startSchakel, withProfessionals, type Schakel } from '@schakel/testkit';

const run = promisify(execFile);

/**
 * The scenarios in scenarios/ (issue #14, item 2) against one Schakel from the testkit: the CLI runs them
 * all with --junit, and the JUnit file says each passed; a deliberately failing fixture is reported as
 * failed, an invalid one as failed with its reason, one needing a professional the stack lacks as skipped.
 */
const FIXTURES = join(REPO_ROOT, 'tools/testkit/test/fixtures');
let schakel: Schakel;
let dir: string;
let topologyFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'schakel-scenarios-'));
  // The professionals the shipped scenarios name, as the runner adds them when it starts Schakel itself.
  const topology = withProfessionals(loadTopology(), loadScenarios([join(REPO_ROOT, 'scenarios')]));
  topologyFile = join(dir, 'topology.json');
  writeFileSync(topologyFile, JSON.stringify(topology));
  // Listening on every address, as in a container: the processes still find each other at 127.0.0.1.
  schakel = await startSchakel({ topology, seed: false, host: '0.0.0.0' });
});
afterAll(async () => {
  await schakel?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

interface Case {
  file: string;
  name: string;
  failure?: string;
  skipped?: string;
}
function casesOf(xml: string): { suite: Record<string, string>; cases: Case[] } {
  const doc = parseXml(xml);
  const suite = doc.getElementsByTagName('testsuite')[0];
  if (suite === undefined) throw new Error('no testsuite');
  const attr = (name: string) => suite.getAttribute(name) ?? '';
  return {
    suite: { tests: attr('tests'), failures: attr('failures'), skipped: attr('skipped') },
    cases: Array.from(doc.getElementsByTagName('testcase')).map((c) => {
      const failure = c.getElementsByTagName('failure')[0];
      const skipped = c.getElementsByTagName('skipped')[0];
      return {
        file: c.getAttribute('classname') ?? '',
        name: c.getAttribute('name') ?? '',
        ...(failure !== undefined ? { failure: `${failure.getAttribute('message')}: ${failure.textContent}` } : {}),
        ...(skipped !== undefined ? { skipped: skipped.getAttribute('message') ?? '' } : {}),
      };
    }),
  };
}

describe('npm run scenario -- run', () => {
  it('runs against a Schakel whose processes listen on 0.0.0.0 and announce 127.0.0.1', () => {
    expect(Object.values(schakel.urls).every((u) => u.startsWith('https://127.0.0.1:'))).toBe(true);
  });

  it(
    'runs every shipped scenario against a running Schakel and writes JUnit XML in which each passed, and the failing fixtures failed',
    { timeout: 240_000 },
    async () => {
      const junit = join(dir, 'reports', 'scenarios.xml');
      const args = [
        '--conditions=@schakel/source',
        '--import',
        'tsx',
        'tools/testkit/src/scenarios/cli.ts',
        'run',
        'scenarios',
        join(FIXTURES, 'failing'),
        '--junit',
        junit,
        '--lsp-url',
        schakel.switchPoint,
        '--data-dir',
        schakel.dataDir,
        '--topology',
        topologyFile,
      ];
      const outcome = await run(process.execPath, args, { cwd: REPO_ROOT }).then(
        (r) => ({ code: 0, stdout: r.stdout }),
        (err: unknown) => {
          const e = err as { code?: number; stdout?: string };
          return { code: e.code, stdout: e.stdout ?? '' };
        },
      );
      // One scenario failed, so the command fails, and says which.
      expect(outcome.code, outcome.stdout).toBe(1);
      expect(outcome.stdout).toMatch(/FAIL Deliberately wrong/);

      const { suite, cases } = casesOf(readFileSync(junit, 'utf8'));
      const shipped = cases.filter((c) => c.file.startsWith('scenarios/'));
      expect(shipped.length).toBe(loadScenarios([join(REPO_ROOT, 'scenarios')]).length);
      expect(shipped.filter((c) => c.failure !== undefined || c.skipped !== undefined)).toEqual([]);
      const fixture = (f: string) => cases.find((c) => c.file.endsWith(f));
      expect(fixture('wrong-expectation.yaml')?.failure).toMatch(
        /then step 1 .*sources\.apotheek-zuid\.status: expected "ok", got "refused"/s,
      );
      expect(fixture('bad-clock.yaml')?.failure).toMatch(/given\.clock\.offset: an ISO 8601 duration/);
      expect(fixture('needs-a-professional.yaml')?.skipped).toMatch(/no 900000077 \(01\.008\) at hap-midden/);
      expect(suite).toEqual({ tests: String(cases.length), failures: '2', skipped: '1' });
    },
  );

  it(
    'keeps scenarios apart with --isolation reset: each begins from the stores as they were before the run',
    { timeout: 180_000 },
    async () => {
      const isolation = loadScenarios([join(FIXTURES, 'isolation')]);
      const quiet = { print: () => undefined };
      // With a reset the second scenario does not meet the first one's patient (a snapshot is saved before
      // the run and restored before each scenario after the first) ...
      const reset = await runScenarios(schakel, isolation, { ...quiet, isolation: 'reset' });
      expect(reset.map((r) => [r.outcome, r.message])).toEqual([
        ['passed', undefined],
        ['passed', undefined],
      ]);
      // ... without one it does.
      const undone = await runScenarios(schakel, isolation, quiet);
      expect(undone.map((r) => r.outcome)).toEqual(['passed', 'failed']);
    },
  );
});
