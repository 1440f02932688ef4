import { describe, expect, it } from 'vitest';
import { ProblemError, type SourceMedicationAnswer, type SourceSummaryAnswer } from '@schakel/contracts';
import { decodeMedicationAnswer, encodeMedicationAnswer } from '../../src/messages/medication-answer.js';
import { decodeSummaryAnswer, encodeSummaryAnswer } from '../../src/messages/summary-answer.js';
import { cios, DE_LINDE, DE_VIJZEL, JAN, LSP, metformine, omeprazol, summary } from '../fixtures.js';

const QUERY_ID = 'a1b2c3d4-0000-4000-8000-000000000001';
const fromPharmacy = { sender: { applicationId: DE_VIJZEL.applicationId, organisation: { ura: DE_VIJZEL.ura, name: DE_VIJZEL.name } }, receiver: LSP };

describe('QURX_IN990013NL medication answer', () => {
  it('decodes to the SourceMedicationAnswer it was encoded from: G-Standaard codes, ATC, quantity, dosage, prescriber, CiO', () => {
    const answer: SourceMedicationAnswer = { interaction: 'QURX_IN990013NL', dispenses: [omeprazol, metformine], contraIndications: cios };
    const xml = encodeMedicationAnswer(answer, { transmission: fromPharmacy, inResponseTo: QUERY_ID, bsn: JAN });
    expect(xml).toContain('<code code="14977222" codeSystem="2.16.840.1.113883.2.4.4.8" displayName="Omeprazol 20 mg capsule maagsapresistent">');
    expect(xml).toContain('<translation code="A02BC01" codeSystem="2.16.840.1.113883.6.73"/>');
    const decoded = decodeMedicationAnswer(xml);
    expect(decoded.answer).toEqual(answer);
    expect(decoded.transmission.acknowledgement).toEqual({ typeCode: 'AA', targetMessageId: { root: '2.16.840.1.113883.2.4.6.6.1.1', extension: QUERY_ID }, details: [] });
    expect(decoded.transmission.sender).toEqual(fromPharmacy.sender);
  });

  it('tells an unknown patient (no CiO list) from a known one without records (an empty one)', () => {
    for (const answer of [{ interaction: 'QURX_IN990013NL', dispenses: [] }, { interaction: 'QURX_IN990013NL', dispenses: [], contraIndications: [] }] as SourceMedicationAnswer[]) {
      const xml = encodeMedicationAnswer(answer, { transmission: fromPharmacy, inResponseTo: QUERY_ID, bsn: JAN });
      expect(xml).toContain('<queryResponseCode code="NF"/>');
      expect(decodeMedicationAnswer(xml).answer).toEqual(answer);
    }
  });

  it('answers the dispense-list query as QURX_IN990113NL with the same content', () => {
    const answer: SourceMedicationAnswer = { interaction: 'QURX_IN990013NL', dispenses: [omeprazol] };
    const decoded = decodeMedicationAnswer(encodeMedicationAnswer(answer, { interaction: 'QURX_IN990113NL', transmission: fromPharmacy, inResponseTo: QUERY_ID, bsn: JAN }));
    expect(decoded.interaction).toBe('QURX_IN990113NL');
    expect(decoded.answer).toEqual(answer);
  });
});

describe('QUPC_IN990002NL professional summary', () => {
  const fromGp = { sender: { applicationId: DE_LINDE.applicationId }, receiver: LSP };

  it('decodes to the SourceSummaryAnswer it was encoded from, every kind of item included', () => {
    const answer: SourceSummaryAnswer = { interaction: 'QUPC_IN990002NL', summary };
    const xml = encodeSummaryAnswer(answer, { transmission: fromGp, inResponseTo: QUERY_ID });
    expect(xml).toContain('<code code="T90.02" codeSystem="2.16.840.1.113883.2.4.4.31.1" displayName="Diabetes mellitus type 2"/>');
    expect(decodeSummaryAnswer(xml).answer).toEqual(answer);
  });

  it('answers NF without a summary when the practice does not know the patient', () => {
    const xml = encodeSummaryAnswer({ interaction: 'QUPC_IN990002NL', summary: null }, { transmission: fromGp, inResponseTo: QUERY_ID });
    expect(xml).toContain('<queryResponseCode code="NF"/>');
    expect(decodeSummaryAnswer(xml).answer).toEqual({ interaction: 'QUPC_IN990002NL', summary: null });
  });

  it('refuses to put a shielded item on the wire', () => {
    const shielded = { ...summary, openEpisodes: [{ ...summary.openEpisodes[0]!, shielded: true }] };
    expect(() => encodeSummaryAnswer({ interaction: 'QUPC_IN990002NL', summary: shielded }, { transmission: fromGp, inResponseTo: QUERY_ID })).toThrow(ProblemError);
  });
});
