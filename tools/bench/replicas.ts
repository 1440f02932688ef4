import { freshDatabase, postgresUnavailable } from '@schakel/topology';
import { loadStep, type LoadStep } from './load.js';
import type { BenchOptions } from './options.js';
import { startRouted } from './routed.js';

/**
 * The routed medication query with one and with three switch-point replicas (issue #18, docs/deployment.md),
 * on SQLite files and on PostgreSQL, in the same run: one topology per combination, the same requests and
 * connection count. PostgreSQL is the server SCHAKEL_BENCH_DATABASE_URL names (a role that may create
 * databases; default the one `.ci/run` creates); each run gets a fresh database, dropped afterwards.
 */
export interface ReplicasRun {
  store: 'sqlite' | 'postgres';
  replicas: number;
  step: LoadStep;
}
export interface ReplicasResult {
  connections: number;
  runs: ReplicasRun[];
  /** Why PostgreSQL was left out, when it was. */
  postgresSkipped?: string;
}

const PATIENTS = 100;
const ADMIN_URL = process.env['SCHAKEL_BENCH_DATABASE_URL'] ?? 'postgres://schakel:schakel@127.0.0.1:5432/schakel';

export async function runReplicasBench(options: BenchOptions, log: (line: string) => void): Promise<ReplicasResult> {
  const connections = options.connections[0] ?? 50;
  const postgresSkipped = await postgresUnavailable(ADMIN_URL);
  if (postgresSkipped !== undefined) log(`replicas: PostgreSQL left out: ${postgresSkipped}`);
  const runs: ReplicasRun[] = [];
  for (const store of postgresSkipped === undefined ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const)) {
    for (const replicas of [1, 3]) {
      const database = store === 'postgres' ? await freshDatabase(ADMIN_URL, 'schakel_bench') : undefined;
      try {
        log(`replicas: ${store}, ${replicas} replica(s): starting the topology and seeding ${PATIENTS} patients ...`);
        const routed = await startRouted({
          patients: PATIENTS,
          replicas,
          ...(database !== undefined ? { databaseUrl: database.url } : {}),
        });
        try {
          const target = {
            name: `schakel (${store}, ${replicas} replica${replicas === 1 ? '' : 's'})`,
            url: routed.url,
            verify: routed.verify,
            pids: routed.pids,
            nextRequest: routed.nextRequest,
            tlsOptions: { ...routed.requesterTls },
          };
          log(`${target.name}, ${connections} connections, ${options.warmupS} + ${options.durationS} s ...`);
          runs.push({ store, replicas, step: await loadStep(target, connections, options.durationS, options.warmupS) });
        } finally {
          await routed.close();
        }
      } finally {
        await database?.drop();
      }
    }
  }
  return { connections, runs, ...(postgresSkipped !== undefined ? { postgresSkipped } : {}) };
}
