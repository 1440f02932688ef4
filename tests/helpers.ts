import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Agent, request, setGlobalDispatcher, type Dispatcher } from 'undici';
import { onPostgres } from '@schakel/service-kit';
import { frontOfficeLogin, startTopology, type RunningTopology, type StartOptions } from '@schakel/topology';
import { ON_POSTGRES, freshDatabase } from './postgres/database.js';

/** Plain HTTP as an outside client would do it, answering status, headers and parsed JSON. */
export async function http(
  url: string,
  options: {
    method?: string;
    body?: unknown;
    raw?: string;
    headers?: Record<string, string>;
    signal?: AbortSignal;
    /** Another way in than the test's default (e.g. `nobody`: no certificate, no front-office session). */
    dispatcher?: Dispatcher;
  } = {},
) {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const r = await request(url, {
    method: (options.method ?? (body === undefined ? 'GET' : 'POST')) as 'GET',
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(options.dispatcher !== undefined ? { dispatcher: options.dispatcher } : {}),
  });
  const text = await r.body.text();
  let json: any;
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: r.statusCode, headers: r.headers, json, text };
}

/**
 * The whole default topology as separate processes on ephemeral ports, with its stores in a temp folder.
 * The tests act as the operator at the switch point (HTTPS that trusts the test root, with the admin
 * certificate) and, at each organisation's front office, as its first test user from the topology: each
 * request to an organisation carries that user's session unless the test sends its own Authorization
 * (`frontOffice(org, { uziNumber })` logs in as another professional; `nobody` has no session at all).
 */
export async function startTestTopology(options: StartOptions = {}): Promise<
  RunningTopology & {
    dataDir: string;
    databaseUrl: string | undefined;
    cleanup: () => Promise<void>;
    /** Authorization of a front-office session at this organisation, as its first test user or the professional named. */
    frontOffice: (orgId: string, who?: { username?: string; uziNumber?: string }) => Promise<{ authorization: string }>;
    /** HTTPS that trusts the test root and nothing more: no certificate, no front-office session. */
    nobody: Dispatcher;
  }
> {
  const dataDir = mkdtempSync(join(tmpdir(), 'schakel-test-'));
  // The PostgreSQL run: every store in a fresh database of this topology's own (tests/postgres/database.ts).
  const database = ON_POSTGRES ? await freshDatabase() : undefined;
  const t = await startTopology({
    ports: 'ephemeral',
    dataDir,
    logLevel: 'warn',
    // SQLite files otherwise, even when the shell that runs the tests has a DATABASE_URL.
    databaseUrl: database?.url ?? '',
    // On PostgreSQL the switch point runs as three replicas behind its address (issue #18, docs/deployment.md).
    // They start in two steps (the first alone, for the migrations), so the switch point may take longer to
    // be ready than one process does.
    ...(ON_POSTGRES ? { replicas: 3, readyTimeoutMs: 120_000 } : {}),
    ...options,
  });
  const sessions = new Map<string, Promise<{ authorization: string }>>();
  const frontOffice = (orgId: string, who: { username?: string; uziNumber?: string } = {}) => {
    const key = `${orgId}/${who.username ?? ''}/${who.uziNumber ?? ''}`;
    let s = sessions.get(key);
    if (s === undefined) {
      s = frontOfficeLogin(t, orgId, who);
      sessions.set(key, s);
    }
    return s;
  };
  // Sessions live in each organisation's store, so they outlast a restart of its process (same port).
  const byOrigin = new Map<string, string>();
  for (const o of t.topology.organisations)
    if (o.users.length > 0) byOrigin.set(new URL(t.url(o.id)).origin, (await frontOffice(o.id)).authorization);
  const withSession: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
    const authorization = byOrigin.get(String(opts.origin));
    const headers = (opts.headers ?? {}) as Record<string, string | string[] | undefined>;
    const has = Object.keys(headers).some((h) => h.toLowerCase() === 'authorization');
    if (authorization === undefined || Array.isArray(opts.headers) || has) return dispatch(opts, handler);
    return dispatch({ ...opts, headers: { ...headers, authorization } }, handler);
  };
  setGlobalDispatcher(
    new Agent({ connect: { ca: t.admin.ca, cert: t.admin.cert, key: t.admin.key } }).compose(withSession),
  );
  const nobody = new Agent({ connect: { ca: t.admin.ca } });
  return Object.assign(t, {
    dataDir,
    /** The PostgreSQL database of this topology (SCHAKEL_DB=postgres), else undefined: SQLite files in dataDir. */
    databaseUrl: database?.url,
    frontOffice,
    nobody,
    cleanup: async () => {
      await nobody.close();
      await t.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/**
 * Every table of one process's own store, read straight from the store rather than through the service:
 * its SQLite file in the data folder (WAL included), or, in the PostgreSQL run, its schema in the
 * topology's database (named after its id, as the launcher names it). Rows by table name.
 */
export async function storeTables(
  t: { dataDir: string; databaseUrl: string | undefined },
  id: string,
): Promise<Map<string, Record<string, unknown>[]>> {
  const tables = new Map<string, Record<string, unknown>[]>();
  if (t.databaseUrl !== undefined) {
    const schema = id.replace(/[^a-z0-9]/g, '_');
    await onPostgres(t.databaseUrl, async (query) => {
      const names = (await query(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = '${schema}' AND table_type = 'BASE TABLE'`,
      )) as { name: string }[];
      for (const { name } of names)
        tables.set(name, (await query(`SELECT * FROM "${schema}"."${name}"`)) as Record<string, unknown>[]);
    });
    return tables;
  }
  const db = new Database(join(t.dataDir, `${id}.sqlite`), { readonly: true, fileMustExist: true });
  try {
    const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    for (const { name } of names)
      tables.set(name, db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]);
  } finally {
    db.close();
  }
  return tables;
}

export const COVERING_GP = { uziNumber: '900000001', roleCode: '01.015', name: 'Dr. H. de Wit' };

export function dispense(name: string, dispensedOn = '2026-11-01') {
  return {
    product: { name, atc: 'C07AB02', gpk: '68756', zi: '14212595', strength: '47,5 mg' },
    amount: { value: 30, unit: 'stuk' },
    dosageInstruction: `1 maal per dag 1 tablet (${name})`,
    dispensedOn,
    prescriber: { name: 'Dr. A. Bakker', agb: '01012345' },
  };
}
