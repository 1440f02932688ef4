import { describe, expect, it } from 'vitest';
import type { Cio, Dispense } from '@schakel/contracts';
import { medicationSearchset, readMedicationSearchset, SYSTEM, CODE_SYSTEM } from '../src/index.js';
import { invalidResources } from './r4.js';

const BASE = 'https://pharmacy.test/lsp/fhir';
const dispense: Dispense = {
  id: '3f0c2a7e-9a51-4c0f-8a43-5d1b8e8f2a10',
  bsn: '999900146',
  dispensedOn: '2026-10-01',
  product: { name: 'Metoprolol 47,5 mg tablet mga', gpk: '68756', zi: '14212595', atc: 'C07AB02', strength: '47,5 mg' },
  amount: { value: 30, unit: 'stuk' },
  dosageInstruction: '1 maal per dag 1 tablet',
  prescriber: { name: 'Dr. A. Bakker', agb: '01012345' },
  pharmacy: { ura: '02000001', name: 'Apotheek De Vijzel' },
};
const intolerance: Cio = {
  id: 'a1b2c3d4-0000-4000-8000-000000000001',
  bsn: '999900146',
  kind: 'intolerance',
  name: 'Penicillines',
  atc: 'J01C',
  recordedOn: '2025-03-02',
};
const contraIndication: Cio = {
  id: 'a1b2c3d4-0000-4000-8000-000000000002',
  bsn: '999900146',
  kind: 'contra-indication',
  name: 'Verminderde nierfunctie',
  code: '12345',
  recordedOn: '2025-01-02',
};

describe('the medication searchset of a pharmacy', () => {
  const bundle = medicationSearchset(BASE, {
    dispenses: [dispense],
    contraIndications: [intolerance, contraIndication],
  });

  it('is valid R4, every resource in it too', () => {
    expect(invalidResources(bundle)).toEqual([]);
  });

  it('follows nl-core: BSN, URA and AGB identifier systems, G-Standaard and ATC codes', () => {
    const md = bundle.entry?.find((e) => e.resource?.resourceType === 'MedicationDispense');
    expect(md?.search?.mode).toBe('match');
    expect(md?.resource).toMatchObject({
      subject: { identifier: { system: SYSTEM.bsn, value: '999900146' } },
      performer: [{ actor: { identifier: { system: SYSTEM.ura, value: '02000001' } } }],
      whenHandedOver: '2026-10-01',
    });
    const med = bundle.entry?.find((e) => e.resource?.resourceType === 'Medication');
    expect(med?.search?.mode).toBe('include');
    expect(med?.resource).toMatchObject({
      code: {
        coding: expect.arrayContaining([
          { system: CODE_SYSTEM.gpk, code: '68756' },
          { system: CODE_SYSTEM.zi, code: '14212595' },
          { system: CODE_SYSTEM.atc, code: 'C07AB02' },
        ]),
      },
    });
    expect(JSON.stringify(bundle)).toContain(SYSTEM.agb);
    expect(bundle.entry?.map((e) => e.resource?.resourceType)).toEqual([
      'MedicationDispense',
      'Medication',
      'AllergyIntolerance',
      'Flag',
    ]);
    expect(bundle.total).toBe(1);
  });

  it('reads back into the very answer the JSON leg gives', () => {
    expect(readMedicationSearchset(JSON.parse(JSON.stringify(bundle)))).toEqual({
      interaction: 'QURX_IN990013NL',
      dispenses: [dispense],
      contraIndications: [intolerance, contraIndication],
    });
    expect(readMedicationSearchset(medicationSearchset(BASE, { dispenses: [] }))).toEqual({
      interaction: 'QURX_IN990013NL',
      dispenses: [],
    });
  });

  it('refuses a Bundle that does not make a valid answer', () => {
    const broken = JSON.parse(JSON.stringify(bundle));
    broken.entry[0].resource.subject.identifier.value = '999900147';
    expect(() => readMedicationSearchset(broken)).toThrow(/bsn/);
    const dangling = JSON.parse(JSON.stringify(bundle));
    dangling.entry.splice(1, 1);
    expect(() => readMedicationSearchset(dangling)).toThrow(/not in the Bundle/);
    expect(() => readMedicationSearchset({ resourceType: 'Patient' })).toThrow(/searchset/);
  });
});
