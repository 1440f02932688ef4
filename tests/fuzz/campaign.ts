import fc from 'fast-check';
import type { Agent } from 'undici';
import { casesFor, kindsFor, type FuzzCase } from './cases.js';
import { operationsOf, type OpenApiDocument, type Operation } from './openapi.js';
import { createDispatchers, send, type Answer } from './send.js';
import type { FuzzTopology } from './services.js';
import { createTally, type Tally } from './tally.js';
import { judge } from './verdict.js';

/**
 * The fuzz plan over every operation of every service: case i goes to operation i mod N, in round
 * floor(i / N), so every operation is hit in turn and each gets every kind of case within a few rounds.
 * A case is fast-check's sample at index `round` for (seed, operation, kind): (seed, i) alone replays it.
 */
export function createPlan(operations: Operation[]) {
  if (operations.length === 0) throw new Error('no operations to fuzz');
  const arbitraries = new Map<string, fc.Arbitrary<FuzzCase>>();
  return {
    operations,
    caseAt(seed: number, index: number): FuzzCase {
      const k = index % operations.length;
      const round = Math.floor(index / operations.length);
      const op = operations[k] as Operation;
      const kinds = kindsFor(op);
      const kindIndex = (round + k) % kinds.length;
      const kind = kinds[kindIndex] ?? 'well-formed';
      const key = `${k}/${kind}`;
      let arbitrary = arbitraries.get(key);
      if (arbitrary === undefined) {
        arbitrary = casesFor(op, kind);
        arbitraries.set(key, arbitrary);
      }
      // Each (operation, kind) draws from its own stream, so neighbouring cases do not share their choices.
      const streamSeed = (seed ^ Math.imul(k + 1, 0x9e3779b1) ^ Math.imul(kindIndex + 1, 0x85ebca6b)) | 0;
      const [c] = fc.sample(arbitrary, {
        seed: streamSeed,
        path: String(Math.floor(round / kinds.length)),
        numRuns: 1,
      });
      if (c === undefined) throw new Error(`no case at ${index}`);
      return c;
    },
  };
}
export type Plan = ReturnType<typeof createPlan>;

/** Read each service's /openapi.json over HTTPS (it needs no certificate) and list its operations. */
export async function loadPlan(topology: FuzzTopology, dispatcher: Agent): Promise<Plan> {
  const operations: Operation[] = [];
  for (const target of topology.targets) {
    const r = await dispatcher.request({ origin: target.url, path: '/openapi.json', method: 'GET' });
    if (r.statusCode !== 200) throw new Error(`${target.service}: GET /openapi.json answered ${r.statusCode}`);
    operations.push(...operationsOf(target.service, (await r.body.json()) as OpenApiDocument));
  }
  return createPlan(operations);
}

/** A running topology with its plan and one connection pool per identity. */
export async function createFuzzer(topology: FuzzTopology) {
  const dispatchers = createDispatchers(topology.identities);
  const anonymous = dispatchers.get('none');
  if (anonymous === undefined) throw new Error('no anonymous identity');
  const plan = await loadPlan(topology, anonymous);
  const urlOf = new Map(topology.targets.map((t) => [t.service, t.url]));

  async function sendCase(c: FuzzCase): Promise<Answer> {
    const url = urlOf.get(c.service);
    const dispatcher = dispatchers.get(c.identity);
    if (url === undefined || dispatcher === undefined) throw new Error(`no ${c.service} or ${c.identity}`);
    return send(url, c, dispatcher);
  }

  return {
    plan,
    sendCase,
    /** Send cases [from, from + runs) of a seed, `concurrency` at a time, into a tally. */
    async run(options: {
      seed: number;
      runs: number;
      from?: number;
      concurrency?: number;
      tally?: Tally;
      onProgress?: (done: number) => void;
    }): Promise<Tally> {
      const tally = options.tally ?? createTally();
      const from = options.from ?? 0;
      let next = from;
      let done = 0;
      const worker = async () => {
        while (next < from + options.runs) {
          const index = next++;
          const c = plan.caseAt(options.seed, index);
          const answer = await sendCase(c);
          tally.record({ seed: options.seed, index, case: c, answer, failures: judge(c, answer) });
          options.onProgress?.(++done);
        }
      };
      await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
      return tally;
    },
    /** GET /health on every service, after the fuzz: it must still answer 200. */
    async health(): Promise<{ service: string; status: number | string }[]> {
      return Promise.all(
        topology.targets.map(async (t) => {
          try {
            const r = await anonymous.request({
              origin: t.url,
              path: '/health',
              method: 'GET',
              headersTimeout: 5_000,
              bodyTimeout: 5_000,
            });
            await r.body.text();
            return { service: t.service, status: r.statusCode };
          } catch (err) {
            return { service: t.service, status: String(err) };
          }
        }),
      );
    },
    async close() {
      await Promise.all([...dispatchers.values()].map((d) => d.close()));
    },
  };
}
export type Fuzzer = Awaited<ReturnType<typeof createFuzzer>>;
