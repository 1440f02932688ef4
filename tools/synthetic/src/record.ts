import type { RecordKind, NewItem } from '@schakel/gp';
import {
  ACUTE,
  ALLERGIES,
  CHRONIC,
  COVERING_NOTES,
  MEASUREMENTS,
  PRODUCTS,
  SHIELDABLE,
  TREATMENT_LIMIT_KINDS,
  productCodes,
  type ConditionSpec,
  type ProductId,
} from './catalogue.js';
import { addDays, dateBetween, type Random } from './random.js';
import type { SyntheticProfessional } from './professionals.js';

export interface RecordItemSpec {
  kind: RecordKind;
  id: string;
  input: NewItem;
}

/** A prescription as the pharmacy will later see it dispensed. */
export interface PrescribedCourse {
  product: ProductId;
  startDate: string;
  endDate?: string;
  chronic: boolean;
}

export interface GeneratedRecord {
  items: RecordItemSpec[];
  courses: PrescribedCourse[];
  allergies: (typeof ALLERGIES)[number][];
  reducedKidneyFunction: boolean;
}

const ageBand = (age: number) => (age < 18 ? 0 : age < 45 ? 1 : age < 65 ? 2 : age < 80 ? 3 : 4);

export function productOf(id: ProductId) {
  const p = PRODUCTS[id];
  return { name: p.name, atc: p.atc, strength: p.strength, ...productCodes(id) };
}

/**
 * A plausible GP record for one patient: chronic conditions by age and sex with their controls, measurements
 * and current medication; a few acute problems; sometimes an episode the patient asked to shield;
 * allergies, a renal contra-indication, notes for the covering GP and, for the old, behandelgrenzen.
 */
export function generateRecord(
  r: Random,
  p: { bsn: string; birthDate: string; age: number; sex: 'F' | 'M'; today: string; gp: SyntheticProfessional[] },
): GeneratedRecord {
  const { bsn, today } = p;
  const items: RecordItemSpec[] = [];
  const courses: PrescribedCourse[] = [];
  let n = 0;
  const add = (kind: RecordKind, input: NewItem) => {
    const id = `${bsn}-${++n}`;
    items.push({ kind, id, input });
    return id;
  };
  const band = ageBand(p.age);
  const adultFrom = addDays(p.birthDate, 18 * 365);
  const prescriber = () => {
    const gp = r.pick(p.gp);
    return { name: gp.name, agb: gp.agb, big: gp.big };
  };
  const fits = (c: ConditionSpec) => (c.sex === undefined || c.sex === p.sex) && r.chance(c.prevalence[band]);
  let lowestEgfr = Infinity;

  const contact = (c: ConditionSpec, episodeId: string, date: string) => {
    const values: Record<string, number> = {};
    for (const m of c.measurements) {
      const spec = MEASUREMENTS[m];
      const value = r.between(spec.min, spec.max, spec.decimals);
      values[m] = value;
      if (m === 'egfr') lowestEgfr = Math.min(lowestEgfr, value);
      add('measurement', { date, episodeId, name: spec.name, loinc: spec.loinc, value, unit: spec.unit });
    }
    const fill = (text: string) => text.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? '…'));
    add('journal', {
      date,
      episodeId,
      icpc: { code: c.icpc, title: c.title },
      contactType: r.chance(0.15) ? 'telefonisch' : 'consult',
      author: r.pick(p.gp).name,
      S: r.pick(c.soep.S),
      O: fill(r.pick(c.soep.O)),
      E: c.soep.E,
      P: r.pick(c.soep.P),
    });
  };

  for (const c of CHRONIC) {
    if (!fits(c)) continue;
    const start = dateBetween(
      r,
      adultFrom > addDays(today, -15 * 365) ? adultFrom : addDays(today, -15 * 365),
      addDays(today, -60),
    );
    const episodeId = add('episode', {
      title: c.title,
      icpc: { code: c.icpc, title: c.title },
      startDate: start,
      attention: r.chance(0.3),
    });
    for (const product of r.pick(c.medication)) {
      add('prescription', {
        episodeId,
        product: productOf(product),
        amount: { value: PRODUCTS[product].amount, unit: PRODUCTS[product].unit },
        dosageInstruction: PRODUCTS[product].dosage,
        startDate: start,
        prescriber: prescriber(),
      });
      courses.push({ product, startDate: start, chronic: true });
    }
    const controls = r.int(1, 4);
    for (let k = 0; k < controls; k++)
      contact(c, episodeId, dateBetween(r, start > addDays(today, -730) ? start : addDays(today, -730), today));
  }

  for (const c of ACUTE) {
    if (!fits(c)) continue;
    const start = dateBetween(r, addDays(today, -3 * 365), today);
    const open = start >= addDays(today, -21);
    const episodeId = add('episode', {
      title: c.title,
      icpc: { code: c.icpc, title: c.title },
      startDate: start,
      ...(open ? {} : { endDate: addDays(start, 14) }),
    });
    contact(c, episodeId, start);
    for (const product of r.pick(c.medication)) {
      const endDate = addDays(start, 10);
      add('prescription', {
        episodeId,
        product: productOf(product),
        amount: { value: PRODUCTS[product].amount, unit: PRODUCTS[product].unit },
        dosageInstruction: PRODUCTS[product].dosage,
        startDate: start,
        endDate,
        prescriber: prescriber(),
      });
      courses.push({ product, startDate: start, endDate, chronic: false });
    }
  }

  for (const c of SHIELDABLE) {
    if (!fits(c)) continue;
    const start = dateBetween(r, addDays(today, -5 * 365), addDays(today, -30));
    const episodeId = add('episode', {
      title: c.title,
      icpc: { code: c.icpc, title: c.title },
      startDate: start,
      shielded: true,
    });
    contact(c, episodeId, dateBetween(r, start, today));
  }

  const allergies: GeneratedRecord['allergies'] = [];
  if (r.chance(0.12)) {
    const count = r.chance(0.15) ? 2 : 1;
    for (let k = 0; k < count; k++) {
      const a = r.pick(ALLERGIES);
      if (allergies.includes(a)) continue;
      allergies.push(a);
      add('allergy', { ...a, recordedOn: dateBetween(r, p.birthDate, today) });
    }
  }
  const reducedKidneyFunction = lowestEgfr < 45;
  if (reducedKidneyFunction)
    add('contra-indication', {
      description: `Verminderde nierfunctie (eGFR ${lowestEgfr})`,
      icpc: { code: 'U99', title: 'Nierfunctiestoornis' },
      recordedOn: addDays(today, -r.int(1, 300)),
    });
  if (r.chance(p.age >= 75 ? 0.12 : 0.02))
    add('covering-note', { text: r.pick(COVERING_NOTES), recordedOn: addDays(today, -r.int(1, 700)) });
  if (r.chance(p.age >= 85 ? 0.45 : p.age >= 75 ? 0.2 : p.age >= 65 ? 0.04 : 0)) {
    const count = r.int(1, 3);
    const agreedOn = addDays(today, -r.int(10, 1500));
    for (const kind of TREATMENT_LIMIT_KINDS.slice(0, count))
      add('treatment-limit', {
        kind,
        agreedOn,
        agreedWith: r.chance(0.7) ? 'patiënt zelf' : 'patiënt en wettelijk vertegenwoordiger',
      });
  }
  return { items, courses, allergies, reducedKidneyFunction };
}
