import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { openStore, type Migrations } from '@schakel/service-kit';
import { migrations as gpMigrations, recordItemRow } from '@schakel/gp';
import { migrations as pharmacyMigrations } from '@schakel/pharmacy';
import { migrations as lspMigrations } from '@schakel/lsp';
import type { Topology } from '@schakel/topology';
import type { GeneratedPatient } from './generate.js';

export interface WriteProgress {
  done: number;
  written: number;
  skipped: number;
}
export interface WriteResult extends WriteProgress {
  rows: Record<string, number>;
  files: string[];
}

/** Bring a store up to its service's migrations (as the service itself would), then open it raw for bulk loading. */
async function prepare(file: string, migrations: Migrations): Promise<Database.Database> {
  const db = await openStore({ database: file, migrations });
  await db.destroy();
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('busy_timeout = 10000');
  raw.pragma('cache_size = -65536');
  return raw;
}

/**
 * Writes generated patients straight into the organisations' own SQLite stores, laid out as `npm start`
 * does (<dataDir>/<organisation id>.sqlite), in one transaction per store per batch for speed: the GP
 * practice gets the patient, consent choice and record; each pharmacy the patient, choice, dispenses and
 * CiO; the switch point the consent records (consent and objection; "no choice" leaves none) and, where
 * there is consent, the reference-index entry (WAARNEEMGEGEVENS for the GP, MEDVERSTREKKING for a pharmacy).
 * Rows are only added: a patient a holder already knows is left alone there, so running it again adds nothing.
 */
export async function writeSynthetic(options: {
  dataDir: string;
  topology: Topology;
  patients: Iterable<GeneratedPatient>;
  /** The moment written as created/recorded time (ISO). */
  recordedAt: string;
  batchSize?: number;
  onProgress?: (p: WriteProgress) => void;
}): Promise<WriteResult> {
  const { topology, recordedAt } = options;
  const orgs = new Map(topology.organisations.map((o) => [o.id, o]));
  const files: string[] = [];
  const open = async (id: string, migrations: Migrations) => {
    const file = resolve(options.dataDir, `${id}.sqlite`);
    files.push(file);
    return prepare(file, migrations);
  };
  const lsp = await open(topology.switchPoint.id, lspMigrations);
  const stores = new Map<string, Database.Database>();
  for (const o of topology.organisations) {
    if (o.service === 'gp') stores.set(o.id, await open(o.id, gpMigrations));
    if (o.service === 'pharmacy') stores.set(o.id, await open(o.id, pharmacyMigrations));
  }
  const rows: Record<string, number> = {};
  const count = (table: string, n = 1) => (rows[table] = (rows[table] ?? 0) + n);

  const lspStmt = {
    consent: lsp.prepare(
      'INSERT INTO consents (bsn, holder_ura, state, recorded_by, channel, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    index: lsp.prepare(
      'INSERT OR IGNORE INTO index_entries (bsn, category, application_id, registered_at) VALUES (?, ?, ?, ?)',
    ),
  };
  const gpStmts = new Map<string, { patient: Database.Statement; item: Database.Statement }>();
  const pharmacyStmts = new Map<
    string,
    { patient: Database.Statement; dispense: Database.Statement; cio: Database.Statement }
  >();
  for (const [id, db] of stores) {
    if (orgs.get(id)?.service === 'gp') {
      gpStmts.set(id, {
        patient: db.prepare(
          'INSERT OR IGNORE INTO patients (bsn, name, birth_date, created_at, address, consent_state, consent_channel, consent_recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        ),
        item: db.prepare(
          'INSERT OR IGNORE INTO record_items (id, bsn, kind, episode_id, date, end_date, shielded, body, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ),
      });
    } else {
      pharmacyStmts.set(id, {
        patient: db.prepare(
          'INSERT OR IGNORE INTO patients (bsn, name, birth_date, consent_state, consent_channel, consent_recorded_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        ),
        dispense: db.prepare(
          'INSERT OR IGNORE INTO dispenses (id, bsn, dispensed_on, product, amount, dosage_instruction, prescriber, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        ),
        cio: db.prepare(
          'INSERT OR IGNORE INTO contra_indications (id, bsn, kind, name, code, atc, recorded_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        ),
      });
    }
  }

  /** The choice at the switch point: a consent record unless "no choice", and an index entry on consent. */
  const atSwitchPoint = (bsn: string, orgId: string, consent: string, channel: string, category: string) => {
    const org = orgs.get(orgId);
    if (org === undefined || consent === 'no-choice') return;
    lspStmt.consent.run(bsn, org.ura, consent, org.applicationId, channel, recordedAt);
    count('lsp.consents');
    if (consent === 'consent') {
      lspStmt.index.run(bsn, category, org.applicationId, recordedAt);
      count('lsp.index_entries');
    }
  };

  const writeOne = (p: GeneratedPatient): boolean => {
    let wrote = false;
    const gp = gpStmts.get(p.gp.orgId);
    const chosenAt = (c: string) => (c === 'no-choice' ? null : recordedAt);
    if (gp !== undefined) {
      const inserted =
        gp.patient.run(
          p.bsn,
          p.name,
          p.birthDate,
          recordedAt,
          JSON.stringify(p.address),
          p.gp.consent,
          p.gp.consent === 'no-choice' ? null : p.gp.channel,
          chosenAt(p.gp.consent),
        ).changes === 1;
      if (inserted) {
        wrote = true;
        count('gp.patients');
        for (const item of p.gp.record) {
          const row = recordItemRow(p.bsn, item.kind, item.input, item.id, recordedAt);
          gp.item.run(
            row.id,
            row.bsn,
            row.kind,
            row.episode_id,
            row.date,
            row.end_date,
            row.shielded,
            row.body,
            row.recorded_at,
          );
        }
        count('gp.record_items', p.gp.record.length);
        atSwitchPoint(p.bsn, p.gp.orgId, p.gp.consent, p.gp.channel, 'WAARNEEMGEGEVENS');
      }
    }
    for (const ph of p.pharmacies) {
      const s = pharmacyStmts.get(ph.orgId);
      if (s === undefined) continue;
      const inserted =
        s.patient.run(
          p.bsn,
          p.name,
          p.birthDate,
          ph.consent,
          ph.consent === 'no-choice' ? null : ph.channel,
          chosenAt(ph.consent),
          recordedAt,
        ).changes === 1;
      if (!inserted) continue;
      wrote = true;
      count('pharmacy.patients');
      ph.dispenses.forEach((d, k) => {
        s.dispense.run(
          `${p.bsn}-${ph.orgId}-d${k + 1}`,
          p.bsn,
          d.dispensedOn,
          JSON.stringify(d.product),
          JSON.stringify(d.amount),
          d.dosageInstruction,
          JSON.stringify(d.prescriber),
          recordedAt,
        );
      });
      count('pharmacy.dispenses', ph.dispenses.length);
      ph.cios.forEach((c, k) =>
        s.cio.run(
          `${p.bsn}-${ph.orgId}-c${k + 1}`,
          p.bsn,
          c.kind,
          c.name,
          c.code ?? null,
          c.atc ?? null,
          c.recordedOn,
          recordedAt,
        ),
      );
      count('pharmacy.contra_indications', ph.cios.length);
      atSwitchPoint(p.bsn, ph.orgId, ph.consent, ph.channel, 'MEDVERSTREKKING');
    }
    return wrote;
  };

  const all = [lsp, ...stores.values()];
  const begin = () => all.forEach((db) => db.exec('BEGIN'));
  const commit = () => all.forEach((db) => db.exec('COMMIT'));
  const progress: WriteProgress = { done: 0, written: 0, skipped: 0 };
  const batchSize = options.batchSize ?? 5_000;
  try {
    begin();
    for (const p of options.patients) {
      if (writeOne(p)) progress.written++;
      else progress.skipped++;
      progress.done++;
      if (progress.done % batchSize === 0) {
        commit();
        options.onProgress?.({ ...progress });
        begin();
      }
    }
    commit();
    options.onProgress?.({ ...progress });
  } catch (err) {
    for (const db of all) if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  } finally {
    for (const db of all) {
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    }
  }
  return { ...progress, rows, files };
}
