import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Kysely } from '@schakel/service-kit';
import { freshBsn } from '@schakel/topology';
import { migrations, type LspDatabase } from '../src/index.js';
import { createAddressBook } from '../src/address-book.js';
import { createReferenceIndex } from '../src/reference-index.js';
import { createConsentStore } from '../src/consent.js';
import { createRevocations } from '../src/auth.js';
import { createPolicyStore } from '../src/policies.js';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
let dir: string;
let file: string;
let db: Kysely<LspDatabase>;

/** Another process writes to the same store file, as a second switch-point process would. */
function writeFromAnotherProcess(...statements: string[]): void {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(${JSON.stringify(file)});
    db.pragma('busy_timeout = 5000');
    for (const s of ${JSON.stringify(statements)}) db.exec(s);
    db.close();`;
  execFileSync(process.execPath, ['-e', script], { cwd: REPO_ROOT });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'schakel-read-model-'));
  file = join(dir, 'lsp.sqlite');
  db = await openStore<LspDatabase>({ database: file, migrations });
});
afterAll(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('read models in memory', () => {
  it('see a consent recorded by another process before the next decision', async () => {
    const consents = createConsentStore(db);
    const bsn = freshBsn();
    expect(await consents.choices(bsn)).toEqual([]);
    // Read again: now it is answered from memory.
    expect(await consents.choices(bsn)).toEqual([]);
    writeFromAnotherProcess(
      `INSERT INTO consents (bsn, holder_ura, holder_type, category, consumer_type, state, recorded_by, channel, recorded_at)
       VALUES ('${bsn}', '00000001', NULL, '*', '*', 'objection', 'patient', 'portal', '2026-12-01T00:00:00.000Z')`,
    );
    expect((await consents.choices(bsn)).map((c) => [c.state, c.holderUra])).toEqual([['objection', '00000001']]);
  });

  it('see a revocation, an address-book change, an index entry and a policy written by another process', async () => {
    const revocations = createRevocations(db);
    const book = createAddressBook(db);
    const index = createReferenceIndex(db);
    const policies = createPolicyStore(db);
    const bsn = freshBsn();
    expect(await revocations.isRevoked('ABC123')).toBe(false);
    expect(await book.get('2.16.840.1.999.1')).toBeUndefined();
    expect(await index.entries(bsn)).toEqual([]);
    const before = await policies.current();
    writeFromAnotherProcess(
      `INSERT INTO revocations (serial_number, reason, revoked_at, revoked_by) VALUES ('ABC123', 'lost', '2026-12-01', 'operator')`,
      `INSERT INTO systems (application_id, ura, organisation_name, organisation_type, base_url, provides, registered_at, wire)
       VALUES ('2.16.840.1.999.1', '00000002', 'Apotheek Elders', 'J8', 'https://127.0.0.1:1', '["MEDVERSTREKKING"]', '2026-12-01', 'json')`,
      `INSERT INTO index_entries (bsn, category, application_id, registered_at, reason)
       VALUES ('${bsn}', 'MEDVERSTREKKING', '2.16.840.1.999.1', '2026-12-01', 'consent')`,
      `INSERT INTO policies (name, enabled, changed_at, changed_by)
       VALUES ('presumedConsent', ${before.presumedConsent ? 0 : 1}, '2026-12-01', 'operator')`,
    );
    expect(await revocations.isRevoked('abc123')).toBe(true);
    expect((await book.get('2.16.840.1.999.1'))?.organisationName).toBe('Apotheek Elders');
    expect((await index.entries(bsn, 'MEDVERSTREKKING')).map((e) => e.applicationId)).toEqual(['2.16.840.1.999.1']);
    expect((await policies.current()).presumedConsent).toBe(!before.presumedConsent);
  });
});

describe('read models and this process’s own writes', () => {
  it('see a consent this process recorded at once', async () => {
    const consents = createConsentStore(db);
    const bsn = freshBsn();
    expect(await consents.choices(bsn)).toEqual([]);
    await db
      .insertInto('consents')
      .values({
        bsn,
        holder_ura: '00000003',
        holder_type: null,
        category: '*',
        consumer_type: '*',
        state: 'objection',
        recorded_by: 'patient',
        channel: 'portal',
        recorded_at: '2026-12-01T00:00:00.000Z',
      })
      .execute();
    expect((await consents.choices(bsn)).map((c) => c.holderUra)).toEqual(['00000003']);
  });

  it('forget what was read inside a transaction that rolled back', async () => {
    const consents = createConsentStore(db);
    const bsn = freshBsn();
    expect(await consents.choices(bsn)).toEqual([]);
    await expect(
      db.transaction().execute(async (trx) => {
        await trx
          .insertInto('consents')
          .values({
            bsn,
            holder_ura: '00000004',
            holder_type: null,
            category: '*',
            consumer_type: '*',
            state: 'objection',
            recorded_by: 'patient',
            channel: 'portal',
            recorded_at: '2026-12-01T00:00:00.000Z',
          })
          .execute();
        // The same connection sees its own uncommitted write.
        expect((await consents.choices(bsn)).map((c) => c.holderUra)).toEqual(['00000004']);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await consents.choices(bsn)).toEqual([]);
  });
});
