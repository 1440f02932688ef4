import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { DEFAULT_TOPOLOGY_FILE, REPO_ROOT, loadTopology } from '@schakel/topology';
import { bsnCapacity } from './bsn.js';
import { DEFAULT_CONSENT_RATIOS, generate } from './generate.js';
import { writeSynthetic } from './writer.js';

const HELP = `Usage: npm run seed -- [options]

Generates Dutch synthetic patients (deterministic from the seed) and writes them straight into the
organisations' stores in the data folder, as \`npm start\` lays it out. Stop \`npm start\` first for large
sets, or run it on the same folder afterwards. Running it again adds nothing that is already there.

Options:
  --patients N      how many patients (default 1000; at most ${bsnCapacity().toLocaleString('en')})
  --seed N          seed (default 42): the same seed gives the same data
  --today DATE      the date the data is generated around, YYYY-MM-DD (default: today)
  --data-dir DIR    data folder (default: ./data)
  --topology FILE   topology file (default: topology/default.json)
  --consent A,B,C   shares of consent, no choice and objection per holder (default ${DEFAULT_CONSENT_RATIOS.consent},${DEFAULT_CONSENT_RATIOS['no-choice']},${DEFAULT_CONSENT_RATIOS.objection})
  -h, --help        this text`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${HELP}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      patients: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '42' },
      today: { type: 'string', default: new Date().toISOString().slice(0, 10) },
      'data-dir': { type: 'string', default: resolve(REPO_ROOT, 'data') },
      topology: { type: 'string', default: DEFAULT_TOPOLOGY_FILE },
      consent: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const patients = Number(values.patients);
  const seed = Number(values.seed);
  if (!Number.isInteger(patients) || patients < 1 || patients > bsnCapacity())
    fail(`--patients must be a whole number from 1 to ${bsnCapacity()}`);
  if (!Number.isInteger(seed)) fail('--seed must be a whole number');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(values.today)) fail('--today must be YYYY-MM-DD');
  let consentRatios = DEFAULT_CONSENT_RATIOS;
  if (values.consent !== undefined) {
    const [consent, noChoice, objection] = values.consent.split(',').map(Number);
    if ([consent, noChoice, objection].some((x) => x === undefined || !Number.isFinite(x) || x < 0))
      fail('--consent must be three non-negative numbers, e.g. 0.6,0.37,0.03');
    consentRatios = { consent: consent ?? 0, 'no-choice': noChoice ?? 0, objection: objection ?? 0 };
  }
  const dataDir = resolve(values['data-dir']);
  const topology = loadTopology(resolve(values.topology));

  process.stdout.write(
    `Generating ${patients.toLocaleString('en')} patients (seed ${seed}, around ${values.today}) into ${dataDir}\n`,
  );
  const bar = new cliProgress.SingleBar(
    {
      format: '  {bar} {percentage}% | {value}/{total} patients | {rate} patients/s | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 50,
      noTTYOutput: true,
      notTTYSchedule: 10_000,
    },
    cliProgress.Presets.shades_classic,
  );
  const t0 = performance.now();
  bar.start(patients, 0, { rate: '0' });
  const result = await writeSynthetic({
    dataDir,
    topology,
    recordedAt: new Date().toISOString(),
    patients: generate({ seed, patients, topology, today: values.today, consentRatios }),
    batchSize: patients >= 100_000 ? 10_000 : 1_000,
    onProgress: (p) =>
      bar.update(p.done, { rate: Math.round(p.done / ((performance.now() - t0) / 1000)).toLocaleString('en') }),
  });
  bar.stop();
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(
    `\nDone in ${seconds.toFixed(1)} s: ${result.written.toLocaleString('en')} patients written, ${result.skipped.toLocaleString('en')} already there.\n`,
  );
  for (const [table, n] of Object.entries(result.rows))
    process.stdout.write(`  ${table.padEnd(30)} ${n.toLocaleString('en')}\n`);
  let total = 0;
  for (const file of result.files) {
    const size = statSync(file).size;
    total += size;
    process.stdout.write(`  ${file.padEnd(60)} ${(size / 1024 / 1024).toFixed(1)} MiB\n`);
  }
  process.stdout.write(`  ${'total'.padEnd(60)} ${(total / 1024 / 1024).toFixed(1)} MiB\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
