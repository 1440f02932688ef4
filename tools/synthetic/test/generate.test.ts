import { describe, expect, it } from 'vitest';
import { passesElevenTest } from '@schakel/contracts';
import { loadTopology } from '@schakel/topology';
import { BSN_RANGES, bsnSequence } from '../src/bsn.js';
import { generate, type GeneratedPatient } from '../src/generate.js';

const topology = loadTopology();
const TODAY = '2026-11-29';
const take = (n: number, seed = 42, extra: Partial<Parameters<typeof generate>[0]> = {}) => [
  ...generate({ seed, patients: n, topology, today: TODAY, ...extra }),
];

describe('generate()', () => {
  it('gives the same patients for the same seed, and other patients for another seed', () => {
    const a = take(300);
    expect(take(300)).toEqual(a);
    const b = take(300, 43);
    expect(b.map((p) => p.name)).not.toEqual(a.map((p) => p.name));
    // Patient n does not depend on how many were asked for.
    expect(take(150)).toEqual(a.slice(0, 150));
  });

  it('gives every patient a distinct BSN that passes the 11-proef, starting in the 9999xxxxx test range', () => {
    const patients = take(2_000);
    const bsns = patients.map((p) => p.bsn);
    expect(new Set(bsns).size).toBe(bsns.length);
    for (const bsn of bsns) expect(passesElevenTest(bsn), bsn).toBe(true);
    expect(bsns.every((b) => b.startsWith('9999'))).toBe(true);
    // The demo patients' numbers are kept out.
    for (const demo of ['999900146', '999900523', '999901199']) expect(bsns).not.toContain(demo);
  });

  it('continues in the documented synthetic range once the test range is used up, every number passing the 11-proef', () => {
    let i = 0;
    let beyond = 0;
    for (const bsn of bsnSequence()) {
      i++;
      if (!bsn.startsWith('9999')) {
        beyond++;
        expect(passesElevenTest(bsn)).toBe(true);
        expect(Number(bsn.slice(0, 8))).toBeGreaterThanOrEqual(BSN_RANGES[1].from);
        if (beyond > 1_000) break;
      }
    }
    expect(i).toBeGreaterThan(8_000);
  });

  it('mixes consent states per holder as configured, within a tolerance', () => {
    const ratios = { consent: 0.6, 'no-choice': 0.3, objection: 0.1 };
    const patients = take(5_000, 7, { consentRatios: ratios });
    const choices = patients.flatMap((p) => [p.gp, ...p.pharmacies]);
    for (const [state, share] of Object.entries(ratios)) {
      const seen = choices.filter((c) => c.consent === state).length / choices.length;
      expect(Math.abs(seen - share), `${state}: ${seen}`).toBeLessThan(0.025);
    }
    const gpOnly = patients.filter((p) => p.gp.consent === 'objection').length / patients.length;
    expect(Math.abs(gpOnly - 0.1)).toBeLessThan(0.025);
  });

  it('spreads patients over the topology’s practices and pharmacies, some with two pharmacies', () => {
    const patients = take(2_000);
    const gps = new Set(patients.map((p) => p.gp.orgId));
    expect([...gps].sort()).toEqual(
      topology.organisations
        .filter((o) => o.service === 'gp')
        .map((o) => o.id)
        .sort(),
    );
    const two = patients.filter((p) => p.pharmacies.length === 2).length / patients.length;
    expect(two).toBeGreaterThan(0.1);
    expect(two).toBeLessThan(0.2);
    expect(patients.every((p) => p.pharmacies.length < 2 || p.pharmacies[0]?.orgId !== p.pharmacies[1]?.orgId)).toBe(
      true,
    );
  });

  it('gives plausible Dutch records: names, postcodes, ICPC episodes, SOEP journal, dispenses with ATC and shielded episodes', () => {
    const patients = take(2_000);
    const p = patients.find((x) =>
      x.gp.record.some((i) => i.kind === 'prescription' && i.input['endDate'] === undefined),
    ) as GeneratedPatient;
    expect(p.name).toMatch(/^\S+ .+/);
    expect(patients.every((x) => /^[1-9]\d{3} [A-Z]{2}$/.test(x.address.postalCode))).toBe(true);
    const kinds = new Set(patients.flatMap((x) => x.gp.record.map((i) => i.kind)));
    expect([...kinds].sort()).toEqual([
      'allergy',
      'contra-indication',
      'covering-note',
      'episode',
      'journal',
      'measurement',
      'prescription',
      'treatment-limit',
    ]);
    const journal = patients.flatMap((x) => x.gp.record.filter((i) => i.kind === 'journal'));
    expect(journal[0]?.input).toMatchObject({
      S: expect.any(String),
      O: expect.any(String),
      E: expect.any(String),
      P: expect.any(String),
    });
    const dispenses = patients.flatMap((x) => x.pharmacies.flatMap((ph) => ph.dispenses));
    expect(dispenses.length).toBeGreaterThan(1_000);
    expect(
      dispenses.every((d) => /^[A-Z]\d{2}[A-Z]{2}\d{2}$/.test(d.product.atc ?? '') && d.dispensedOn <= TODAY),
    ).toBe(true);
    const shielded = patients.filter((x) =>
      x.gp.record.some((i) => i.kind === 'episode' && i.input.shielded === true),
    ).length;
    expect(shielded).toBeGreaterThan(0);
  });
});
