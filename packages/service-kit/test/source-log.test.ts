import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSourceLog, createSourceLogTable, openStore, type SourceLogEvent } from '../src/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function fileStore() {
  const dir = mkdtempSync(join(tmpdir(), 'schakel-source-log-'));
  dirs.push(dir);
  const file = join(dir, 'source.sqlite');
  const db = await openStore({ database: file, migrations: { '001-log': { up: createSourceLogTable } } });
  return { db, file };
}

const event = (n: number): SourceLogEvent => ({
  interaction: 'QURX_IN990011NL',
  aorta: {
    initialRequestId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    requestId: `10000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  },
  bsn: '999900523',
  requesterUra: '01234567',
  acting: { uziNumber: '900000001', roleCode: '01.015' },
  result: `${n} dispenses`,
});

describe('the source log (group commit)', () => {
  it('resolves each write of concurrent requests only once its entry is committed, as another connection sees', async () => {
    const { db, file } = await fileStore();
    const log = createSourceLog(db);
    // Another process's view of the file: what it sees is on disk, which is what survives kill -9.
    const other = new Database(file, { readonly: true });
    try {
      const seen = await Promise.all(
        Array.from({ length: 20 }, (_, n) =>
          log.write(event(n)).then(
            () =>
              other
                .prepare('SELECT count(*) AS n FROM query_log WHERE request_id = ?')
                .get(event(n).aorta.requestId) as {
                n: number;
              },
          ),
        ),
      );
      expect(seen.map((s) => s.n)).toEqual(Array.from({ length: 20 }, () => 1));
      const entries = await log.list();
      expect(entries.map((e) => e.result)).toEqual(Array.from({ length: 20 }, (_, n) => `${n} dispenses`));
    } finally {
      other.close();
      await db.destroy();
    }
  });

  it('refuses only the entry that cannot be written; the others of its group are committed', async () => {
    const { db } = await fileStore();
    const log = createSourceLog(db);
    try {
      const bad = { ...event(1), bsn: null } as unknown as SourceLogEvent;
      const results = await Promise.allSettled([log.write(event(0)), log.write(bad), log.write(event(2))]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((await log.list()).map((e) => e.result)).toEqual(['0 dispenses', '2 dispenses']);
    } finally {
      await db.destroy();
    }
  });
});
