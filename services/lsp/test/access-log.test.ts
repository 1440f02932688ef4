import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, rawSqlite, type Kysely } from '@schakel/service-kit';
import { migrations, type LspDatabase } from '../src/index.js';
import { createAccessLog, type AccessEvent } from '../src/access-log.js';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'schakel-access-log-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const event = (requestId: string): AccessEvent => ({
  interaction: 'QURX_IN990011NL',
  initialRequestId: randomUUID(),
  requestId,
  bsn: '999900011',
  outcome: 'permitted',
  code: 'PROTOCOL_ALLOW',
  explanation: 'test entry',
});

describe('the access log with group commit', () => {
  it('logs every one of many concurrent requests from two processes sharing the store, in one verifiable chain', async () => {
    const file = join(dir, 'concurrent.sqlite');
    // Two connections to one file: to SQLite, two switch-point processes.
    const a: Kysely<LspDatabase> = await openStore<LspDatabase>({ database: file, migrations });
    const b: Kysely<LspDatabase> = await openStore<LspDatabase>({ database: file, migrations });
    const logA = createAccessLog(a);
    const logB = createAccessLog(b);
    const ids = Array.from({ length: 300 }, () => randomUUID());
    const written = await Promise.all(ids.map((id, i) => (i % 2 === 0 ? logA : logB).write(event(id))));
    expect(new Set(written).size).toBe(300);
    const verified = await logA.verify();
    expect(verified).toMatchObject({ ok: true, entries: 300 });
    const logged = rawSqlite(b).prepare('SELECT request_id FROM access_log').pluck().all() as string[];
    expect(new Set(logged)).toEqual(new Set(ids));
    await a.destroy();
    await b.destroy();
  });

  it('keeps every entry whose write had resolved when the process is killed with SIGKILL, and the chain verifies', async () => {
    const file = join(dir, 'killed.sqlite');
    const child = spawn(
      process.execPath,
      [
        '--conditions=@schakel/source',
        '--import',
        'tsx',
        join('services/lsp/test/fixtures/access-log-writer.ts'),
        file,
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const acknowledged: string[] = [];
    let buffered = '';
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the writer exited early (${String(code)})`)));
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) if (line !== 'ready') acknowledged.push(line);
        if (acknowledged.length >= 500 && child.exitCode === null) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await exited;
    const db = await openStore<LspDatabase>({ database: file, migrations });
    try {
      const log = createAccessLog(db);
      const verified = await log.verify();
      expect(verified.ok).toBe(true);
      const logged = new Set(rawSqlite(db).prepare('SELECT request_id FROM access_log').pluck().all() as string[]);
      expect(acknowledged.filter((id) => !logged.has(id))).toEqual([]);
      expect(logged.size).toBeGreaterThanOrEqual(acknowledged.length);
    } finally {
      await db.destroy();
    }
  }, 60_000);
});
