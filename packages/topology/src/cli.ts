import { rmSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_PATIENTS, seedDemo } from './seed.js';
import { startTopology } from './launcher.js';
import { DEFAULT_TOPOLOGY_FILE, REPO_ROOT, loadTopology } from './topology.js';

const HELP = `Usage: npm start [-- options]

Starts the Schakel topology: the switch point and one process per organisation, seeds demo data,
and prints what runs where. Ctrl-C stops everything.

Options:
  --topology FILE   topology file (default: topology/default.json)
  --data-dir DIR    where each organisation keeps its SQLite store and log (default: ./data)
  --fresh           delete the data folder first
  --no-seed         do not seed the demo patients
  --log-level LVL   fatal|error|warn|info|debug (default: info; logs go to <data-dir>/logs)
  -h, --help        this text`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      topology: { type: 'string', default: DEFAULT_TOPOLOGY_FILE },
      'data-dir': { type: 'string', default: resolve(REPO_ROOT, 'data') },
      fresh: { type: 'boolean', default: false },
      'no-seed': { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const command = positionals[0] ?? 'start';
  if (values.help || command !== 'start') {
    process.stdout.write(`${HELP}\n`);
    process.exit(values.help ? 0 : 2);
  }
  const dataDir = resolve(values['data-dir']);
  if (values.fresh) rmSync(dataDir, { recursive: true, force: true });
  const topology = loadTopology(resolve(values.topology));
  const t0 = performance.now();
  process.stdout.write(`Starting ${topology.organisations.length + 1} processes (data in ${dataDir}) ...\n`);
  const running = await startTopology({ topology, dataDir, logLevel: values['log-level'] });
  const startedMs = performance.now() - t0;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping all processes ...\n');
    await running.close();
    process.stdout.write('Stopped.\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  for (const p of running.processes.values()) {
    p.child?.on('exit', (code, signal) => {
      if (!stopping) process.stderr.write(`!! ${p.id} exited unexpectedly (code ${code}, signal ${signal}); see ${p.logFile ?? 'its log'}\n`);
    });
  }

  const { seeded } = values['no-seed'] ? { seeded: false } : await seedDemo(running);
  const rows = [...running.processes.values()].map((p) => [p.name, roleOf(p.service), p.ura ?? '-', p.applicationId ?? '-', p.url, `${p.url}/docs`]);
  const header = ['organisation', 'role', 'URA', 'application id', 'URL', 'API docs'];
  process.stdout.write(`\nSchakel is running (all ready in ${(startedMs / 1000).toFixed(1)} s). Logs: ${dataDir}/logs\n\n${table([header, ...rows])}\n`);
  if (!values['no-seed']) {
    process.stdout.write(`\nDemo patients (${seeded ? 'seeded now' : 'already in the data folder'}):\n`);
    for (const p of DEMO_PATIENTS) process.stdout.write(`  ${p.bsn}  ${p.name.padEnd(18)} ${p.story}\n`);
    const hap = [...running.processes.values()].find((p) => p.service === 'hap');
    if (hap !== undefined) {
      const ca = relative(process.cwd(), running.adminFiles.ca);
      process.stdout.write(
        `\nEvery service speaks HTTPS with certificates from the test PKI in ${relative(process.cwd(), running.pki.dir)}.\n` +
          `Try the consent-gated medication lookup as the covering GP at ${hap.name}:\n` +
          `  curl -s --cacert ${ca} -X POST ${hap.url}/consults -H 'content-type: application/json' \\\n` +
          `    -d '{"bsn":"999900523","professional":{"uziNumber":"900000001","roleCode":"01.015","name":"Dr. H. de Wit"}}'\n` +
          `  curl -s --cacert ${ca} -X POST ${hap.url}/consults/<id from above>/medication -H 'content-type: application/json' -d '{}'\n` +
          `Read the switch point's access log with the operator's certificate:\n` +
          `  curl -s --cacert ${ca} --cert ${relative(process.cwd(), running.adminFiles.cert)} --key ${relative(process.cwd(), running.adminFiles.key)} '${running.switchPoint.url}/access-log?bsn=999900523'\n`,
      );
    }
  }
  process.stdout.write('\nPress Ctrl-C to stop.\n');
}

function roleOf(service: string): string {
  return ({ lsp: 'switch point (LSP)', gp: 'GP practice (HIS)', pharmacy: 'pharmacy (AIS)', hap: 'after-hours GP post (HAP)', seh: 'emergency department (SEH)' } as Record<string, string>)[service] ?? service;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const line = (r: string[]) => `  ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}`;
  const [head, ...body] = rows;
  return [line(head ?? []), `  ${widths.map((w) => '-'.repeat(w)).join('  ')}`, ...body.map(line)].join('\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
