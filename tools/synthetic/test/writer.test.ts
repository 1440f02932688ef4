import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import {
  asFrontOfficeUser,
  createServiceClient,
  createSwitchPointClient,
  frontOfficeLogin,
  openStore,
} from '@schakel/service-kit';
import { buildApp as buildGp, migrations as gpMigrations, type GpDatabase } from '@schakel/gp';
import { loadTopology } from '@schakel/topology';
import { generate, writeSynthetic } from '../src/index.js';
import { asSwitchPoint } from '@schakel/testkit/in-process';

const topology = loadTopology();
const dataDir = mkdtempSync(join(tmpdir(), 'schakel-synthetic-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const TODAY = new Date().toISOString().slice(0, 10);
const patients = () => generate({ seed: 5, patients: 400, topology, today: TODAY });
const rows = (id: string, sql: string) => {
  const db = new Database(join(dataDir, `${id}.sqlite`), { readonly: true });
  try {
    return db.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
};

describe('writeSynthetic()', () => {
  it('fills each organisation’s store, and the switch point’s consent and index where there is consent; again adds nothing', async () => {
    const first = await writeSynthetic({
      dataDir,
      topology,
      patients: patients(),
      recordedAt: `${TODAY}T00:00:00.000Z`,
    });
    expect(first).toMatchObject({ done: 400, written: 400, skipped: 0 });
    const generated = [...patients()];
    const consentedAtGp = generated.filter((p) => p.gp.consent === 'consent').length;
    expect(rows('lsp', "SELECT COUNT(*) AS n FROM index_entries WHERE category = 'WAARNEEMGEGEVENS'")[0]?.['n']).toBe(
      consentedAtGp,
    );
    const noChoice = generated.find(
      (p) => p.gp.consent === 'no-choice' && p.pharmacies.every((ph) => ph.consent === 'no-choice'),
    );
    expect(rows('lsp', `SELECT * FROM consents WHERE bsn = '${noChoice?.bsn ?? ''}'`)).toEqual([]);

    const again = await writeSynthetic({
      dataDir,
      topology,
      patients: patients(),
      recordedAt: `${TODAY}T00:00:00.000Z`,
    });
    expect(again).toMatchObject({ written: 0, skipped: 400 });
    expect(rows('lsp', 'SELECT COUNT(*) AS n FROM consents')[0]?.['n']).toBe(first.rows['lsp.consents']);
  });

  it('writes records the GP system itself serves, and never releases the shielded ones', async () => {
    const withShielded = [...patients()].find((p) =>
      p.gp.record.some((i) => i.kind === 'episode' && i.input.shielded === true),
    );
    expect(withShielded).toBeDefined();
    if (withShielded === undefined) return;
    const org = topology.organisations.find((o) => o.id === withShielded.gp.orgId);
    if (org === undefined) throw new Error(`No organisation ${withShielded.gp.orgId} in the topology`);
    const client = createServiceClient();
    const db = await openStore<GpDatabase>({
      database: join(dataDir, `${withShielded.gp.orgId}.sqlite`),
      migrations: gpMigrations,
    });
    const built = await buildGp(
      { ORG_NAME: org.name, ORG_URA: org.ura, APPLICATION_ID: org.applicationId },
      {
        db,
        lsp: createSwitchPointClient(client, 'http://127.0.0.1:9'),
        kit: { logLevel: 'silent', identify: asSwitchPoint },
      },
    );
    const gp = asFrontOfficeUser(
      built,
      await frontOfficeLogin(built, db, { uziNumber: '900000021', roleCode: '01.015' }),
    );
    try {
      const recordAnswer = await gp.inject(`/patients/${withShielded.bsn}/record`);
      expect(recordAnswer.statusCode, recordAnswer.body).toBe(200);
      const own = recordAnswer.json();
      const shieldedIds = own.episodes
        .filter((e: { shielded: boolean }) => e.shielded)
        .map((e: { id: string }) => e.id);
      expect(shieldedIds.length).toBeGreaterThan(0);
      const r = await gp.inject({
        method: 'POST',
        url: '/lsp/summary-queries',
        payload: {
          bsn: withShielded.bsn,
          requester: {
            ura: '03000001',
            organisationName: 'HAP',
            professional: { uziNumber: '900000001', roleCode: '01.015' },
          },
        },
      });
      expect(r.statusCode).toBe(200);
      expect(r.json().summary.patient.name).toBe(withShielded.name);
      for (const id of shieldedIds) expect(r.body).not.toContain(id);
    } finally {
      await gp.close();
      await client.close();
    }
  });
});
