import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import type { Interaction } from '@schakel/contracts';
import {
  createServiceClient,
  createSwitchPointClient,
  identifiedAs,
  openStore,
  type App,
  type TlsMaterial,
} from '@schakel/service-kit';
import { openPki, type PemPair, type Pki, type ProfessionalSubject, type SystemSubject } from '@schakel/trust/pki';
import { signAssertion } from '@schakel/trust/assertion';
import { ADMIN_SYSTEM } from '@schakel/topology';
import { buildApp as buildLsp, migrations as lspMigrations, type LspDatabase } from '@schakel/lsp';

/**
 * Test kit for unit tests: a real switch point on an ephemeral HTTPS port with an in-memory store and a
 * fresh test PKI, and real mutual-TLS clients for any system identity. (Cross-service tests start real
 * processes with startTopology instead.)
 */
export const SWITCH_POINT_SYSTEM: SystemSubject = {
  id: 'lsp',
  name: 'Schakel switch point',
  ura: '00000001',
  applicationId: '1',
  role: 'switch-point',
};
export { ADMIN_SYSTEM };

/** For a source built in a test and called with inject(): every caller is the switch point (KitOptions.identify). */
export const asSwitchPoint = identifiedAs({
  roles: ['switch-point'],
  ura: SWITCH_POINT_SYSTEM.ura,
  applicationId: SWITCH_POINT_SYSTEM.applicationId,
  serialNumber: '01',
  subject: `CN=${SWITCH_POINT_SYSTEM.name}, O=${SWITCH_POINT_SYSTEM.name}`,
});

export interface TestCaller {
  tls: TlsMaterial;
  /** Plain HTTPS with this identity: status and parsed body, never throws on 4xx/5xx. */
  http: (
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read loosely typed JSON answers
  ) => Promise<{ status: number; json: any; headers: Record<string, string | string[] | undefined> }>;
  /** The typed switch-point client with this identity. */
  lsp: ReturnType<typeof createSwitchPointClient>;
  close: () => Promise<void>;
}

export async function startSwitchPointInProcess(
  options: {
    sourceTimeoutMs?: number;
    clockSkewSeconds?: number;
    /** A store file to share with another switch point (default: in memory). */
    database?: string;
    /** A PKI folder to share with another switch point (default: a fresh one, removed on close). */
    pkiDir?: string;
  } = {},
) {
  const ownDir = options.pkiDir === undefined;
  const dir = options.pkiDir ?? mkdtempSync(join(tmpdir(), 'schakel-inproc-'));
  const pki: Pki = await openPki(dir);
  const material = (pair: PemPair): TlsMaterial => ({ ...pair, ca: pki.rootPem });
  const db = await openStore<LspDatabase>({ database: options.database ?? ':memory:', migrations: lspMigrations });
  const lspTls = material(await pki.issueSystem(SWITCH_POINT_SYSTEM));
  const app = await buildLsp(
    {
      SOURCE_TIMEOUT_MS: options.sourceTimeoutMs ?? 1_000,
      LOG_LEVEL: 'silent',
      CLOCK_SKEW_SECONDS: options.clockSkewSeconds ?? 30,
    },
    { db, cardCaPem: pki.cardCaPem, kit: { logLevel: 'silent', tls: lspTls } },
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const closers: (() => Promise<void>)[] = [];
  const apps: App[] = [app];

  function callerWith(tls: TlsMaterial | { ca: string }): TestCaller {
    const agent = new Agent({ connect: { ...tls } });
    const client = createServiceClient({ timeoutMs: 5_000, ...('key' in tls ? { tls } : { dispatcher: agent }) });
    const caller: TestCaller = {
      tls: tls as TlsMaterial,
      http: async (method, target, body, headers = {}) => {
        const r = await request(target.startsWith('http') ? target : `${url}${target}`, {
          method: method as 'GET',
          dispatcher: agent,
          headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        const text = await r.body.text();
        return {
          status: r.statusCode,
          json: text.length > 0 ? (JSON.parse(text) as unknown) : undefined,
          headers: r.headers,
        };
      },
      lsp: createSwitchPointClient(client, url),
      close: async () => {
        await agent.close();
        if ('key' in tls) await client.close();
      },
    };
    closers.push(caller.close);
    return caller;
  }
  const system = async (subject: SystemSubject, issue?: { notBefore?: Date; notAfter?: Date }) =>
    callerWith(material(await pki.issueSystem(subject, issue)));
  const admin = await system(ADMIN_SYSTEM);
  const credentials = new Map<string, PemPair>();
  async function credential(p: ProfessionalSubject): Promise<PemPair> {
    const key = `${p.ura}/${p.uziNumber}/${p.roleCode}`;
    let c = credentials.get(key);
    if (c === undefined) {
      c = await pki.issueProfessional(p);
      credentials.set(key, c);
    }
    return c;
  }
  return {
    app,
    db,
    url,
    pki,
    dir,
    lspTls,
    admin,
    /** A caller with a system certificate from this PKI (optionally with other validity dates). */
    system,
    /** A caller with no client certificate at all (it still trusts the root). */
    anonymous: () => callerWith({ ca: pki.rootPem }),
    callerWith,
    credential,
    /** Authorization header with a fresh signed assertion of this professional. */
    async assertion(
      p: ProfessionalSubject,
      bsn: string,
      extra: {
        interaction?: Interaction;
        lifetimeSeconds?: number;
        notBefore?: number;
        messageId?: string;
        responsible?: { uziNumber: string; roleCode: string };
      } = {},
    ) {
      const jws = await signAssertion(await credential(p), {
        interaction: extra.interaction ?? 'QURX_IN990011NL',
        bsn,
        ...extra,
      });
      return { authorization: `Bearer ${jws}` };
    },
    /** Keep an in-process app alive until close (e.g. a pharmacy listening for the fan-out). */
    track: (a: App) => apps.push(a),
    async close() {
      for (const c of closers) await c();
      for (const a of apps.reverse()) await a.close();
      await db.destroy();
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
export type InProcessSwitchPoint = Awaited<ReturnType<typeof startSwitchPointInProcess>>;
