import { fork, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { CLOCK_ENV, LAUNCHED_ENV } from '@schakel/service-kit';
import type { ClockSetting } from '@schakel/contracts';
import type {
  CommandMessage,
  CommandReply,
  ControlReply,
  ControlRequest,
  OrganisationCommand,
  ProcessInfo,
  ReadyMessage,
  TlsMaterial,
} from '@schakel/service-kit';
import type { SystemSubject } from '@schakel/trust/pki';
import {
  ORGANISATION_TYPE_OF,
  REPO_ROOT,
  loadTopology,
  usersOf,
  type OrganisationSpec,
  type Topology,
} from './topology.js';
import { ADMIN_SYSTEM } from './identities.js';
import { bundleServices } from './bundle.mjs';
import { frontOfficeUsersFile, preparePki } from './prepare-pki.js';

export interface StartOptions {
  topology?: Topology;
  /** 'fixed' uses the ports in the topology file; 'ephemeral' lets each process pick a free one (tests). */
  ports?: 'fixed' | 'ephemeral';
  /** Folder for each organisation's SQLite file; without it every store is in memory. */
  dataDir?: string;
  /**
   * A PostgreSQL database for every store instead of SQLite files (docs/deployment.md): each organisation
   * gets its own schema in it, named after its id. Default: the DATABASE_URL environment variable.
   */
  databaseUrl?: string;
  /** Folder for each process's log file; defaults to <dataDir>/logs, or no log files. */
  logDir?: string;
  logLevel?: string;
  /**
   * The address every process listens on (default 127.0.0.1). 0.0.0.0 lets others reach it, as in a
   * container with published ports; the processes still find each other at 127.0.0.1.
   */
  host?: string;
  /**
   * Switch-point replicas behind its one address (Node's cluster module, docs/deployment.md). They share
   * one store, so with more than one the switch point's store is a file even without `dataDir`.
   */
  replicas?: number;
  /** Override of the topology's per-source time-out at the switch point. */
  sourceTimeoutMs?: number;
  readyTimeoutMs?: number;
  /** Extra Node flags per process id ('*' for all), e.g. { lsp: ['--cpu-prof'] } to profile the switch point. */
  execArgv?: Record<string, string[]>;
  /** Where the test PKI lives (default <dataDir>/pki, or a temporary folder for in-memory runs). */
  pkiDir?: string;
  /** Extra environment per process id ('*' for all), e.g. short retry settings in tests. */
  env?: Record<string, Record<string, string>>;
  /**
   * Restart a process that exits without being asked to (a crash, an outside kill -9), with backoff:
   * 250 ms doubling to at most `maxBackoffMs` (default 10 s), back to 250 ms once it has stayed up a
   * minute. On by default; a stop through the handle below is never restarted.
   */
  supervise?: boolean | { maxBackoffMs?: number };
  /**
   * Start the web console too (services/console, issue #16), once everything else is ready: plain HTTP on
   * 127.0.0.1 (whatever `host` says: it holds the operator's certificate), at the topology's console port
   * (an ephemeral one with ephemeral ports). `patients` are the demo patients it offers.
   */
  console?: boolean | { patients?: readonly { bsn: string; name: string; story?: string }[] };
  /** Told of every crash, restart and failed restart (`npm start` prints them). */
  onEvent?: (event: SupervisorEvent) => void;
}

export type SupervisorEvent =
  | { type: 'crashed'; id: string; code: number | null; signal: NodeJS.Signals | null; restartInMs: number }
  | { type: 'restarted'; id: string; restarts: number; url: string }
  | { type: 'restart-failed'; id: string; error: string; restartInMs: number };

export interface RunningProcess {
  id: string;
  service: 'lsp' | OrganisationSpec['service'];
  name: string;
  ura?: string;
  applicationId?: string;
  url: string;
  logFile?: string;
  child: ChildProcess | undefined;
  /** How often the supervisor has restarted it after a crash. */
  restarts: number;
}

/**
 * Starts the switch point and then every organisation as its own process (separate event loops), waits
 * until each has said it is ready over IPC, and gives handles to stop, restart, pause and resume each one.
 * `npm start` and the cross-service tests both use this.
 */
export async function startTopology(options: StartOptions = {}) {
  const topology = options.topology ?? loadTopology();
  const ephemeral = options.ports === 'ephemeral';
  const logDir = options.logDir ?? (options.dataDir !== undefined ? join(options.dataDir, 'logs') : undefined);
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  if (logDir !== undefined) mkdirSync(logDir, { recursive: true });
  // The test PKI: created on first start, reused after; one certificate per system, a card per professional.
  const ownPki = options.pkiDir === undefined && options.dataDir === undefined;
  const pkiDir =
    options.pkiDir ??
    (options.dataDir !== undefined ? join(options.dataDir, 'pki') : mkdtempSync(join(tmpdir(), 'schakel-pki-')));
  const pki = await preparePki(topology, pkiDir);
  const tlsEnv = async (subject: SystemSubject) => {
    const files = await pki.ensureSystem(subject);
    return { TLS_CERT_FILE: files.certFile, TLS_KEY_FILE: files.keyFile, TLS_CA_FILE: pki.files.root };
  };
  const adminFiles = await pki.ensureSystem(ADMIN_SYSTEM);
  const admin: TlsMaterial = {
    cert: readFileSync(adminFiles.certFile, 'utf8'),
    key: readFileSync(adminFiles.keyFile, 'utf8'),
    ca: pki.rootPem,
  };
  const processes = new Map<string, RunningProcess>();
  const envs = new Map<string, Record<string, string>>();
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const entries = await bundleServices();

  async function spawn(
    id: string,
    service: string,
    env: Record<string, string>,
  ): Promise<{ child: ChildProcess; url: string; logFile?: string }> {
    const logFile = logDir !== undefined ? join(logDir, `${id}.log`) : undefined;
    const fd = logFile !== undefined ? openSync(logFile, 'a') : undefined;
    const entry = entries[service];
    if (entry === undefined) throw new Error(`No bundle for service ${service}`);
    const child = fork(entry, [], {
      cwd: REPO_ROOT,
      execArgv: ['--enable-source-maps', ...(options.execArgv?.['*'] ?? []), ...(options.execArgv?.[id] ?? [])],
      env: {
        // Which store a process uses is the launcher's choice (storeEnv), not an inherited variable.
        ...Object.fromEntries(
          Object.entries(process.env).filter(([k]) => k !== 'DATABASE_URL' && k !== 'DATABASE_SCHEMA'),
        ),
        ...env,
        ...options.env?.['*'],
        ...options.env?.[id],
        NODE_OPTIONS: '',
        // The child answers the operator's commands over IPC (process-control.ts).
        [LAUNCHED_ENV]: '1',
        // The clock the others have, so a (re)started organisation does not fall back to real time.
        [CLOCK_ENV]: clock.mode === 'real' ? '' : JSON.stringify(clock),
      },
      stdio: fd !== undefined ? ['ignore', fd, fd, 'ipc'] : ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    if (fd !== undefined) closeSync(fd);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const url = await new Promise<string>((resolveReady, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${id} did not become ready within ${readyTimeoutMs} ms${tail(logFile, stderr)}`));
      }, readyTimeoutMs);
      // A child may send other messages too; only the ready message settles this.
      child.on('message', (m: ReadyMessage | { type?: undefined }) => {
        if (m.type === 'schakel:ready') {
          clearTimeout(timer);
          resolveReady(m.url);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${id} exited before it was ready (code ${code}, signal ${signal})${tail(logFile, stderr)}`));
      });
    });
    child.removeAllListeners('exit');
    return { child, url, ...(logFile !== undefined ? { logFile } : {}) };
  }

  const store = (id: string) => (options.dataDir !== undefined ? resolve(options.dataDir, `${id}.sqlite`) : ':memory:');
  const replicas = options.replicas ?? 1;
  // Replicas share one store: a file in a folder of our own when every other store is in memory.
  const sharedStoreDir =
    replicas > 1 && options.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'schakel-replicas-')) : undefined;
  const common = { HOST: options.host ?? '127.0.0.1', LOG_LEVEL: options.logLevel ?? 'info' };
  const databaseUrl = options.databaseUrl ?? process.env['DATABASE_URL'];
  // On PostgreSQL each organisation's store is its own schema (gp-de-linde: gp_de_linde) in one database.
  const storeEnv = (id: string): Record<string, string> =>
    databaseUrl !== undefined && databaseUrl !== ''
      ? { DATABASE: store(id), DATABASE_URL: databaseUrl, DATABASE_SCHEMA: id.replace(/[^a-z0-9]/g, '_') }
      : { DATABASE: store(id) };

  async function launch(id: string): Promise<void> {
    const env = envs.get(id);
    const p = processes.get(id);
    if (env === undefined || p === undefined) throw new Error(`Unknown process ${id}`);
    const started = await spawn(id, p.service, env);
    p.child = started.child;
    p.url = started.url;
    // After the first start, keep the port so that others (the address book) still find it.
    env['PORT'] = new URL(started.url).port;
    paused.delete(id);
    down.delete(id);
    watch(p, started.child);
    // The switch point passes the operator's process control on to us.
    if (id === sp.id) started.child.on('message', (m: unknown) => void answerControl(started.child, m));
  }

  // Process control, for the handle below and for the operator through the switch point.
  const paused = new Set<string>();
  const infoOf = (p: RunningProcess): ProcessInfo => ({
    id: p.id,
    service: p.service,
    name: p.name,
    url: p.url,
    state: p.child === undefined ? 'stopped' : paused.has(p.id) ? 'paused' : 'running',
    ...(p.child?.pid !== undefined ? { pid: p.child.pid } : {}),
    restarts: p.restarts,
  });
  const actions = {
    stop: (p: RunningProcess, signal: NodeJS.Signals = 'SIGTERM') => stopChild(p, signal),
    start: async (p: RunningProcess) => {
      if (p.child === undefined) await launch(p.id);
    },
    restart: async (p: RunningProcess) => {
      await stopChild(p);
      await launch(p.id);
    },
    pause: async (p: RunningProcess) => {
      if (p.child === undefined) return;
      p.child.kill('SIGSTOP');
      paused.add(p.id);
    },
    resume: async (p: RunningProcess) => {
      p.child?.kill('SIGCONT');
      paused.delete(p.id);
    },
  };
  // The `down` fault is a stopped process (connection refused); clearing the fault starts it again.
  const down = new Set<string>();
  /** Carry out an operator's command in one organisation's process and answer what it answered. */
  async function command(p: RunningProcess, c: OrganisationCommand): Promise<unknown> {
    // Faults act on the legs the switch point calls (docs/control.md); the switch point has none of its own,
    // so a fault set on it would be accepted and do nothing.
    if (c.kind === 'fault.set' && p.id === sp.id)
      throw new Error('Faults act on the organisations the switch point calls: set the fault on one of them');
    if (c.kind === 'fault.set' && c.fault.kind === 'down') {
      down.add(p.id);
      await actions.stop(p);
      return { fault: c.fault };
    }
    if (c.kind === 'fault.clear' && down.delete(p.id)) {
      await actions.start(p);
      return { fault: null };
    }
    if (c.kind === 'fault.get' && down.has(p.id)) return { fault: { kind: 'down' } };
    const child = p.child;
    if (child === undefined || !child.connected) throw new Error(`${p.id} is not running`);
    const requestId = randomUUID();
    return new Promise((resolveReply, reject) => {
      const onMessage = (m: unknown) => {
        const reply = m as Partial<CommandReply>;
        if (reply.type !== 'schakel:command-reply' || reply.requestId !== requestId) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        const result = reply.result as { error?: string } | undefined;
        if (typeof result?.error === 'string') reject(new Error(`${p.id}: ${result.error}`));
        else resolveReply(reply.result);
      };
      const timer = setTimeout(() => {
        child.off('message', onMessage);
        reject(new Error(`${p.id} did not answer the command (is it paused?)`));
      }, 5_000);
      child.on('message', onMessage);
      const message: CommandMessage = { type: 'schakel:command', requestId, command: c };
      child.send(message);
    });
  }

  /**
   * The clock (docs/control.md, "Clock"). The launcher keeps the setting rather than each process alone: it
   * gives it to every running process now and, through the environment, to every process it starts later
   * (a restart, the supervisor, a restore, a `down` fault cleared), so all clocks stay together. A paused
   * process gets the command in its IPC channel and applies it when it is resumed.
   */
  let clock: ClockSetting = { mode: 'real' };
  async function setClock(setting: ClockSetting): Promise<void> {
    clock = setting;
    await Promise.all(
      [...processes.values()].map(async (p) => {
        const child = p.child;
        if (child === undefined || !child.connected) return;
        const c: OrganisationCommand = { kind: 'clock.set', setting };
        if (!paused.has(p.id)) {
          await command(p, c);
          return;
        }
        const message: CommandMessage = { type: 'schakel:command', requestId: randomUUID(), command: c };
        child.send(message);
      }),
    );
  }

  // Snapshots: every store at once, each with SQLite's online backup while its service runs.
  const snapshotDir = (name: string) => {
    if (databaseUrl !== undefined && databaseUrl !== '')
      throw Object.assign(
        new Error('Snapshots copy SQLite files: with a PostgreSQL store use the database server tools (pg_dump)'),
        { code: 'SNAPSHOTS_UNSUPPORTED' },
      );
    if (options.dataDir === undefined) throw new Error('Snapshots need stores in files: start with a data folder');
    if (!/^[a-z0-9-]{1,40}$/.test(name)) throw new Error('A snapshot name is 1-40 lower-case letters, digits, dashes');
    return join(options.dataDir, 'snapshots', name);
  };
  async function snapshot(name: string): Promise<{ name: string; files: string[] }> {
    const dir = snapshotDir(name);
    if ([...processes.values()].some((p) => paused.has(p.id))) throw new Error('Resume paused processes first');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const files = await Promise.all(
      [...processes.values()].map(async (p) => {
        if (p.child !== undefined) {
          const result = (await command(p, { kind: 'snapshot.save', dir })) as { files: string[] };
          return result.files;
        }
        // A stopped process has let go of its store: copy the file (and a WAL a crash may have left).
        const copied: string[] = [];
        for (const suffix of ['', '-wal']) {
          const file = `${store(p.id)}${suffix}`;
          if (!existsSync(file)) continue;
          copyFileSync(file, join(dir, basename(file)));
          copied.push(join(dir, basename(file)));
        }
        return copied;
      }),
    );
    return { name, files: files.flat() };
  }
  /** Stop everything, put every store back as it was in the snapshot, and start everything again. */
  async function restore(name: string): Promise<void> {
    const dir = snapshotDir(name);
    if (!existsSync(dir)) throw Object.assign(new Error(`No snapshot ${name}`), { code: 'NOT_FOUND' });
    const all = [...processes.values()];
    await Promise.all(all.map((p) => stopChild(p)));
    for (const p of all) {
      const file = store(p.id);
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
      for (const suffix of ['', '-wal']) {
        const saved = join(dir, `${basename(file)}${suffix}`);
        if (existsSync(saved)) copyFileSync(saved, `${file}${suffix}`);
      }
    }
    await launch(sp.id);
    await Promise.all(all.filter((p) => p.id !== sp.id).map((p) => launch(p.id)));
  }
  const snapshots = (): string[] => {
    if (options.dataDir === undefined) return [];
    const dir = join(options.dataDir, 'snapshots');
    return existsSync(dir) ? readdirSync(dir).sort() : [];
  };

  async function answerControl(child: ChildProcess, m: unknown): Promise<void> {
    const request = m as Partial<ControlRequest>;
    if (request.type !== 'schakel:control' || typeof request.requestId !== 'string') return;
    const base = { type: 'schakel:control-reply' as const, requestId: request.requestId };
    let reply: ControlReply;
    try {
      let result: unknown;
      if (request.action === 'snapshot') result = await snapshot(request.name ?? '');
      else if (request.action === 'snapshots') result = { names: snapshots() };
      else if (request.action === 'clock') await setClock(request.clock ?? { mode: 'real' });
      else if (request.action === 'restore') {
        snapshotDir(request.name ?? '');
        if (!existsSync(snapshotDir(request.name ?? '')))
          throw Object.assign(new Error(`No snapshot ${request.name}`), { code: 'NOT_FOUND' });
        // The switch point that asks is restarted too: answer first, then restore.
        const name = request.name ?? '';
        setTimeout(() => {
          restore(name).catch((err: unknown) =>
            options.onEvent?.({
              type: 'restart-failed',
              id: sp.id,
              error: `restore ${name}: ${err instanceof Error ? err.message : String(err)}`,
              restartInMs: 0,
            }),
          );
        }, 200);
        result = { name, restoring: true };
      } else if (request.action !== 'list' && request.action !== undefined) {
        const p = request.id !== undefined ? processes.get(request.id) : undefined;
        if (p === undefined)
          throw Object.assign(new Error(`No process ${request.id} in this topology`), { code: 'NOT_FOUND' });
        if (request.action === 'command') {
          if (request.command === undefined) throw new Error('A command without its command');
          result = await command(p, request.command);
        } else {
          if (p.id === sp.id)
            throw Object.assign(new Error('The switch point does not stop or pause itself: use Ctrl-C'), {
              code: 'CONFLICT',
            });
          await actions[request.action](p);
        }
      }
      reply = {
        ...base,
        ok: true,
        processes: [...processes.values()].map(infoOf),
        ...(result !== undefined ? { result } : {}),
      };
    } catch (err) {
      const known = (err as { code?: unknown }).code;
      const code = known === 'NOT_FOUND' || known === 'SNAPSHOTS_UNSUPPORTED' ? known : 'CONFLICT';
      reply = {
        ...base,
        ok: false,
        code,
        detail: err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err),
      };
    }
    if (child.connected) child.send(reply);
  }

  // The supervisor: a child that exits on its own is started again, later each time it keeps crashing.
  const supervise = options.supervise ?? true;
  const maxBackoffMs = (typeof supervise === 'object' ? supervise.maxBackoffMs : undefined) ?? 10_000;
  const backoff = new Map<string, { next: number; upSince: number }>();
  let closing = false;
  function watch(p: RunningProcess, child: ChildProcess): void {
    const upSince = Date.now();
    child.once('exit', (code, signal) => {
      if (closing || stopping.has(child) || supervise === false || p.child !== child) return;
      p.child = undefined;
      const b = backoff.get(p.id);
      const delay = b === undefined || Date.now() - upSince > 60_000 ? 250 : Math.min(b.next * 2, maxBackoffMs);
      backoff.set(p.id, { next: delay, upSince });
      options.onEvent?.({ type: 'crashed', id: p.id, code, signal, restartInMs: delay });
      scheduleRestart(p, delay);
    });
  }
  function scheduleRestart(p: RunningProcess, delay: number): void {
    setTimeout(() => {
      if (closing || p.child !== undefined) return;
      launch(p.id).then(
        () => {
          p.restarts += 1;
          options.onEvent?.({ type: 'restarted', id: p.id, restarts: p.restarts, url: p.url });
        },
        (err: unknown) => {
          const next = Math.min(delay * 2, maxBackoffMs);
          options.onEvent?.({
            type: 'restart-failed',
            id: p.id,
            error: err instanceof Error ? err.message : String(err),
            restartInMs: next,
          });
          scheduleRestart(p, next);
        },
      );
    }, delay).unref();
  }

  const sp = topology.switchPoint;
  processes.set(sp.id, {
    id: sp.id,
    service: 'lsp',
    name: sp.name,
    ura: sp.ura,
    applicationId: sp.applicationId,
    url: '',
    child: undefined,
    restarts: 0,
  });
  envs.set(sp.id, {
    ...common,
    ...(await tlsEnv({ id: sp.id, name: sp.name, ura: sp.ura, applicationId: sp.applicationId, role: 'switch-point' })),
    CARD_CA_FILE: pki.files.cardCa,
    // Always named: the bundled switch point cannot find its default file relative to itself.
    PROTOCOL_FILE: resolve(REPO_ROOT, topology.settings.protocolFile ?? 'services/lsp/protocol/default.json'),
    PORT: String(ephemeral ? 0 : sp.port),
    ...storeEnv(sp.id),
    ...(sharedStoreDir !== undefined && (databaseUrl ?? '') === ''
      ? { DATABASE: join(sharedStoreDir, `${sp.id}.sqlite`) }
      : {}),
    REPLICAS: String(replicas),
    SOURCE_TIMEOUT_MS: String(options.sourceTimeoutMs ?? topology.settings.sourceTimeoutMs),
    POLICY_CORONA_OPT_IN: topology.settings.policies.coronaOptIn ? 'on' : 'off',
    POLICY_STOP_BUTTON: topology.settings.policies.stopButton ? 'on' : 'off',
    POLICY_PRESUMED_CONSENT: topology.settings.policies.presumedConsent ? 'on' : 'off',
  });
  // The console is no organisation: not in the address book, the process list, snapshots or faults. It
  // only needs to know where everyone is: with fixed ports that is known now, so it starts with the rest.
  const consoleWanted = options.console !== undefined && options.console !== false;
  // As each process announces itself (service-kit's listen): the loopback address when it listens on all.
  const host = common.HOST === '0.0.0.0' ? '127.0.0.1' : common.HOST === '::' ? '::1' : common.HOST;
  const reachable = host.includes(':') ? `[${host}]` : host;
  const urlOf = (id: string, port: number) =>
    ephemeral ? (processes.get(id)?.url ?? '') : `https://${reachable}:${port}`;
  const startConsole = () => {
    const patients = typeof options.console === 'object' ? (options.console.patients ?? []) : [];
    return spawn('console', 'console', {
      HOST: '127.0.0.1',
      LOG_LEVEL: options.logLevel ?? 'info',
      PORT: String(ephemeral ? 0 : (topology.console?.port ?? 7080)),
      LSP_URL: urlOf(sp.id, sp.port),
      TLS_CERT_FILE: adminFiles.certFile,
      TLS_KEY_FILE: adminFiles.keyFile,
      TLS_CA_FILE: pki.files.root,
      CONSOLE_PUBLIC_DIR: resolve(REPO_ROOT, 'services/console/public'),
      CONSOLE_PATIENTS: JSON.stringify(patients),
      CONSOLE_ORGANISATIONS: JSON.stringify(
        topology.organisations.map((o) => ({
          id: o.id,
          service: o.service,
          name: o.name,
          url: urlOf(o.id, o.port),
          ura: o.ura,
          applicationId: o.applicationId,
          users: usersOf(o),
        })),
      ),
    });
  };
  let consoleStarted: ReturnType<typeof startConsole> | undefined;
  try {
    // With fixed ports the switch point's URL is known in advance, so everything starts at once (the
    // organisations retry entering the address book until it answers). Ephemeral ports need it first.
    const lspStarted = launch(sp.id);
    if (ephemeral) await lspStarted;
    const lspUrl = ephemeral ? (processes.get(sp.id)?.url ?? '') : `https://127.0.0.1:${sp.port}`;
    for (const o of topology.organisations) {
      processes.set(o.id, {
        id: o.id,
        service: o.service,
        name: o.name,
        ura: o.ura,
        applicationId: o.applicationId,
        url: '',
        child: undefined,
        restarts: 0,
      });
      envs.set(o.id, {
        ...common,
        ...(await tlsEnv({
          id: o.id,
          name: o.name,
          ura: o.ura,
          applicationId: o.applicationId,
          organisationType: ORGANISATION_TYPE_OF[o.service],
        })),
        CREDENTIALS_DIR: join(pkiDir, 'professionals', o.ura),
        FRONT_OFFICE_USERS_FILE: frontOfficeUsersFile(pkiDir, o),
        PORT: String(ephemeral ? 0 : o.port),
        ...storeEnv(o.id),
        ORG_URA: o.ura,
        ORG_NAME: o.name,
        APPLICATION_ID: o.applicationId,
        LSP_URL: lspUrl,
        WIRE: o.wire,
      });
    }
    if (consoleWanted && !ephemeral) consoleStarted = startConsole();
    await Promise.all([lspStarted, ...topology.organisations.map((o) => launch(o.id)), consoleStarted]);
    if (consoleWanted && ephemeral) consoleStarted = startConsole();
    await consoleStarted;
  } catch (err) {
    closing = true;
    await Promise.all([
      ...[...processes.values()].map((p) => stopChild(p)),
      consoleStarted?.then(stopChild, () => undefined),
    ]);
    throw err;
  }
  const consoleChild: { child: ChildProcess | undefined; url: string } | undefined = await consoleStarted;

  let extraSwitchPoints = 0;
  const get = (id: string): RunningProcess => {
    const p = processes.get(id);
    if (p === undefined) throw new Error(`No process ${id} in this topology`);
    return p;
  };
  return {
    topology,
    processes,
    pki,
    /** The operator's admin certificate (and the root to trust): for seeding, tests and curl. */
    admin,
    adminFiles: { cert: adminFiles.certFile, key: adminFiles.keyFile, ca: pki.files.root },
    switchPoint: get(sp.id),
    get,
    url: (id: string) => get(id).url,
    /** Stop one process (SIGTERM for a graceful close, SIGKILL for a crash) and wait until it is gone. */
    stop: (id: string, signal: NodeJS.Signals = 'SIGTERM') => actions.stop(get(id), signal),
    /**
     * Another switch-point process on the same store, certificate and settings, on its own ephemeral port
     * (several switch points on one PostgreSQL database, docs/deployment.md). Not supervised; stop it
     * with its own `stop` (SIGKILL for a crash).
     */
    startSwitchPointReplica: async () => {
      const env = envs.get(sp.id);
      if (env === undefined) throw new Error('The switch point has not started');
      const started = await spawn(`${sp.id}-replica-${++extraSwitchPoints}`, 'lsp', {
        ...env,
        PORT: '0',
        REPLICAS: '1',
      });
      return {
        url: started.url,
        pid: started.child.pid,
        stop: (signal: NodeJS.Signals = 'SIGTERM') => stopChild({ child: started.child }, signal),
      };
    },
    /** Start a stopped process again on the same port with the same store. */
    restart: (id: string) => actions.restart(get(id)),
    /** Freeze a process (SIGSTOP): it keeps its port but answers nothing, like a hung system. */
    pause: (id: string) => void actions.pause(get(id)),
    resume: (id: string) => void actions.resume(get(id)),
    /** Every process and its state, as the operator's control API lists them. */
    list: () => [...processes.values()].map(infoOf),
    /** Save every store at once under a name (in <dataDir>/snapshots/<name>), while everything runs. */
    snapshot,
    /** Stop everything, put the stores back as in the snapshot, start everything again (same ports). */
    restore,
    snapshots,
    /** The web console's URL, when it was started (`console` option). */
    consoleUrl: consoleChild?.url,
    /** Give every process this clock, now and at every later (re)start (the operator's PUT /control/clock). */
    setClock,
    /** The clock setting the launcher gives the processes it starts. */
    clock: () => clock,
    close: async () => {
      closing = true;
      if (consoleChild !== undefined) await stopChild(consoleChild);
      await Promise.all([...processes.values()].map((p) => stopChild(p)));
      if (ownPki) rmSync(pkiDir, { recursive: true, force: true });
      if (sharedStoreDir !== undefined) rmSync(sharedStoreDir, { recursive: true, force: true });
    },
  };
}
export type RunningTopology = Awaited<ReturnType<typeof startTopology>>;

/** Processes being stopped on purpose: the supervisor leaves them down. */
const stopping = new WeakSet<ChildProcess>();

async function stopChild(p: { child: ChildProcess | undefined }, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const child = p.child;
  if (child !== undefined) stopping.add(child);
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
    p.child = undefined;
    return;
  }
  const exited = once(child, 'exit');
  child.kill('SIGCONT');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  p.child = undefined;
}

function tail(logFile: string | undefined, stderr: string): string {
  let text = stderr;
  if (logFile !== undefined && existsSync(logFile)) text = readFileSync(logFile, 'utf8').slice(-4000);
  return text.trim().length > 0 ? `\n--- last output ---\n${text.trim()}` : '';
}
