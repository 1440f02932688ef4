import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AMBULANCE_SERVICE_TYPE as RAV, ORGANISATION_TYPES } from '@schakel/contracts';
import {
  DEFAULT_PROTOCOL_FILE,
  DEFAULT_POLICIES,
  authorise,
  choicesInForce,
  consentDecision,
  entriesInForce,
  loadProtocol,
  type ConsentChoice,
  type Policies,
} from '../src/index.js';

const protocol = loadProtocol();

describe('the default authorisation protocol', () => {
  // [row that decides, role, requesting organisation type, category, situation, expected code]
  const table: [
    string,
    string,
    string,
    'MEDVERSTREKKING' | 'WAARNEEMGEGEVENS' | 'CONTACTVERSLAG',
    'regular' | 'acute',
    string,
  ][] = [
    ['AP-DENY-1', '01.008', 'V4', 'MEDVERSTREKKING', 'regular', 'PROTOCOL_DENY'],
    ['AP-DENY-1', '01.048', 'N6', 'WAARNEEMGEGEVENS', 'acute', 'PROTOCOL_DENY'],
    ['AP-MED-1', '17.075', 'J8', 'MEDVERSTREKKING', 'regular', 'PROTOCOL_ALLOW'],
    ['AP-MED-1', '17.000', 'J8', 'MEDVERSTREKKING', 'regular', 'PROTOCOL_ALLOW'],
    ['AP-MED-5', '83.000', 'V5', 'MEDVERSTREKKING', 'acute', 'PROTOCOL_ALLOW'],
    ['AP-MED-5', '17.060', 'V4', 'MEDVERSTREKKING', 'regular', 'PROTOCOL_ALLOW'],
    // The covering-pharmacist row is for community pharmacies: not a pharmacy institution (A1), not a GP.
    ['AP-DEFAULT', '17.000', 'A1', 'MEDVERSTREKKING', 'regular', 'PROTOCOL_NO_ROW'],
    ['AP-DEFAULT', '17.000', 'Z3', 'MEDVERSTREKKING', 'regular', 'PROTOCOL_NO_ROW'],
    ['AP-MED-2', '01.015', 'N6', 'MEDVERSTREKKING', 'regular', 'PROTOCOL_ALLOW'],
    ['AP-MED-2', '01.004', 'K3', 'MEDVERSTREKKING', 'regular', 'PROTOCOL_ALLOW'],
    ['AP-MED-3', '01.071', 'V4', 'MEDVERSTREKKING', 'acute', 'PROTOCOL_ALLOW'],
    ['AP-MED-3', '01.010', 'V5', 'MEDVERSTREKKING', 'regular', 'PROTOCOL_ALLOW'],
    // The co-treating medical specialist (the topology's internist) sees medication, not the summary.
    ['AP-MED-3', '01.016', 'V4', 'MEDVERSTREKKING', 'regular', 'PROTOCOL_ALLOW'],
    ['AP-DEFAULT', '01.016', 'V4', 'WAARNEEMGEGEVENS', 'regular', 'PROTOCOL_NO_ROW'],
    ['AP-DEFAULT', '01.016', 'V4', 'WAARNEEMGEGEVENS', 'acute', 'PROTOCOL_NO_ROW'],
    ['AP-MED-4', '80.000', RAV, 'MEDVERSTREKKING', 'acute', 'PROTOCOL_ALLOW'],
    ['AP-MED-4', '30.000', RAV, 'MEDVERSTREKKING', 'acute', 'PROTOCOL_ALLOW'],
    ['AP-DEFAULT', '30.000', RAV, 'MEDVERSTREKKING', 'regular', 'PROTOCOL_NO_ROW'],
    ['AP-DEFAULT', '80.000', RAV, 'MEDVERSTREKKING', 'regular', 'PROTOCOL_NO_ROW'],
    ['AP-DEFAULT', '80.000', 'A1', 'MEDVERSTREKKING', 'acute', 'PROTOCOL_NO_ROW'],
    ['AP-WG-1', '01.015', 'N6', 'WAARNEEMGEGEVENS', 'regular', 'PROTOCOL_ALLOW'],
    ['AP-WG-1', '01.004', 'N6', 'WAARNEEMGEGEVENS', 'regular', 'PROTOCOL_ALLOW'],
    ['AP-WG-1', '01.047', 'N6', 'WAARNEEMGEGEVENS', 'regular', 'PROTOCOL_ALLOW'],
    ['AP-WG-1', '01.056', 'N6', 'WAARNEEMGEGEVENS', 'acute', 'PROTOCOL_ALLOW'],
    ['AP-WG-1', '81.000', 'N6', 'WAARNEEMGEGEVENS', 'regular', 'PROTOCOL_ALLOW'],
    ['AP-DEFAULT', '01.047', 'X3', 'WAARNEEMGEGEVENS', 'regular', 'PROTOCOL_NO_ROW'],
    ['AP-DEFAULT', '30.000', 'N6', 'WAARNEEMGEGEVENS', 'regular', 'PROTOCOL_NO_ROW'],
    ['AP-WG-2', '01.071', 'V4', 'WAARNEEMGEGEVENS', 'acute', 'PROTOCOL_ALLOW'],
    ['AP-DEFAULT', '01.071', 'V5', 'WAARNEEMGEGEVENS', 'regular', 'PROTOCOL_NO_ROW'],
    ['AP-WG-3', '80.000', RAV, 'WAARNEEMGEGEVENS', 'acute', 'PROTOCOL_ALLOW'],
    ['AP-WG-3', '30.000', RAV, 'WAARNEEMGEGEVENS', 'acute', 'PROTOCOL_ALLOW'],
    ['AP-DEFAULT', '30.000', 'A1', 'WAARNEEMGEGEVENS', 'acute', 'PROTOCOL_NO_ROW'],
    ['AP-DEFAULT', '80.000', 'A1', 'WAARNEEMGEGEVENS', 'acute', 'PROTOCOL_NO_ROW'],
    ['AP-DEFAULT', '01.015', 'Z3', 'WAARNEEMGEGEVENS', 'regular', 'PROTOCOL_NO_ROW'],
    ['AP-DEFAULT', '17.075', 'J8', 'WAARNEEMGEGEVENS', 'regular', 'PROTOCOL_NO_ROW'],
    ['AP-DEFAULT', '30.000', 'V4', 'MEDVERSTREKKING', 'acute', 'PROTOCOL_NO_ROW'],
    // Who may send an observation report (the report is a contact report, CONTACTVERSLAG).
    ['AP-RPT-1', '01.015', 'N6', 'CONTACTVERSLAG', 'regular', 'PROTOCOL_ALLOW'],
    ['AP-RPT-2', '01.071', 'V4', 'CONTACTVERSLAG', 'acute', 'PROTOCOL_ALLOW'],
    ['AP-RPT-3', '80.000', 'SCHAKEL-RAV', 'CONTACTVERSLAG', 'acute', 'PROTOCOL_ALLOW'],
    ['AP-DEFAULT', '80.000', 'A1', 'CONTACTVERSLAG', 'acute', 'PROTOCOL_NO_ROW'],
    ['AP-DENY-1', '01.048', 'N6', 'CONTACTVERSLAG', 'regular', 'PROTOCOL_DENY'],
    ['AP-DEFAULT', '17.075', 'J8', 'CONTACTVERSLAG', 'regular', 'PROTOCOL_NO_ROW'],
  ];
  for (const [row, roleCode, organisationType, category, situation, code] of table) {
    it(`${code === 'PROTOCOL_ALLOW' ? 'allows' : 'refuses'} role ${roleCode} at ${organisationType} for ${category} in ${situation} care (${row})`, () => {
      const d = authorise(protocol, { roleCode, organisationType, category, situation });
      expect(d.code).toBe(code);
      expect(d.rule.startsWith(row)).toBe(true);
      expect(d.explanation.length).toBeGreaterThan(10);
    });
  }
  it('has a case above for every row of the default file', () => {
    const ids = (JSON.parse(readFileSync(DEFAULT_PROTOCOL_FILE, 'utf8')) as { rows: { id: string }[] }).rows.map(
      (r) => r.id,
    );
    for (const id of ids)
      expect(
        table.some(([row]) => row === id),
        id,
      ).toBe(true);
  });
});

describe('organisation types in the default protocol', () => {
  const types = Object.keys(ORGANISATION_TYPES);
  it('gives the ambulance rows to the ambulance service’s own code and to no real organisation type (A1 is a pharmacy institution)', () => {
    for (const organisationType of types) {
      for (const category of ['MEDVERSTREKKING', 'WAARNEEMGEGEVENS'] as const) {
        // The nurse role (30.000) is not an ambulance role as such: only at the ambulance service do these rows admit it.
        for (const roleCode of ['80.000', '30.000']) {
          const d = authorise(protocol, { roleCode, organisationType, category, situation: 'acute' });
          expect(d.permitted, `${roleCode} at ${organisationType} for ${category}`).toBe(organisationType === RAV);
        }
      }
    }
  });
  it('marks the ambulance service’s code as local: it has a dash, which no code of the official list has', () => {
    expect(RAV).toMatch(/-/);
    expect(types.filter((t) => t !== RAV).every((t) => /^[A-Z0-9]{2,3}$/.test(t))).toBe(true);
    expect(ORGANISATION_TYPES.A1).toMatch(/^apotheekinstelling/);
  });
});

let nextId = 1;
const choice = (c: Partial<ConsentChoice> & Pick<ConsentChoice, 'state'>): ConsentChoice => ({
  id: nextId++,
  holderUra: null,
  holderType: null,
  category: '*',
  consumerType: '*',
  recordedAt: '2026-11-01T10:00:00.000Z',
  channel: 'portal',
  ...c,
});
const GP = { ura: '01000001', organisationType: 'Z3', name: 'Huisartsenpraktijk De Linde' };
const request = (over: Partial<Parameters<typeof consentDecision>[1]> = {}) => ({
  holder: GP,
  category: 'WAARNEEMGEGEVENS' as const,
  consumerType: 'N6',
  situation: 'regular' as const,
  verbalConsent: false,
  patientCannotConsent: false,
  ...over,
});

describe('consent precedence', () => {
  it('lets a named-organisation objection override a category-level consent', () => {
    const consent = choice({ state: 'consent', holderType: 'Z3' });
    const objection = choice({ state: 'objection', holderUra: GP.ura });
    expect(consentDecision([consent, objection], request(), DEFAULT_POLICIES)).toMatchObject({
      permitted: false,
      code: 'CONSENT_OBJECTION',
      consentRecordId: objection.id,
    });
  });
  it('lets a named-organisation consent override an objection for all holders', () => {
    const all = choice({ state: 'objection' });
    const named = choice({ state: 'consent', holderUra: GP.ura });
    expect(consentDecision([all, named], request(), DEFAULT_POLICIES)).toMatchObject({
      permitted: true,
      code: 'CONSENT_GIVEN',
      consentRecordId: named.id,
    });
  });
  it('lets a specific data category win over all data at the same holder', () => {
    const objectAll = choice({ state: 'objection', holderUra: GP.ura });
    const consentSummary = choice({ state: 'consent', holderUra: GP.ura, category: 'WAARNEEMGEGEVENS' });
    expect(consentDecision([objectAll, consentSummary], request(), DEFAULT_POLICIES).code).toBe('CONSENT_GIVEN');
  });
  it('lets an objection win at equal specificity', () => {
    // Two records of one scope made at the same moment (e.g. a form with both boxes ticked): the objection wins.
    const consent = choice({ state: 'consent', holderUra: GP.ura, category: 'WAARNEEMGEGEVENS' });
    const objection = {
      ...choice({ state: 'objection', holderUra: GP.ura, category: 'WAARNEEMGEGEVENS' }),
      id: consent.id - 1,
    };
    expect(consentDecision([consent, objection], request(), DEFAULT_POLICIES).code).toBe('CONSENT_OBJECTION');
  });
  it('ranks the holder before the data category, and the data category before the consumer', () => {
    const byCategory = choice({
      state: 'objection',
      holderType: 'Z3',
      category: 'WAARNEEMGEGEVENS',
      consumerType: 'N6',
    });
    const byName = choice({ state: 'consent', holderUra: GP.ura });
    expect(consentDecision([byCategory, byName], request(), DEFAULT_POLICIES).code).toBe('CONSENT_GIVEN');
    const forConsumer = choice({ state: 'consent', holderUra: GP.ura, consumerType: 'N6' });
    const forCategory = choice({ state: 'objection', holderUra: GP.ura, category: 'WAARNEEMGEGEVENS' });
    expect(consentDecision([forConsumer, forCategory], request(), DEFAULT_POLICIES).code).toBe('CONSENT_OBJECTION');
  });
  it('lets a newer choice for the same scope replace the older one', () => {
    const objected = choice({ state: 'objection', holderUra: GP.ura });
    const changedMind = choice({ state: 'consent', holderUra: GP.ura });
    expect(consentDecision(choicesInForce([objected, changedMind]), request(), DEFAULT_POLICIES).code).toBe(
      'CONSENT_GIVEN',
    );
  });
  it('treats a withdrawal as no choice and names the record', () => {
    const given = choice({ state: 'consent', holderUra: GP.ura });
    const withdrawn = choice({ state: 'no-choice', holderUra: GP.ura });
    expect(consentDecision(choicesInForce([given, withdrawn]), request(), DEFAULT_POLICIES)).toMatchObject({
      permitted: false,
      code: 'NO_CONSENT_CHOICE',
      consentRecordId: withdrawn.id,
    });
  });
});

describe('policy switches', () => {
  const states: Policies[] = [];
  for (const coronaOptIn of [false, true])
    for (const stopButton of [false, true])
      for (const presumedConsent of [false, true]) states.push({ coronaOptIn, stopButton, presumedConsent });

  for (const p of states) {
    const label = `corona ${p.coronaOptIn ? 'on' : 'off'}, stop button ${p.stopButton ? 'on' : 'off'}, presumed consent ${p.presumedConsent ? 'on' : 'off'}`;
    it(`with ${label}: verbal consent at the HAP for a no-choice patient`, () => {
      const expected = !p.coronaOptIn
        ? 'NO_CONSENT_RECORD'
        : p.stopButton
          ? 'CORONA_STOP_BUTTON'
          : 'CORONA_VERBAL_CONSENT';
      expect(consentDecision([], request({ verbalConsent: true }), p).code).toBe(expected);
    });
    it(`with ${label}: an unconscious patient at the SEH who never chose`, () => {
      const d = consentDecision([], request({ consumerType: 'V4', situation: 'acute', patientCannotConsent: true }), p);
      expect(d).toMatchObject(
        p.presumedConsent
          ? { permitted: true, code: 'PRESUMED_CONSENT', emergency: true }
          : { permitted: false, code: 'NO_CONSENT_RECORD' },
      );
    });
    it(`with ${label}: a patient who objected is never included`, () => {
      const objection = choice({ state: 'objection', holderUra: GP.ura });
      for (const r of [
        request({ verbalConsent: true }),
        request({ consumerType: 'V4', situation: 'acute', patientCannotConsent: true, verbalConsent: true }),
      ]) {
        expect(consentDecision([objection], r, p)).toMatchObject({ permitted: false, code: 'CONSENT_OBJECTION' });
      }
    });
  }
  it('presumes consent for the ambulance service, not for a pharmacy institution (A1)', () => {
    expect(
      consentDecision(
        [],
        request({ consumerType: RAV, situation: 'acute', patientCannotConsent: true }),
        DEFAULT_POLICIES,
      ).code,
    ).toBe('PRESUMED_CONSENT');
    expect(
      consentDecision(
        [],
        request({ consumerType: 'A1', situation: 'acute', patientCannotConsent: true }),
        DEFAULT_POLICIES,
      ).code,
    ).toBe('NO_CONSENT_RECORD');
  });
  it('counts an entry registered for the corona opt-in only while the opt-in runs (POLICY-CORONA-INDEX)', () => {
    const entries = [
      { reason: 'consent', id: 1 },
      { reason: 'corona-opt-in', id: 2 },
    ];
    expect(entriesInForce(entries, { coronaOptIn: true }).map((e) => e.id)).toEqual([1, 2]);
    expect(entriesInForce(entries, { coronaOptIn: false }).map((e) => e.id)).toEqual([1]);
  });
  it('does not presume consent outside acute care or outside the SEH and ambulance', () => {
    expect(
      consentDecision(
        [],
        request({ consumerType: 'V4', situation: 'regular', patientCannotConsent: true }),
        DEFAULT_POLICIES,
      ).code,
    ).toBe('NO_CONSENT_RECORD');
    expect(
      consentDecision(
        [],
        request({ consumerType: 'N6', situation: 'acute', patientCannotConsent: true }),
        DEFAULT_POLICIES,
      ).code,
    ).toBe('NO_CONSENT_RECORD');
  });
});
