import { rmSync } from 'node:fs';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import {
  INTERACTIONS,
  ORGANISATION_TYPES,
  ProblemError,
  SetClock,
  type ClockState,
  type Interaction,
} from '@schakel/contracts';
import { signAssertion } from '@schakel/trust/assertion';
import { EnrolmentInput, enrol } from './enrol.js';
import {
  HL7_QUERY_INTERACTIONS,
  applicationIdForCard,
  signedQueryEnvelope,
  type Hl7QueryInteraction,
} from './hl7-envelope.js';
import { preparePki } from './prepare-pki.js';
import { operatorClient, type OperatorClient } from './operator.js';
import type { ProcessAction } from '@schakel/service-kit';
import { frontOfficeLogin } from './front-office-login.js';
import { parseArgs } from 'node:util';
import { DEMO_PATIENTS, seedDemo } from './seed.js';
import { startTopology } from './launcher.js';
import { bundleServices } from './bundle.mjs';
import { DEFAULT_TOPOLOGY_FILE, REPO_ROOT, loadTopology } from './topology.js';

const HELP = `Usage: npm start [-- options]              start the topology (the default command)
       npm run enrol -- options                enrol a new organisation's system
       npm run -s schakel -- assertion options print a signed professional assertion
       npm run -s schakel -- hl7 options       print a signed HL7v3 query in a SOAP envelope
       npm run schakel -- pki [--data-dir DIR]   issue the topology's certificates and cards only
       npm run -s schakel -- processes         list the running topology's processes and their state
       npm run -s schakel -- stop|start|restart|pause|resume ID
                                               control one organisation of the running topology
       npm run -s schakel -- snapshot NAME | restore NAME | snapshots | reset
                                               save or put back every store at once; reset = restore start
       npm run -s schakel -- record start | record stop --out FILE
                                               record both legs through the switch point, pseudonymised
       npm run -s schakel -- clock [--offset P4M | --at ISO [--freeze] | --freeze | reset]
                                               show or move every service's domain clock; reset = real time
       npm run -s schakel -- login options     log in at a front office, print the session token
       npm run -s schakel -- seed [--by-name]  seed the demo patients into a running topology
       npm run -s schakel -- bundle            bundle the services for plain Node (the container image does)

npm start starts the Schakel topology: the switch point and one process per organisation, seeds demo
data, and prints what runs where. Ctrl-C stops everything.

Options of start:
  --topology FILE   topology file (default: topology/default.json)
  --data-dir DIR    where each organisation keeps its SQLite store and log (default: ./data)
  --fresh           delete the data folder first
  --no-seed         do not seed the demo patients
  --log-level LVL   fatal|error|warn|info|debug (default: info; logs go to <data-dir>/logs)
  --host ADDR       the address every process listens on (default 127.0.0.1; 0.0.0.0 in a container)
  --replicas N      run the switch point as N replicas behind its one address, on one shared store
                    (default 1; docs/deployment.md)
  -h, --help        this text

Options of enrol (the topology must have been started once, so that its test PKI exists):
  --id ID                 short name, e.g. my-his (lower-case letters, digits, dashes)
  --name NAME             organisation name
  --ura URA               8-digit URA
  --application-id ID     GBZ application id
  --type T                organisation type: ${Object.keys(ORGANISATION_TYPES).join(' ')}
                          (A1 is a pharmacy institution; SCHAKEL-RAV, Schakel's local code, an ambulance service)
  --professional U:R:NAME UZI number, role code and name of a professional to issue a UZI card for (repeatable)
  --base-url URL          https URL where the switch point reaches the system (only for systems that hold data)
  --provides CATS         comma-separated data categories the system answers for
  --wire json|hl7v3|fhir  how the switch point asks it as a source (default json: POST <base URL>/lsp/...;
                          hl7v3: HL7v3 in SOAP POSTed to the base URL itself, your AORTA endpoint;
                          fhir: FHIR R4 searches below the base URL, your FHIR base)
  --lsp-url URL           the switch point (default https://127.0.0.1:7000)
  --data-dir DIR          the topology's data folder (default ./data)

Options of processes, stop, start ID, restart, pause and resume (the operator's process control, through
the switch point with the admin certificate; pause freezes a process with SIGSTOP, like a hung system):
  --lsp-url URL           the switch point (default https://127.0.0.1:7000)
  --data-dir DIR          the topology's data folder, for the admin certificate (default ./data)

Options of clock (through the switch point with the admin certificate; docs/control.md, "Clock"):
  --offset DUR            run ahead of real time (behind: --offset=-P1D): an ISO 8601 duration (P4M, PT2H) or ms
  --at ISO                jump to this time, e.g. 2027-01-01T09:00:00Z; it runs on from there
  --freeze                with --at: stand still at that time; alone: stand still at the clock's now
  --lsp-url URL, --data-dir DIR   as for processes
  e.g. npm run -s schakel -- clock --offset P4M; npm run -s schakel -- clock reset

Options of login (the topology must be running; prints a token for Authorization: Bearer, valid 30 minutes):
  --org ID                the organisation, e.g. hap-midden (see topology/default.json)
  --user NAME             one of its test users (default: its first); the password comes from the topology file
  --topology FILE         topology file (default: topology/default.json)
  --data-dir DIR          the topology's data folder, for the test root certificate (default ./data)
  e.g. TOKEN=$(npm run -s schakel -- login --org hap-midden --user hdewit)
       curl -s --cacert data/pki/root-ca.pem -H "authorization: Bearer $TOKEN" https://127.0.0.1:7301/front-office/session

Options of assertion (prints a compact JWS, valid 5 minutes):
  --card PREFIX           card files without .cert.pem/.key.pem, e.g. data/pki/enrolled/my-his/cards/900000099
  --bsn BSN               the patient
  --interaction NAME      default QURX_IN990011NL

Options of hl7 (prints a SOAP 1.2 envelope with WS-Addressing, the card holder's XML-DSig signed
assertion valid 5 minutes, and the HL7v3 query with treatment relation asserted; send it once):
  --card PREFIX           card files without .cert.pem/.key.pem; the card holder is the author
  --bsn BSN               the patient
  --interaction NAME      QURX_IN990011NL (medication, default) or QUPC_IN990001NL (GP summary)
  --application-id ID     the sending system (default: read from the system certificate beside the card)
  --lsp-url URL           the switch point (default https://127.0.0.1:7000); the envelope goes to <URL>/aorta/query
  Send it with the same system's certificate, e.g.
    npm run -s schakel -- hl7 --card data/pki/enrolled/my-his/cards/900000099 --bsn 999900146 |
      curl -s --cacert data/pki/enrolled/my-his/root-ca.pem --cert data/pki/enrolled/my-his/system.cert.pem \\
        --key data/pki/enrolled/my-his/system.key.pem -H 'content-type: application/soap+xml' \\
        --data-binary @- https://127.0.0.1:7000/aorta/query`;

async function main(): Promise<void> {
  const [first, ...rest] = process.argv.slice(2);
  const command = first !== undefined && !first.startsWith('-') ? first : 'start';
  const args = first !== undefined && !first.startsWith('-') ? rest : process.argv.slice(2);
  // `start` with an organisation's id controls that process; without one it starts the topology.
  if (command === 'start' && args[0] !== undefined && !args[0].startsWith('-')) return controlCommand('start', args);
  switch (command) {
    case 'start':
      return start(args);
    case 'snapshot':
    case 'restore':
    case 'snapshots':
    case 'reset':
      return snapshotCommand(command, args);
    case 'processes':
    case 'stop':
    case 'restart':
    case 'pause':
    case 'resume':
      return controlCommand(command, args);
    case 'enrol':
      return enrolCommand(args);
    case 'assertion':
      return assertionCommand(args);
    case 'hl7':
      return hl7Command(args);
    case 'pki':
      return pkiCommand(args);
    case 'login':
      return loginCommand(args);
    case 'seed':
      return seedCommand(args);
    case 'bundle':
      for (const [service, file] of Object.entries(await bundleServices()))
        process.stdout.write(`${service} ${file}\n`);
      return;
    case 'record':
      return recordCommand(args);
    case 'clock':
      return clockCommand(args);
    default:
      process.stderr.write(`Unknown command ${command}\n\n${HELP}\n`);
      process.exit(2);
  }
}

async function enrolCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      id: { type: 'string' },
      name: { type: 'string' },
      ura: { type: 'string' },
      'application-id': { type: 'string' },
      type: { type: 'string' },
      professional: { type: 'string', multiple: true, default: [] },
      'base-url': { type: 'string' },
      provides: { type: 'string', default: '' },
      wire: { type: 'string', default: 'json' },
      'lsp-url': { type: 'string', default: 'https://127.0.0.1:7000' },
      'data-dir': { type: 'string', default: resolve(REPO_ROOT, 'data') },
    },
  });
  const professionals = values.professional.map((p) => {
    const [uziNumber = '', roleCode = '', ...name] = p.split(':');
    return { uziNumber, roleCode, name: name.join(':') || `Professional ${uziNumber}` };
  });
  const parsed = EnrolmentInput.safeParse({
    id: values.id,
    name: values.name,
    ura: values.ura,
    applicationId: values['application-id'],
    organisationType: values.type,
    ...(values['base-url'] !== undefined ? { baseUrl: values['base-url'] } : {}),
    provides: values.provides.split(',').filter(Boolean),
    wire: values.wire,
    professionals,
    lspUrl: values['lsp-url'],
    pkiDir: join(resolve(values['data-dir']), 'pki'),
  });
  if (!parsed.success) {
    process.stderr.write(
      `Cannot enrol:\n${parsed.error.issues.map((i) => `  --${String(i.path[0] ?? '')}${i.path.length > 1 ? `[${i.path.slice(1).join('.')}]` : ''}: ${i.message}`).join('\n')}\n\nSee npm start -- --help\n`,
    );
    process.exit(2);
  }
  const { examples } = await enrol(parsed.data);
  process.stdout.write(`${examples}\n`);
}

/** The options every operator verb takes: where the switch point is, and the data folder with the admin certificate. */
const OPERATOR_OPTIONS = {
  'lsp-url': { type: 'string', default: 'https://127.0.0.1:7000' },
  'data-dir': { type: 'string', default: resolve(REPO_ROOT, 'data') },
} as const;

/**
 * One operator verb: a client of the switch point with the admin certificate for `act`, closed after it; a
 * refusal or failure prints `label: reason` and exits 1.
 */
async function asOperator(
  label: string,
  values: { 'lsp-url': string; 'data-dir': string },
  act: (lsp: OperatorClient) => Promise<void>,
): Promise<void> {
  const lsp = await operatorClient(join(resolve(values['data-dir']), 'pki'), values['lsp-url']);
  try {
    await act(lsp);
  } catch (err) {
    process.stderr.write(`${label}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  } finally {
    await lsp.close();
  }
}

/** The operator's process control: list, or act on one organisation and print the new states. */
async function controlCommand(verb: ProcessAction | 'processes', args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: OPERATOR_OPTIONS,
  });
  const id = positionals[0];
  if (verb !== 'processes' && (id === undefined || positionals.length > 1)) {
    process.stderr.write(`${verb} needs one organisation id (see: npm run -s schakel -- processes)\n`);
    process.exit(2);
  }
  await asOperator(`${verb}${id !== undefined ? ` ${id}` : ''}`, values, async (lsp) => {
    const processes = verb === 'processes' ? await lsp.processes() : await lsp.controlProcess(id ?? '', verb);
    const rows = processes.map((p) => [
      p.id,
      p.state,
      p.pid !== undefined ? String(p.pid) : '-',
      String(p.restarts),
      p.url,
    ]);
    process.stdout.write(`${table([['id', 'state', 'pid', 'restarts', 'URL'], ...rows])}\n`);
  });
}

/** The domain clock of every service: show it, offset it, move or freeze it, or put it back on real time. */
async function clockCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      offset: { type: 'string' },
      at: { type: 'string' },
      freeze: { type: 'boolean', default: false },
      ...OPERATOR_OPTIONS,
    },
  });
  const reset = positionals[0] === 'reset';
  const setting =
    values.offset !== undefined
      ? { offset: /^-?\d+$/.test(values.offset) ? Number(values.offset) : values.offset }
      : values.at !== undefined
        ? { at: values.at, ...(values.freeze ? { frozen: true } : {}) }
        : values.freeze
          ? { frozen: true }
          : undefined;
  const parsed = setting === undefined ? undefined : SetClock.safeParse(setting);
  if (
    positionals.length > 1 ||
    (positionals.length === 1 && !reset) ||
    (reset && setting !== undefined) ||
    (values.offset !== undefined && (values.at !== undefined || values.freeze)) ||
    parsed?.success === false
  ) {
    process.stderr.write(
      'clock takes --offset DURATION|MS, or --at ISO [--freeze], or --freeze, or reset (see npm start -- --help)\n',
    );
    process.exit(2);
  }
  await asOperator(`clock`, values, async (lsp) => {
    const state: ClockState = reset
      ? await lsp.resetClock()
      : parsed?.success === true
        ? await lsp.setClock(parsed.data)
        : await lsp.clock();
    const how =
      state.setting.mode === 'real'
        ? 'real time'
        : state.setting.mode === 'frozen'
          ? 'frozen'
          : `real time ${state.setting.offsetMs >= 0 ? '+' : '-'} ${Math.abs(state.setting.offsetMs)} ms`;
    process.stdout.write(`${state.now}  (${how})\n`);
  });
}

/** Record and replay (docs/control.md): start a recording, or stop it and write the pseudonymised file. */
async function recordCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      ...OPERATOR_OPTIONS,
    },
  });
  const verb = positionals[0];
  if ((verb !== 'start' && verb !== 'stop') || (verb === 'stop' && values.out === undefined)) {
    process.stderr.write('Usage: record start | record stop --out FILE\n');
    process.exit(2);
  }
  await asOperator(`record ${verb}`, values, async (lsp) => {
    if (verb === 'start') {
      const started = await lsp.startRecording();
      process.stdout.write(`Recording since ${started.since} at ${started.processes.length} processes\n`);
    } else {
      const recording = await lsp.stopRecording();
      const out = resolve(values.out ?? '');
      writeFileSync(out, `${JSON.stringify(recording, null, 2)}\n`);
      process.stdout.write(
        `${recording.exchanges.length} exchanges, ${recording.pseudonyms.bsns.length} patients under pseudonyms: ${out}\n`,
      );
    }
  });
}

/** Snapshots: save, restore (and wait until everything runs again), list; reset restores `start`. */
async function snapshotCommand(verb: 'snapshot' | 'restore' | 'snapshots' | 'reset', args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: OPERATOR_OPTIONS,
  });
  const name = verb === 'reset' ? 'start' : positionals[0];
  if ((verb === 'snapshot' || verb === 'restore') && name === undefined) {
    process.stderr.write(`${verb} needs a snapshot name\n`);
    process.exit(2);
  }
  await asOperator(`${verb}${name !== undefined ? ` ${name}` : ''}`, values, async (lsp) => {
    if (verb === 'snapshots') {
      process.stdout.write(`${(await lsp.snapshots()).join('\n')}\n`);
    } else if (verb === 'snapshot') {
      const saved = await lsp.saveSnapshot(name ?? '');
      process.stdout.write(`Saved ${saved.name}: ${saved.files.length} stores\n`);
    } else {
      await lsp.restoreSnapshot(name ?? '');
      process.stdout.write(`Restoring ${name}: every process restarts ...\n`);
      const until = Date.now() + 60_000;
      await new Promise((r) => setTimeout(r, 500));
      for (;;) {
        const processes = await lsp.processes().catch(() => undefined);
        if (processes?.every((p) => p.state === 'running') === true) break;
        if (Date.now() > until) throw new Error('the topology did not come back within 60 s');
        await new Promise((r) => setTimeout(r, 250));
      }
      process.stdout.write(`Restored ${name}.\n`);
    }
  });
}

/** Issue the topology's certificates and UZI cards without starting anything (for containers). */
async function pkiCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      topology: { type: 'string', default: DEFAULT_TOPOLOGY_FILE },
      'data-dir': { type: 'string', default: resolve(REPO_ROOT, 'data') },
    },
  });
  const dir = join(resolve(values['data-dir']), 'pki');
  await preparePki(loadTopology(resolve(values.topology)), dir);
  process.stdout.write(`Test PKI ready in ${dir}\n`);
}

/** Log in at a front office as one of the topology's test users and print the token (for curl). */
async function loginCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      org: { type: 'string' },
      user: { type: 'string' },
      topology: { type: 'string', default: DEFAULT_TOPOLOGY_FILE },
      'data-dir': { type: 'string', default: resolve(REPO_ROOT, 'data') },
    },
  });
  const topology = loadTopology(resolve(values.topology));
  const org = topology.organisations.find((o) => o.id === values.org);
  if (org === undefined) {
    process.stderr.write(`login needs --org, one of: ${topology.organisations.map((o) => o.id).join(' ')}\n`);
    process.exit(2);
  }
  const ca = readFileSync(join(resolve(values['data-dir']), 'pki', 'root-ca.pem'), 'utf8');
  const port = (id: string) => topology.organisations.find((o) => o.id === id)?.port ?? 0;
  const { authorization } = await frontOfficeLogin(
    { topology, url: (id) => `https://127.0.0.1:${port(id)}`, admin: { ca } },
    org.id,
    values.user !== undefined ? { username: values.user } : {},
  );
  process.stdout.write(`${authorization.slice('Bearer '.length)}\n`);
}

/**
 * The demo seed for a topology that runs elsewhere (docker compose's one-shot `seed` service, another
 * terminal). Each organisation is at https://127.0.0.1:<port>, or with --by-name at https://<id>:<port>
 * as containers name each other. Seeding twice changes nothing.
 */
async function seedCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      topology: { type: 'string', default: DEFAULT_TOPOLOGY_FILE },
      'data-dir': { type: 'string', default: resolve(REPO_ROOT, 'data') },
      'by-name': { type: 'boolean', default: false },
    },
  });
  const topology = loadTopology(resolve(values.topology));
  const host = (id: string) => (values['by-name'] ? id : '127.0.0.1');
  const processes = new Map(
    topology.organisations.map((o) => [
      o.id,
      { id: o.id, service: o.service, url: `https://${host(o.id)}:${o.port}`, applicationId: o.applicationId },
    ]),
  );
  const ca = readFileSync(join(resolve(values['data-dir']), 'pki', 'root-ca.pem'), 'utf8');
  const { seeded } = await seedDemo({
    topology,
    processes,
    url: (id) => processes.get(id)?.url ?? '',
    admin: { ca },
  });
  process.stdout.write(seeded ? 'Seeded the demo patients.\n' : 'The demo patients were already there.\n');
}

async function assertionCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      card: { type: 'string' },
      bsn: { type: 'string' },
      interaction: { type: 'string', default: 'QURX_IN990011NL' },
    },
  });
  if (values.card === undefined || values.bsn === undefined || !(values.interaction in INTERACTIONS)) {
    process.stderr.write('assertion needs --card PREFIX and --bsn BSN (and a known --interaction)\n');
    process.exit(2);
  }
  const credential = {
    cert: readFileSync(`${values.card}.cert.pem`, 'utf8'),
    key: readFileSync(`${values.card}.key.pem`, 'utf8'),
  };
  process.stdout.write(
    `${await signAssertion(credential, { interaction: values.interaction as Interaction, bsn: values.bsn })}\n`,
  );
}

async function hl7Command(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      card: { type: 'string' },
      bsn: { type: 'string' },
      interaction: { type: 'string', default: 'QURX_IN990011NL' },
      'application-id': { type: 'string' },
      'lsp-url': { type: 'string', default: 'https://127.0.0.1:7000' },
    },
  });
  const interaction = values.interaction as Hl7QueryInteraction;
  if (values.card === undefined || values.bsn === undefined || !HL7_QUERY_INTERACTIONS.includes(interaction)) {
    process.stderr.write(
      `hl7 needs --card PREFIX and --bsn BSN (and --interaction ${HL7_QUERY_INTERACTIONS.join(' or ')})\n`,
    );
    process.exit(2);
  }
  const card = {
    cert: readFileSync(`${values.card}.cert.pem`, 'utf8'),
    key: readFileSync(`${values.card}.key.pem`, 'utf8'),
  };
  const applicationId = values['application-id'] ?? applicationIdForCard(values.card, card.cert);
  if (applicationId === undefined) {
    process.stderr.write(`hl7 cannot tell which system ${values.card} belongs with: give --application-id ID\n`);
    process.exit(2);
  }
  try {
    process.stdout.write(
      `${signedQueryEnvelope({ card, bsn: values.bsn, interaction, applicationId, lspUrl: values['lsp-url'] })}\n`,
    );
  } catch (err) {
    // The codec refuses what the switch point would refuse (a BSN failing the 11-proef, a bad application id).
    if (!(err instanceof ProblemError)) throw err;
    process.stderr.write(`hl7: ${err.code}: ${err.message}\n`);
    process.exit(2);
  }
}

async function start(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      topology: { type: 'string', default: DEFAULT_TOPOLOGY_FILE },
      'data-dir': { type: 'string', default: resolve(REPO_ROOT, 'data') },
      fresh: { type: 'boolean', default: false },
      'no-seed': { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'info' },
      host: { type: 'string', default: '127.0.0.1' },
      replicas: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const replicas = Number(values.replicas);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 16) {
    process.stderr.write('--replicas takes a number from 1 to 16\n');
    process.exit(2);
  }
  if (values.help || positionals.length > 0) {
    process.stdout.write(`${HELP}\n`);
    process.exit(values.help ? 0 : 2);
  }
  const dataDir = resolve(values['data-dir']);
  if (values.fresh) rmSync(dataDir, { recursive: true, force: true });
  const topology = loadTopology(resolve(values.topology));
  const t0 = performance.now();
  process.stdout.write(`Starting ${topology.organisations.length + 1} processes (data in ${dataDir}) ...\n`);
  const logs = join(dataDir, 'logs');
  const running = await startTopology({
    topology,
    dataDir,
    logLevel: values['log-level'],
    host: values.host,
    replicas,
    console: { patients: DEMO_PATIENTS },
    // The supervisor restarts a crashed organisation; say so, with where to look.
    onEvent: (e) => {
      const line =
        e.type === 'crashed'
          ? `!! ${e.id} exited unexpectedly (code ${e.code}, signal ${e.signal}); restarting in ${e.restartInMs} ms; see ${join(logs, `${e.id}.log`)}`
          : e.type === 'restarted'
            ? `.. ${e.id} restarted (${e.restarts} time${e.restarts === 1 ? '' : 's'}) at ${e.url}`
            : `!! ${e.id} did not come back (${e.error.split('\n')[0]}); next try in ${e.restartInMs} ms`;
      process.stderr.write(`${line}\n`);
    },
  });
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

  const { seeded } = values['no-seed'] ? { seeded: false } : await seedDemo(running);
  // What `npm run -s schakel -- reset` goes back to: the state this start began with (seed included).
  await running.snapshot('start');
  const rows = [...running.processes.values()].map((p) => [
    p.name,
    roleOf(p.service),
    p.ura ?? '-',
    p.applicationId ?? '-',
    p.url,
    `${p.url}/docs`,
  ]);
  const header = ['organisation', 'role', 'URA', 'application id', 'URL', 'API docs'];
  process.stdout.write(
    `\nSchakel is running (all ready in ${(startedMs / 1000).toFixed(1)} s). Logs: ${dataDir}/logs\n\n` +
      `  Open the console: ${running.consoleUrl ?? '(not started)'}   (live sequence, act as a role, patient, operator)\n\n` +
      `${table([header, ...rows])}\n`,
  );
  if (!values['no-seed']) {
    process.stdout.write(`\nDemo patients (${seeded ? 'seeded now' : 'already in the data folder'}):\n`);
    for (const p of DEMO_PATIENTS) process.stdout.write(`  ${p.bsn}  ${p.name.padEnd(18)} ${p.story}\n`);
    const hap = [...running.processes.values()].find((p) => p.service === 'hap');
    // Paths as a newcomer types them: relative inside the checkout, absolute elsewhere.
    const shown = (p: string) => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p));
    if (hap !== undefined) {
      const ca = shown(running.adminFiles.ca);
      process.stdout.write(
        `\nEvery service speaks HTTPS with certificates from the test PKI in ${shown(running.pki.dir)}.\n` +
          `Try the consent-gated medication lookup as the covering GP at ${hap.name} (test user hdewit):\n` +
          `  TOKEN=$(npm run -s schakel -- login --org ${hap.id} --user hdewit)\n` +
          `  curl -s --cacert ${ca} -H "authorization: Bearer $TOKEN" -X POST ${hap.url}/consults -H 'content-type: application/json' -d '{"bsn":"999900523"}'\n` +
          `  curl -s --cacert ${ca} -H "authorization: Bearer $TOKEN" -X POST ${hap.url}/consults/<id from above>/medication -H 'content-type: application/json' -d '{}'\n` +
          `Front-office test users (password: the username followed by -test): ${frontOfficeUsers(running.topology)}\n` +
          `Read the switch point's access log with the operator's certificate:\n` +
          `  curl -s --cacert ${ca} --cert ${shown(running.adminFiles.cert)} --key ${shown(running.adminFiles.key)} '${running.switchPoint.url}/access-log?bsn=999900523'\n`,
      );
    }
  }
  process.stdout.write('\nPress Ctrl-C to stop.\n');
}

function frontOfficeUsers(topology: { organisations: { id: string; users: { username: string }[] }[] }): string {
  return topology.organisations.map((o) => `${o.id} ${o.users.map((u) => u.username).join('/')}`).join(', ');
}

function roleOf(service: string): string {
  return (
    (
      {
        lsp: 'switch point (LSP)',
        gp: 'GP practice (HIS)',
        pharmacy: 'pharmacy (AIS)',
        hap: 'after-hours GP post (HAP)',
        seh: 'emergency department (SEH)',
        ambulance: 'ambulance service (RAV)',
        hospital: 'hospital (ZIS)',
      } as Record<string, string>
    )[service] ?? service
  );
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
