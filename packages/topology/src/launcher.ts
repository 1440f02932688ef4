import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import type { ReadyMessage, TlsMaterial } from '@schakel/service-kit';
import type { SystemSubject } from '@schakel/trust/pki';
import { ORGANISATION_TYPE_OF, REPO_ROOT, loadTopology, type OrganisationSpec, type Topology } from './topology.js';
import { ADMIN_SYSTEM } from './identities.js';
import { bundleServices } from './bundle.js';
import { preparePki } from './prepare-pki.js';

export interface StartOptions {
  topology?: Topology;
  /** 'fixed' uses the ports in the topology file; 'ephemeral' lets each process pick a free one (tests). */
  ports?: 'fixed' | 'ephemeral';
  /** Folder for each organisation's SQLite file; without it every store is in memory. */
  dataDir?: string;
  /** Folder for each process's log file; defaults to <dataDir>/logs, or no log files. */
  logDir?: string;
  logLevel?: string;
  /** Override of the topology's per-source time-out at the switch point. */
  sourceTimeoutMs?: number;
  readyTimeoutMs?: number;
  /** Extra Node flags per process id ('*' for all), e.g. { lsp: ['--cpu-prof'] } to profile the switch point. */
  execArgv?: Record<string, string[]>;
  /** Where the test PKI lives (default <dataDir>/pki, or a temporary folder for in-memory runs). */
  pkiDir?: string;
  /** Extra environment per process id ('*' for all), e.g. short retry settings in tests. */
  env?: Record<string, Record<string, string>>;
}

export interface RunningProcess {
  id: string;
  service: 'lsp' | OrganisationSpec['service'];
  name: string;
  ura?: string;
  applicationId?: string;
  url: string;
  logFile?: string;
  child: ChildProcess | undefined;
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
      env: { ...process.env, ...env, ...options.env?.['*'], ...options.env?.[id], NODE_OPTIONS: '' },
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
  const common = { HOST: '127.0.0.1', LOG_LEVEL: options.logLevel ?? 'info' };

  async function launch(id: string): Promise<void> {
    const env = envs.get(id);
    const p = processes.get(id);
    if (env === undefined || p === undefined) throw new Error(`Unknown process ${id}`);
    const started = await spawn(id, p.service, env);
    p.child = started.child;
    p.url = started.url;
    // After the first start, keep the port so that others (the address book) still find it.
    env['PORT'] = new URL(started.url).port;
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
  });
  envs.set(sp.id, {
    ...common,
    ...(await tlsEnv({ id: sp.id, name: sp.name, ura: sp.ura, applicationId: sp.applicationId, role: 'switch-point' })),
    CARD_CA_FILE: pki.files.cardCa,
    // Always named: the bundled switch point cannot find its default file relative to itself.
    PROTOCOL_FILE: resolve(REPO_ROOT, topology.settings.protocolFile ?? 'services/lsp/protocol/default.json'),
    PORT: String(ephemeral ? 0 : sp.port),
    DATABASE: store(sp.id),
    SOURCE_TIMEOUT_MS: String(options.sourceTimeoutMs ?? topology.settings.sourceTimeoutMs),
    POLICY_CORONA_OPT_IN: topology.settings.policies.coronaOptIn ? 'on' : 'off',
    POLICY_STOP_BUTTON: topology.settings.policies.stopButton ? 'on' : 'off',
    POLICY_PRESUMED_CONSENT: topology.settings.policies.presumedConsent ? 'on' : 'off',
  });
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
        PORT: String(ephemeral ? 0 : o.port),
        DATABASE: store(o.id),
        ORG_URA: o.ura,
        ORG_NAME: o.name,
        APPLICATION_ID: o.applicationId,
        LSP_URL: lspUrl,
      });
    }
    await Promise.all([lspStarted, ...topology.organisations.map((o) => launch(o.id))]);
  } catch (err) {
    await Promise.all([...processes.values()].map((p) => stopChild(p)));
    throw err;
  }

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
    stop: (id: string, signal: NodeJS.Signals = 'SIGTERM') => stopChild(get(id), signal),
    /** Start a stopped process again on the same port with the same store. */
    restart: async (id: string) => {
      await stopChild(get(id));
      await launch(id);
    },
    /** Freeze a process (SIGSTOP): it keeps its port but answers nothing, like a hung system. */
    pause: (id: string) => void get(id).child?.kill('SIGSTOP'),
    resume: (id: string) => void get(id).child?.kill('SIGCONT'),
    close: async () => {
      await Promise.all([...processes.values()].map((p) => stopChild(p)));
      if (ownPki) rmSync(pkiDir, { recursive: true, force: true });
    },
  };
}
export type RunningTopology = Awaited<ReturnType<typeof startTopology>>;

async function stopChild(p: RunningProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const child = p.child;
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
