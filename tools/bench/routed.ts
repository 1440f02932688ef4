import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { DispenseInput } from '@schakel/contracts';
import { createServiceClient, type TlsMaterial } from '@schakel/service-kit';
import { frontOfficeLogin, startTopology, testBsns, type RunningTopology } from '@schakel/topology';
import { requesterFor } from './trust.js';

/** The covering GP at the after-hours post (role 01.015 may see medication under the protocol). */
const PROFESSIONAL = { uziNumber: '900000001', roleCode: '01.015' };

const prescriber = { name: 'Dr. A. Bakker', agb: '01012345' };
const DISPENSES: DispenseInput[][] = [
  [
    {
      product: {
        name: 'Metoprolol succinaat 47,5 mg tablet met gereguleerde afgifte',
        atc: 'C07AB02',
        gpk: '68756',
        zi: '14212595',
        strength: '47,5 mg',
      },
      amount: { value: 90, unit: 'stuk' },
      dosageInstruction: '1 maal per dag 1 tablet',
      dispensedOn: '2026-10-02',
      prescriber,
    },
    {
      product: { name: 'Simvastatine 40 mg tablet', atc: 'C10AA01', gpk: '56065', zi: '13520733', strength: '40 mg' },
      amount: { value: 90, unit: 'stuk' },
      dosageInstruction: '1 maal per dag 1 tablet, ’s avonds',
      dispensedOn: '2026-10-02',
      prescriber,
    },
  ],
  [
    {
      product: {
        name: 'Omeprazol 20 mg capsule maagsapresistent',
        atc: 'A02BC01',
        gpk: '15954',
        zi: '14401223',
        strength: '20 mg',
      },
      amount: { value: 30, unit: 'stuk' },
      dosageInstruction: '1 maal per dag 1 capsule voor het ontbijt',
      dispensedOn: '2026-11-01',
      prescriber,
    },
  ],
];

export interface RoutedSetup {
  topology: RunningTopology;
  startMs: number;
  url: string;
  pids: Record<string, number>;
  /** The query as the HAP sends it: body, and the signed assertion for that patient. */
  nextRequest: () => { body: string; headers: Record<string, string> };
  /** The HAP's system certificate, which the load generator presents. */
  requesterTls: TlsMaterial;
  verify: (body: string) => boolean;
  /** One real pharmacy answer (QURX_IN990013NL), for the baseline upstreams to send back. */
  pharmacyAnswer: string;
  /** Access-log outcomes at the switch point so far: a second, independent error count. */
  outcomes: () => Record<string, number>;
  close: () => Promise<void>;
}

/**
 * Starts the real default topology (one process per organisation, ephemeral ports, stores in a temp
 * folder), and registers `patients` patients at both pharmacies with consent, through the pharmacies'
 * own APIs as a front office would (which is also how they enter the reference index).
 */
export async function startRouted(options: {
  patients: number;
  execArgv?: Record<string, string[]>;
  /** Written into the switch point's store before it starts (the national-scale index, national.ts). */
  prepareSwitchPointStore?: (file: string) => Promise<void>;
  /** Switch-point replicas behind its one address (the replicas step, replicas.ts). */
  replicas?: number;
  /** Every store in this PostgreSQL database instead of SQLite files (the replicas step). */
  databaseUrl?: string;
}): Promise<RoutedSetup> {
  const dataDir = mkdtempSync(join(tmpdir(), 'schakel-bench-'));
  // The launcher names each store after its process (launcher.ts); the switch point's id is lsp.
  await options.prepareSwitchPointStore?.(join(dataDir, 'lsp.sqlite'));
  const t0 = performance.now();
  const topology = await startTopology({
    ports: 'ephemeral',
    dataDir,
    logLevel: 'warn',
    ...(options.execArgv !== undefined ? { execArgv: options.execArgv } : {}),
    ...(options.replicas !== undefined ? { replicas: options.replicas } : {}),
    ...(options.databaseUrl !== undefined ? { databaseUrl: options.databaseUrl } : {}),
  });
  const startMs = performance.now() - t0;
  // The operator seeds through the front offices with its admin certificate, as the demo seed does.
  const client = createServiceClient({ timeoutMs: 10_000, tls: topology.admin });
  let asHap: ReturnType<typeof createServiceClient> | undefined;
  const close = async () => {
    await client.close();
    await asHap?.close();
    await topology.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const all = [...topology.processes.values()];
    const pharmacies = all.filter((p) => p.service === 'pharmacy');
    const hap = all.find((p) => p.service === 'hap');
    if (pharmacies.length < 2 || hap?.applicationId === undefined)
      throw new Error('The bench needs a topology with two pharmacies and a HAP');
    const bsns = testBsns(options.patients, 5_000);
    // Front offices need a logged-in local user (a test user of the topology) besides the certificate.
    const sessions = await Promise.all(
      pharmacies
        .slice(0, 2)
        .map(async (p) => ({ authorization: (await frontOfficeLogin(topology, p.id)).authorization })),
    );
    for (const bsn of bsns) {
      for (const [i, pharmacy] of pharmacies.slice(0, 2).entries()) {
        const headers = sessions[i] ?? {};
        await client.call(pharmacy.url, {
          method: 'PUT',
          path: `/patients/${bsn}`,
          body: { name: 'Anna de Boer', birthDate: '1961-04-30' },
          headers,
        });
        for (const d of DISPENSES[i] ?? [])
          await client.call(pharmacy.url, { method: 'POST', path: `/patients/${bsn}/dispenses`, body: d, headers });
        await client.call(pharmacy.url, {
          method: 'PUT',
          path: `/patients/${bsn}/consent`,
          body: { state: 'consent' },
          headers,
        });
      }
    }
    const requester = await requesterFor(topology, hap, PROFESSIONAL);
    const bodies = bsns.map((bsn) => ({
      bsn,
      body: JSON.stringify({
        bsn,
        requester: { applicationId: hap.applicationId, professional: PROFESSIONAL },
        treatmentRelation: true,
      }),
    }));
    let next = 0;
    const nextRequest = () => {
      const q = bodies[next++ % bodies.length] ?? { bsn: '', body: '' };
      return { body: q.body, headers: { authorization: `Bearer ${requester.assertion(q.bsn)}` } };
    };

    // One query by hand first: the workload must be the full path (two sources asked, both answering).
    asHap = createServiceClient({ timeoutMs: 10_000, tls: requester.tls });
    const probe = nextRequest();
    const first = await asHap.call<{ complete: boolean; sources: { status: string; dispenses?: unknown[] }[] }>(
      topology.switchPoint.url,
      {
        method: 'POST',
        path: '/queries/medication',
        body: JSON.parse(probe.body) as unknown,
        headers: probe.headers,
      },
    );
    const statuses = first.body.sources.map((s) => s.status);
    if (!first.body.complete || statuses.length !== 2 || statuses.some((s) => s !== 'ok'))
      throw new Error(`The routed query did not ask both pharmacies: ${JSON.stringify(statuses)}`);
    const pharmacyAnswer = JSON.stringify({
      interaction: 'QURX_IN990013NL',
      dispenses: first.body.sources[0]?.dispenses ?? [],
    });

    const pids: Record<string, number> = {};
    for (const p of [topology.switchPoint, ...pharmacies.slice(0, 2)])
      if (p.child?.pid !== undefined) pids[p.id] = p.child.pid;
    const lspDb = join(dataDir, `${topology.switchPoint.id}.sqlite`);
    return {
      topology,
      startMs,
      url: `${topology.switchPoint.url}/queries/medication`,
      pids,
      nextRequest,
      requesterTls: requester.tls,
      // Both sources answered: a batch with a time-out or unreachable source is "complete": false.
      verify: (body) => body.includes('"complete":true'),
      pharmacyAnswer,
      outcomes: () => {
        const db = new Database(lspDb, { readonly: true, fileMustExist: true });
        try {
          const rows = db.prepare('SELECT outcome, count(*) AS n FROM access_log GROUP BY outcome').all() as {
            outcome: string;
            n: number;
          }[];
          return Object.fromEntries(rows.map((r) => [r.outcome, r.n]));
        } finally {
          db.close();
        }
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
