import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { AORTA_ID_HEADER } from '@schakel/contracts';
import { createServiceClient } from '@schakel/service-kit';
import { testBsns } from '@schakel/topology';
import { forkReady, stopChild } from './children.js';
import { loadStep, type LoadStep } from './load.js';
import { startRouted } from './routed.js';
import { baselineTls, systemTls } from './trust.js';
import { transportEnv } from './transport.js';

export interface SourceLegResult {
  /** The pharmacy whose leg was loaded (the first of the topology). */
  source: string;
  answerBytes: number;
  /** Per connection count: the bare upstream, then the pharmacy, each alone on the same answer. */
  steps: { connections: number; bare: LoadStep; source: LoadStep }[];
}

/**
 * A source's leg alone (docs/performance.md, "Sources' cost per leg"): the bench calls a pharmacy's
 * POST /lsp/medication-queries itself, with the switch point's certificate, as the switch point does on
 * each routed query; and a bare upstream (tools/bench/baseline/upstream.ts, same PKI, the same answer
 * bytes) the same way, alternating. Without the switch point in between, the CPU per request of the one
 * process is what its leg costs, with less noise from the rest of the topology.
 */
export async function runSourceLeg(
  connectionsList: number[],
  durationS: number,
  warmupS: number,
  log: (line: string) => void,
): Promise<SourceLegResult> {
  const routed = await startRouted({ patients: 100 });
  const t = routed.topology;
  try {
    const pharmacy = [...t.processes.values()].find((p) => p.service === 'pharmacy');
    if (pharmacy?.child?.pid === undefined) throw new Error('The leg step needs a pharmacy process');
    const sp = t.topology.switchPoint;
    const tls = await systemTls(t, {
      id: sp.id,
      name: sp.name,
      ura: sp.ura,
      applicationId: sp.applicationId,
      role: 'switch-point',
    });
    // What the switch point sends on the JSON leg: the query with the requester it vouches for.
    const bodies = testBsns(100, 5_000).map((bsn) =>
      JSON.stringify({
        bsn,
        requester: {
          ura: '01234567',
          organisationName: 'Huisartsenpost (bench)',
          professional: { uziNumber: '900000001', roleCode: '01.015' },
        },
      }),
    );
    let next = 0;
    const nextRequest = () => ({
      body: bodies[next++ % bodies.length] ?? '',
      headers: { [AORTA_ID_HEADER]: `initialRequestID=${randomUUID()}; requestID=${randomUUID()}` },
    });
    const url = `${pharmacy.url}/lsp/medication-queries`;
    const client = createServiceClient({ timeoutMs: 10_000, tls });
    const probe = nextRequest();
    const first = await client.call(pharmacy.url, {
      method: 'POST',
      path: '/lsp/medication-queries',
      body: JSON.parse(probe.body) as unknown,
      headers: probe.headers,
    });
    await client.close();
    const answer = JSON.stringify(first.body);
    if (!answer.includes('"dispenses":[{')) throw new Error(`The pharmacy answered no dispenses: ${answer}`);
    const upstream = await forkReady(fileURLToPath(new URL('./baseline/upstream.ts', import.meta.url)), {
      ...transportEnv({ kind: 'https', tls: await baselineTls(t) }),
      BENCH_ANSWER: answer,
    });
    try {
      const verify = (body: string) => body.includes('"interaction":"QURX_IN990013NL"');
      const steps: SourceLegResult['steps'] = [];
      for (const connections of connectionsList) {
        log(`bare upstream (leg), ${connections} connections, ${warmupS} + ${durationS} s ...`);
        const bare = await loadStep(
          {
            name: 'bare upstream',
            url: `${upstream.url}/lsp/medication-queries`,
            nextRequest,
            verify,
            pids: { upstream: upstream.pid },
            tlsOptions: { ...tls },
          },
          connections,
          durationS,
          warmupS,
        );
        log(`${pharmacy.id} (leg), ${connections} connections, ${warmupS} + ${durationS} s ...`);
        const source = await loadStep(
          {
            name: pharmacy.id,
            url,
            nextRequest,
            verify,
            pids: { [pharmacy.id]: pharmacy.child.pid },
            tlsOptions: { ...tls },
          },
          connections,
          durationS,
          warmupS,
        );
        steps.push({ connections, bare, source });
      }
      return { source: pharmacy.id, answerBytes: Buffer.byteLength(answer), steps };
    } finally {
      await stopChild(upstream.child);
    }
  } finally {
    await routed.close();
  }
}
