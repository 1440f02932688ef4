import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  Bsn,
  Cio,
  ConsentState,
  PatientDemographics,
  type Dispense,
  type DispenseInput,
  type NewCio,
} from '@schakel/contracts';
import { nowIso, prepare, type Kysely, type PreparedStatement, type Selectable } from '@schakel/service-kit';
import type { PharmacyDatabase } from './migrations.js';

const ConsentView = z
  .object({ state: ConsentState, channel: z.string().nullable(), recordedAt: z.string().nullable() })
  .meta({ id: 'PharmacyConsent' });
/** A patient of the pharmacy with their choice about sharing, as the pharmacy recorded it. */
export const PharmacyPatient = PatientDemographics.extend({ bsn: Bsn, consent: ConsentView }).meta({
  id: 'PharmacyPatient',
});
export type PharmacyPatient = z.infer<typeof PharmacyPatient>;

const toPatient = (r: Selectable<PharmacyDatabase['patients']>): PharmacyPatient => ({
  bsn: r.bsn,
  name: r.name,
  birthDate: r.birth_date,
  consent: {
    state: ConsentState.parse(r.consent_state),
    channel: r.consent_channel,
    recordedAt: r.consent_recorded_at,
  },
});

/** The product a dispense is of, for "most recent per product": the most specific G-Standaard code known. */
export function productKey(p: Dispense['product']): string {
  return p.hpk !== undefined
    ? `hpk:${p.hpk}`
    : p.prk !== undefined
      ? `prk:${p.prk}`
      : p.gpk !== undefined
        ? `gpk:${p.gpk}`
        : p.zi !== undefined
          ? `zi:${p.zi}`
          : `name:${p.name.toLowerCase()}`;
}

/** Only the newest dispense of each product, keeping the input's (newest-first) order. */
export function latestPerProduct(dispenses: Dispense[]): Dispense[] {
  const seen = new Set<string>();
  return dispenses.filter((d) => {
    const key = productKey(d.product);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const toCio = (r: Selectable<PharmacyDatabase['contra_indications']>): Cio => ({
  id: r.id,
  bsn: r.bsn,
  kind: Cio.shape.kind.parse(r.kind),
  name: r.name,
  ...(r.code !== null ? { code: r.code } : {}),
  ...(r.atc !== null ? { atc: r.atc } : {}),
  recordedOn: r.recorded_on,
});

type Row<T extends keyof PharmacyDatabase> = Selectable<PharmacyDatabase[T]>;

export function createPharmacyStore(db: Kysely<PharmacyDatabase>, pharmacy: { ura: string; name: string }) {
  // The reads of the switch point's leg (every routed query asks them) are statements prepared once, on
  // either engine, rather than built by Kysely per call (docs/performance.md, "Sources' cost per leg").
  const patientByBsn = prepare<Row<'patients'>>(db, 'SELECT * FROM patients WHERE bsn = ?');
  const ciosByBsn = prepare<Row<'contra_indications'>>(
    db,
    'SELECT * FROM contra_indications WHERE bsn = ? ORDER BY recorded_on DESC, id',
  );
  // Whether the patient is known and their CiO in one statement: no row for an unknown patient, one row
  // without a CiO (id null) for a known patient who has none.
  const patientCios = prepare<{ [K in keyof Row<'contra_indications'>]: Row<'contra_indications'>[K] | null }>(
    db,
    `SELECT c.id, c.bsn, c.kind, c.name, c.code, c.atc, c.recorded_on, c.created_at
       FROM patients p LEFT JOIN contra_indications c ON c.bsn = p.bsn
      WHERE p.bsn = ? ORDER BY c.recorded_on DESC, c.id`,
  );
  // One statement per shape of the period (from and/or to given), each prepared on first use.
  const dispensesIn = new Map<string, PreparedStatement<Row<'dispenses'>>>();
  const dispensesStatement = (from: boolean, to: boolean) => {
    const key = `${String(from)}:${String(to)}`;
    let statement = dispensesIn.get(key);
    if (statement === undefined) {
      statement = prepare<Row<'dispenses'>>(
        db,
        `SELECT * FROM dispenses WHERE bsn = ?${from ? ' AND dispensed_on >= ?' : ''}${to ? ' AND dispensed_on <= ?' : ''}
         ORDER BY dispensed_on DESC, created_at DESC, id`,
      );
      dispensesIn.set(key, statement);
    }
    return statement;
  };
  const toDispense = (r: Selectable<PharmacyDatabase['dispenses']>): Dispense => ({
    id: r.id,
    bsn: r.bsn,
    dispensedOn: r.dispensed_on,
    product: JSON.parse(r.product) as Dispense['product'],
    amount: JSON.parse(r.amount) as Dispense['amount'],
    dosageInstruction: r.dosage_instruction,
    prescriber: JSON.parse(r.prescriber) as Dispense['prescriber'],
    pharmacy,
  });
  async function dispenses(
    bsn: string,
    range: { from?: string | undefined; to?: string | undefined; latestPerProduct?: boolean | undefined } = {},
  ): Promise<Dispense[]> {
    const { from, to } = range;
    const params = [bsn, ...(from !== undefined ? [from] : []), ...(to !== undefined ? [to] : [])];
    const rows = await dispensesStatement(from !== undefined, to !== undefined).all(...params);
    const all = rows.map(toDispense);
    return range.latestPerProduct === true ? latestPerProduct(all) : all;
  }
  return {
    async upsertPatient(bsn: string, p: PatientDemographics): Promise<{ patient: PharmacyPatient; created: boolean }> {
      const existing = await db.selectFrom('patients').selectAll().where('bsn', '=', bsn).executeTakeFirst();
      if (existing === undefined) {
        await db
          .insertInto('patients')
          .values({
            bsn,
            name: p.name,
            birth_date: p.birthDate,
            consent_state: 'no-choice',
            consent_channel: null,
            consent_recorded_at: null,
            created_at: nowIso(),
          })
          .execute();
      } else {
        await db
          .updateTable('patients')
          .set({ name: p.name, birth_date: p.birthDate })
          .where('bsn', '=', bsn)
          .execute();
      }
      const row = await db.selectFrom('patients').selectAll().where('bsn', '=', bsn).executeTakeFirstOrThrow();
      return { patient: toPatient(row), created: existing === undefined };
    },
    async getPatient(bsn: string): Promise<PharmacyPatient | undefined> {
      const [row] = await patientByBsn.all(bsn);
      return row === undefined ? undefined : toPatient(row);
    },
    async setConsent(bsn: string, state: ConsentState, channel: string): Promise<void> {
      await db
        .updateTable('patients')
        .set({ consent_state: state, consent_channel: channel, consent_recorded_at: nowIso() })
        .where('bsn', '=', bsn)
        .execute();
    },
    async addDispense(bsn: string, input: DispenseInput): Promise<Dispense> {
      const row = {
        id: randomUUID(),
        bsn,
        dispensed_on: input.dispensedOn,
        product: JSON.stringify(input.product),
        amount: JSON.stringify(input.amount),
        dosage_instruction: input.dosageInstruction,
        prescriber: JSON.stringify(input.prescriber),
        created_at: nowIso(),
      };
      await db.insertInto('dispenses').values(row).execute();
      return toDispense(row);
    },
    dispenses,
    /**
     * What the switch point's leg answers from: the patient's dispenses in the period (newest first, or the
     * latest per product) and contra-indications; undefined for a patient this pharmacy does not know.
     */
    async medication(
      bsn: string,
      range: { from?: string | undefined; to?: string | undefined; latestPerProduct?: boolean | undefined },
    ): Promise<{ dispenses: Dispense[]; contraIndications: Cio[] } | undefined> {
      const rows = await patientCios.all(bsn);
      if (rows.length === 0) return undefined;
      const contraIndications = rows.flatMap((r) => (r.id === null ? [] : [toCio(r as Row<'contra_indications'>)]));
      return { dispenses: await dispenses(bsn, range), contraIndications };
    },
    async addCio(bsn: string, input: NewCio): Promise<Cio> {
      const row = {
        id: randomUUID(),
        bsn,
        kind: input.kind,
        name: input.name,
        code: input.code ?? null,
        atc: input.atc ?? null,
        recorded_on: input.recordedOn,
        created_at: nowIso(),
      };
      await db.insertInto('contra_indications').values(row).execute();
      return toCio(row);
    },
    async cios(bsn: string): Promise<Cio[]> {
      return (await ciosByBsn.all(bsn)).map(toCio);
    },
  };
}
export type PharmacyStore = ReturnType<typeof createPharmacyStore>;
