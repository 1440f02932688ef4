import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { Recording } from '@schakel/service-kit';
import { DEFAULT_TOPOLOGY_FILE, REPO_ROOT, loadTopology } from '@schakel/topology';
import { controlClient } from '../control.js';
import { startSchakel } from '../local.js';
import { pkiLayout } from '../schakel.js';
import type { Target } from './context.js';
import { withProfessionals } from './topology.js';
import { junitXml } from './junit.js';
import { loadScenarios, runScenarios } from './run.js';
import { Scenario } from './format.js';
import { scenarioFromRecording } from './from-recording.js';

const HELP = `Usage: npm run scenario -- run PATH... [options]
       npm run scenario -- from-recording RECORDING.json --out SCENARIO.yaml [--topology FILE]

Runs scenario files (YAML; a folder is read recursively) against Schakel and prints progress. Without
--lsp-url it starts Schakel on local processes for the run (ephemeral ports, a temporary data folder),
with the professionals the scenarios need added to the topology, and stops it after.

Options:
  --junit FILE        also write the results as JUnit XML
  --demo              run slowly and narrate each step, for a presentation
  --pace MS           pause after each step in --demo (default 1500)
  --isolation MODE    undo (default): fresh patients, and global changes undone after each scenario;
                      reset: every store put back as before the run, before each scenario
  --lsp-url URL       run against a running Schakel (e.g. npm start: https://127.0.0.1:7000)
  --data-dir DIR      its data folder, for the admin certificate and the PKI (default ./data)
  --topology FILE     its topology file (default topology/default.json)
  -h, --help          this text

from-recording turns a recording (npm run -s schakel -- record stop --out F) into a scenario that replays
its queries and checks the recorded per-source statuses and decisions (docs/control.md).

Exit status: 0 when every scenario passed (or was skipped), 1 otherwise.`;

/** A recording as a scenario file; what it could not replay is printed. */
function fromRecording(file: string, out: string | undefined, topologyFile: string): number {
  if (out === undefined) {
    process.stderr.write('from-recording needs --out SCENARIO.yaml\n');
    return 2;
  }
  const recording = Recording.parse(JSON.parse(readFileSync(resolve(file), 'utf8')));
  const { scenario, notes } = scenarioFromRecording(recording, loadTopology(resolve(topologyFile)));
  Scenario.parse(scenario);
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(resolve(out), stringify(scenario));
  for (const note of notes) process.stdout.write(`note: ${note}\n`);
  process.stdout.write(`Scenario: ${resolve(out)} (run it with npm run scenario -- run ${out})\n`);
  return 0;
}

async function main(): Promise<number> {
  const [verb, ...args] = process.argv.slice(2);
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      junit: { type: 'string' },
      demo: { type: 'boolean', default: false },
      pace: { type: 'string', default: '1500' },
      isolation: { type: 'string', default: 'undo' },
      'lsp-url': { type: 'string' },
      'data-dir': { type: 'string', default: resolve(REPO_ROOT, 'data') },
      topology: { type: 'string', default: DEFAULT_TOPOLOGY_FILE },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (verb === 'from-recording' && positionals.length === 1 && !values.help)
    return fromRecording(positionals[0] as string, values.out, values.topology);
  if (values.help || verb !== 'run' || positionals.length === 0) {
    process.stdout.write(`${HELP}\n`);
    return values.help ? 0 : 2;
  }
  if (values.isolation !== 'undo' && values.isolation !== 'reset') {
    process.stderr.write(`--isolation is undo or reset, not ${values.isolation}\n`);
    return 2;
  }
  const scenarios = loadScenarios(positionals.map((p) => resolve(p)));
  const topology = loadTopology(resolve(values.topology));
  let target: Target;
  let stop: () => Promise<void>;
  if (values['lsp-url'] !== undefined) {
    const pkiDir = join(resolve(values['data-dir']), 'pki');
    const control = await controlClient(pkiDir, values['lsp-url']);
    const urls = Object.fromEntries((await control.processes()).map((p) => [p.id, p.url]));
    target = { topology, urls, switchPoint: values['lsp-url'], pki: pkiLayout(pkiDir, topology), control };
    stop = () => control.close();
    process.stdout.write(`Running ${scenarios.length} scenario(s) against ${values['lsp-url']}\n`);
  } else {
    process.stdout.write(`Starting Schakel for ${scenarios.length} scenario(s) ...\n`);
    const schakel = await startSchakel({ topology: withProfessionals(topology, scenarios) });
    target = schakel;
    stop = () => schakel.stop();
  }
  try {
    const results = await runScenarios(target, scenarios, {
      demo: values.demo,
      paceMs: Number(values.pace),
      isolation: values.isolation,
    });
    if (values.junit !== undefined) {
      const file = resolve(values.junit);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, junitXml(results));
      process.stdout.write(`JUnit XML: ${file}\n`);
    }
    return results.some((r) => r.outcome === 'failed') ? 1 : 0;
  } finally {
    await stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
