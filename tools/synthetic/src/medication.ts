import type { DispenseInput, NewCio } from '@schakel/contracts';
import { PRODUCTS } from './catalogue.js';
import { addDays, type Random } from './random.js';
import { productOf, type GeneratedRecord } from './record.js';
import type { SyntheticProfessional } from './professionals.js';

/**
 * Dispenses of the last year for the GP's prescriptions: a chronic product about every 90 days, an acute
 * course once. A patient with two pharmacies gets a quarter of the refills (and half the courses) at the
 * second one. The pharmacy also keeps contra-indications and intolerances (CiO) it learned of.
 */
export function generateMedication(
  r: Random,
  p: { today: string; record: GeneratedRecord; pharmacies: number; gp: SyntheticProfessional[] },
): { dispenses: DispenseInput[][]; cios: NewCio[][] } {
  const dispenses: DispenseInput[][] = Array.from({ length: p.pharmacies }, () => []);
  const cios: NewCio[][] = Array.from({ length: p.pharmacies }, () => []);
  const yearAgo = addDays(p.today, -365);
  const at = (share: number) => (p.pharmacies > 1 && r.chance(share) ? 1 : 0);
  for (const course of p.record.courses) {
    const spec = PRODUCTS[course.product];
    const gp = r.pick(p.gp);
    const dispense = (dispensedOn: string): DispenseInput => ({
      product: productOf(course.product),
      amount: { value: spec.amount, unit: spec.unit },
      dosageInstruction: spec.dosage,
      dispensedOn,
      prescriber: { name: gp.name, agb: gp.agb },
    });
    if (course.chronic) {
      let date = course.startDate > yearAgo ? course.startDate : addDays(yearAgo, r.int(0, 89));
      while (date <= p.today) {
        dispenses[at(0.25)]?.push(dispense(date));
        date = addDays(date, 90 + r.int(-7, 7));
      }
    } else if (course.startDate >= yearAgo) {
      dispenses[at(0.5)]?.push(dispense(course.startDate));
    }
  }
  for (const a of p.record.allergies) {
    if (!('atc' in a)) continue;
    for (const list of cios)
      if (r.chance(0.7))
        list.push({
          kind: 'intolerance',
          name: `Overgevoeligheid ${a.substance.toLowerCase()}`,
          atc: a.atc,
          recordedOn: addDays(p.today, -r.int(30, 2000)),
        });
  }
  if (p.record.reducedKidneyFunction)
    cios[0]?.push({
      kind: 'contra-indication',
      name: 'Nierfunctiestoornis',
      recordedOn: addDays(p.today, -r.int(1, 300)),
    });
  return { dispenses, cios };
}
