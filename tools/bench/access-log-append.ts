import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onPostgres, openStore } from '@schakel/service-kit';
import { migrations, type LspDatabase } from '../../services/lsp/src/migrations.js';
import { createAccessLog } from '../../services/lsp/src/access-log.js';

/**
 * Access-log appends per second with the chain serialised across processes (docs/deployment.md): one or
 * two writer processes on one store, each keeping `concurrency` writes in flight (group commit), on a
 * SQLite file (BEGIN IMMEDIATE) and on PostgreSQL (pg_advisory_xact_lock). The chain is verified after.
 *
 *   node --conditions=@schakel/source --import tsx tools/bench/access-log-append.ts [postgres://... admin URL]
 */
const WRITES = 3_000;
const CONCURRENCY = 50;

async function writer(store: { database: string; url?: string }): Promise<void> {
  const db = await openStore<LspDatabase>({ ...store, schema: 'lsp', migrations });
  const log = createAccessLog(db);
  // Timed from "go", once every writer has started and opened its store.
  process.send?.('ready');
  await new Promise((resolve) => process.once('message', resolve));
  let next = 0;
  const worker = async () => {
    while (next < WRITES) {
      next++;
      await log.write({
        interaction: 'QURX_IN990011NL',
        initialRequestId: 'bench',
        requestId: `bench-${process.pid}-${next}`,
        bsn: '999900146',
        outcome: 'refused',
        code: 'UNKNOWN_PATIENT',
        explanation: 'bench',
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  process.send?.('done');
  await db.destroy();
}

async function run(label: string, store: { database: string; url?: string }, processes: number) {
  const db = await openStore<LspDatabase>({ ...store, schema: 'lsp', migrations });
  const children = Array.from({ length: processes }, () =>
    fork(fileURLToPath(import.meta.url), ['--writer', JSON.stringify(store)], { execArgv: process.execArgv }),
  );
  const exited = children.map((c) => new Promise((resolve) => c.once('exit', resolve)));
  const said = (what: string) =>
    Promise.all(children.map((c) => new Promise<void>((resolve) => c.on('message', (m) => m === what && resolve()))));
  await said('ready');
  const start = performance.now();
  const done = said('done');
  for (const c of children) c.send('go');
  await done;
  await Promise.all(exited);
  const seconds = (performance.now() - start) / 1000;
  const verified = await createAccessLog(db).verify();
  await db.destroy();
  console.log(
    `${label.padEnd(34)} ${processes} process(es): ${Math.round((processes * WRITES) / seconds)} appends/s, chain ${verified.ok ? 'ok' : 'BROKEN'} (${verified.entries} entries)`,
  );
}

if (process.argv[2] === '--writer') {
  await writer(JSON.parse(process.argv[3] ?? '{}') as { database: string; url?: string });
} else {
  const admin = process.argv[2] ?? 'postgres://schakel:schakel@127.0.0.1:5432/schakel';
  for (const processes of [1, 2]) {
    const dir = mkdtempSync(join(tmpdir(), 'schakel-append-'));
    await run('SQLite (BEGIN IMMEDIATE)', { database: join(dir, 'lsp.sqlite') }, processes);
    rmSync(dir, { recursive: true, force: true });
    const name = `schakel_bench_${process.pid}_${processes}`;
    await onPostgres(admin, (q) => q(`CREATE DATABASE ${name} TEMPLATE template0`));
    const url = new URL(admin);
    url.pathname = `/${name}`;
    try {
      await run('PostgreSQL (pg_advisory_xact_lock)', { database: ':memory:', url: url.toString() }, processes);
    } finally {
      await onPostgres(admin, (q) => q(`DROP DATABASE ${name} WITH (FORCE)`));
    }
  }
}
