import type { Address, ConsentState, DispenseInput, NewCio } from '@schakel/contracts';
import type { Topology } from '@schakel/topology';
import { bsnSequence } from './bsn.js';
import { createRandom, addDays, dateBetween, type Random } from './random.js';
import { professionalsOf } from './professionals.js';
import { generateRecord, type RecordItemSpec } from './record.js';
import { generateMedication } from './medication.js';

export interface ConsentRatios {
  consent: number;
  'no-choice': number;
  objection: number;
}

/**
 * Defaults: most patients consented or never chose, a few objected (docs/domain.md section 4). Rough figures for
 * plausibility; real shares differ per region and holder.
 */
export const DEFAULT_CONSENT_RATIOS: ConsentRatios = { consent: 0.62, 'no-choice': 0.35, objection: 0.03 };

export interface GenerateOptions {
  seed: number;
  patients: number;
  topology: Topology;
  /** The date the data is generated around (YYYY-MM-DD): part of the input, so the output is pure. */
  today: string;
  consentRatios?: ConsentRatios;
  /** Share of patients who use two pharmacies (default 0.15). */
  twoPharmacies?: number;
}

export interface HolderChoice {
  orgId: string;
  consent: ConsentState;
  channel: 'holder-system' | 'paper' | 'portal';
}

export interface GeneratedPatient {
  index: number;
  bsn: string;
  name: string;
  sex: 'F' | 'M';
  birthDate: string;
  address: Address;
  gp: HolderChoice & { record: RecordItemSpec[] };
  pharmacies: (HolderChoice & { dispenses: DispenseInput[]; cios: NewCio[] })[];
}

/** Patients per reseed: patient n is the same whatever the total asked for. */
const BLOCK = 100;

/** Age in years, roughly the Dutch population pyramid. */
function drawAge(r: Random): number {
  const band = r.next();
  if (band < 0.2) return r.int(0, 17);
  if (band < 0.52) return r.int(18, 44);
  if (band < 0.8) return r.int(45, 64);
  if (band < 0.95) return r.int(65, 79);
  return r.int(80, 99);
}

function drawConsent(r: Random, ratios: ConsentRatios): ConsentState {
  const x = r.next() * (ratios.consent + ratios['no-choice'] + ratios.objection);
  return x < ratios.consent ? 'consent' : x < ratios.consent + ratios['no-choice'] ? 'no-choice' : 'objection';
}

/**
 * Deterministic Dutch synthetic patients: the same options give the same patients, in the same order. Each
 * has a BSN passing the 11-proef (bsn.ts), a Dutch name and address, a GP practice and one or two pharmacies
 * from the topology, a consent choice per holder, a GP record and the pharmacies' dispenses and CiO.
 * A patient tends to choose alike at every holder; each holder's share still follows the ratios.
 */
export function* generate(options: GenerateOptions): Generator<GeneratedPatient> {
  const ratios = options.consentRatios ?? DEFAULT_CONSENT_RATIOS;
  const gps = options.topology.organisations.filter((o) => o.service === 'gp');
  const pharmacies = options.topology.organisations.filter((o) => o.service === 'pharmacy');
  if (gps.length === 0 || pharmacies.length === 0)
    throw new Error('The topology needs at least one GP practice and one pharmacy');
  const staff = professionalsOf(options.topology, options.seed);
  const r = createRandom(options.seed);
  const f = r.faker;
  const bsns = bsnSequence();
  const { today } = options;

  for (let index = 0; index < options.patients; index++) {
    if (index % BLOCK === 0) r.reseed(index / BLOCK);
    const next = bsns.next();
    if (next.done === true) throw new Error(`Only ${index} synthetic BSNs are available; see docs/data.md`);
    const bsn = next.value;
    const sex: 'F' | 'M' = r.chance(0.5) ? 'F' : 'M';
    const age = drawAge(r);
    const birthDate = dateBetween(r, addDays(today, -(age + 1) * 365 + 1), addDays(today, -age * 365));
    const name = `${f.person.firstName(sex === 'F' ? 'female' : 'male')} ${f.person.lastName()}`;
    const address: Address = {
      street: f.location.street(),
      houseNumber: f.location.buildingNumber(),
      postalCode: f.location.zipCode('#### ??').toUpperCase().replace(/^0/, '1'),
      city: f.location.city(),
    };
    const disposition = drawConsent(r, ratios);
    const choose = (orgId: string): HolderChoice => ({
      orgId,
      consent: r.chance(0.85) ? disposition : drawConsent(r, ratios),
      channel: r.chance(0.8) ? 'holder-system' : r.chance(0.5) ? 'paper' : 'portal',
    });
    const gpOrg = r.pick(gps);
    const gpStaff = staff.get(gpOrg.id) ?? [];
    const record = generateRecord(r, { bsn, birthDate, age, sex, today, gp: gpStaff });
    const own = [r.pick(pharmacies)];
    if (pharmacies.length > 1 && r.chance(options.twoPharmacies ?? 0.15))
      own.push(r.pick(pharmacies.filter((o) => o !== own[0])));
    const medication = generateMedication(r, { today, record, pharmacies: own.length, gp: gpStaff });
    yield {
      index,
      bsn,
      name,
      sex,
      birthDate,
      address,
      gp: { ...choose(gpOrg.id), record: record.items },
      pharmacies: own.map((o, i) => ({
        ...choose(o.id),
        dispenses: medication.dispenses[i] ?? [],
        cios: medication.cios[i] ?? [],
      })),
    };
  }
}
