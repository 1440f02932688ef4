import { describe, expect, it } from 'vitest';
import { ProblemError, type SourceMedicationAnswer, type SourceSummaryAnswer } from '@schakel/contracts';
import { decodeMedicationAnswer, encodeMedicationAnswer } from '../../src/messages/medication-answer.js';
import { decodeSummaryAnswer, encodeSummaryAnswer } from '../../src/messages/summary-answer.js';
import { cios, DE_LINDE, DE_VIJZEL, HAP, JAN, LSP, metformine, omeprazol, summary } from '../fixtures.js';

const QUERY_ID = 'a1b2c3d4-0000-4000-8000-000000000001';
const fromPharmacy = {
  sender: { applicationId: DE_VIJZEL.applicationId, organisation: { ura: DE_VIJZEL.ura, name: DE_VIJZEL.name } },
  receiver: LSP,
};

describe('QURX_IN990013NL medication answer', () => {
  it('decodes to the SourceMedicationAnswer it was encoded from: G-Standaard codes, ATC, quantity, dosage, prescriber, CiO', () => {
    const answer: SourceMedicationAnswer = {
      interaction: 'QURX_IN990013NL',
      dispenses: [omeprazol, metformine],
      contraIndications: cios,
    };
    const xml = encodeMedicationAnswer(answer, { transmission: fromPharmacy, inResponseTo: QUERY_ID, bsn: JAN });
    expect(xml).toContain(
      '<code code="14977222" codeSystem="2.16.840.1.113883.2.4.4.8" displayName="Omeprazol 20 mg capsule maagsapresistent">',
    );
    expect(xml).toContain('<translation code="A02BC01" codeSystem="2.16.840.1.113883.6.73"/>');
    const decoded = decodeMedicationAnswer(xml);
    expect(decoded.answer).toEqual(answer);
    expect(decoded.transmission.acknowledgement).toEqual({
      typeCode: 'AA',
      targetMessageId: { root: '2.16.840.1.113883.2.4.6.6.1.1', extension: QUERY_ID },
      details: [],
    });
    expect(decoded.transmission.sender).toEqual(fromPharmacy.sender);
  });

  it('tells an unknown patient (no CiO list) from a known one without records (an empty one)', () => {
    for (const answer of [
      { interaction: 'QURX_IN990013NL', dispenses: [] },
      { interaction: 'QURX_IN990013NL', dispenses: [], contraIndications: [] },
    ] as SourceMedicationAnswer[]) {
      const xml = encodeMedicationAnswer(answer, { transmission: fromPharmacy, inResponseTo: QUERY_ID, bsn: JAN });
      expect(xml).toContain('<queryResponseCode code="NF"/>');
      expect(decodeMedicationAnswer(xml).answer).toEqual(answer);
    }
  });

  it('answers the dispense-list query as QURX_IN990113NL with the same content', () => {
    const answer: SourceMedicationAnswer = { interaction: 'QURX_IN990013NL', dispenses: [omeprazol] };
    const decoded = decodeMedicationAnswer(
      encodeMedicationAnswer(answer, {
        interaction: 'QURX_IN990113NL',
        transmission: fromPharmacy,
        inResponseTo: QUERY_ID,
        bsn: JAN,
      }),
    );
    expect(decoded.interaction).toBe('QURX_IN990113NL');
    expect(decoded.answer).toEqual(answer);
  });
});

describe('QUPC_IN990002NL professional summary', () => {
  const fromGp = { sender: { applicationId: DE_LINDE.applicationId }, receiver: LSP };

  it('decodes to the SourceSummaryAnswer it was encoded from, every kind of item included', () => {
    const answer: SourceSummaryAnswer = { interaction: 'QUPC_IN990002NL', summary };
    const xml = encodeSummaryAnswer(answer, { transmission: fromGp, inResponseTo: QUERY_ID });
    expect(xml).toContain(
      '<code code="T90.02" codeSystem="2.16.840.1.113883.2.4.4.31.1" displayName="Diabetes mellitus type 2"/>',
    );
    expect(decodeSummaryAnswer(xml).answer).toEqual(answer);
  });

  it('answers NF without a summary when the practice does not know the patient', () => {
    const xml = encodeSummaryAnswer(
      { interaction: 'QUPC_IN990002NL', summary: null },
      { transmission: fromGp, inResponseTo: QUERY_ID },
    );
    expect(xml).toContain('<queryResponseCode code="NF"/>');
    expect(decodeSummaryAnswer(xml).answer).toEqual({ interaction: 'QUPC_IN990002NL', summary: null });
  });

  it('carries the processed feedback of the acute chain: encounter, episode proposal, handover, the reporting organisation', () => {
    expect(summary.acuteCareFeedback).toHaveLength(2);
    const answer: SourceSummaryAnswer = { interaction: 'QUPC_IN990002NL', summary };
    const xml = encodeSummaryAnswer(answer, { transmission: fromGp, inResponseTo: QUERY_ID });
    // The report's message id under the practice's arc (kind 29); processedAt as availabilityTime.
    expect(xml).toContain(
      '<acuteCareFeedback classCode="DOCCLIN" moodCode="EVN"><id root="2.16.528.1.1007.3.3.1000001.29" extension="3f0c6d2e-6a4b-4c2a-9f3e-2b8e5d7a1c90"/><availabilityTime value="20261123081200+0000"/>',
    );
    expect(xml).toContain(
      `<Organization classCode="ORG" determinerCode="INSTANCE"><code code="N6" codeSystem="2.16.840.1.113883.2.4.15.1060"/><name>${HAP.name}</name></Organization>`,
    );
    const decoded = decodeSummaryAnswer(xml).answer.summary!;
    expect(decoded.acuteCareFeedback).toEqual(summary.acuteCareFeedback);
    // Only what was there comes back: the ambulance's encounter had no findings, proposal or handover.
    expect(Object.keys(decoded.acuteCareFeedback[1]!.encounter).sort()).toEqual(['actions', 'at', 'complaint']);
  });

  it('keeps where a treatment limit came from (reportedIn) as a reference to the processed report', () => {
    const reported = summary.treatmentLimits.filter((t) => t.reportedIn !== undefined);
    expect(reported).toHaveLength(2);
    const xml = encodeSummaryAnswer(
      { interaction: 'QUPC_IN990002NL', summary },
      { transmission: fromGp, inResponseTo: QUERY_ID },
    );
    expect(xml).toContain(
      `<reportRef><id root="2.16.528.1.1007.3.3.1000001.29" extension="3f0c6d2e-6a4b-4c2a-9f3e-2b8e5d7a1c90"/><effectiveTime value="20261122234000+0100"/><author><Organization classCode="ORG" determinerCode="INSTANCE"><name>${HAP.name}</name></Organization></author></reportRef>`,
    );
    const decoded = decodeSummaryAnswer(xml).answer.summary!;
    expect(decoded.treatmentLimits).toEqual(summary.treatmentLimits);
    expect(decoded.treatmentLimits.filter((t) => t.reportedIn === undefined).map((t) => t.id)).toEqual(['t-1', 't-2']);
  });

  it('answers a decline despite consent as NF with the decision as the reason, and reads it back', () => {
    const declined = {
      code: 'HOLDER_DECLINED',
      rule: 'GP-SHARE-1: consent does not oblige the GP to share',
      explanation:
        'Huisartsenpraktijk De Linde declined to share the summary despite consent (decided by Dr. K. de Linde on 2026-11-20): <reden> & "zorg"',
    };
    for (const answer of [
      { interaction: 'QUPC_IN990002NL', summary: null, declined },
      { interaction: 'QUPC_IN990002NL', summary: null, declined: { ...declined, consentRecordId: 12 } },
    ] as SourceSummaryAnswer[]) {
      const xml = encodeSummaryAnswer(answer, { transmission: fromGp, inResponseTo: QUERY_ID });
      expect(xml).toContain('<queryResponseCode code="NF"/>');
      expect(xml).toContain(
        '<reasonOf typeCode="RSON"><detectedIssueEvent classCode="ALRT" moodCode="EVN"><code code="HOLDER_DECLINED" codeSystem="2.25.323076476240762072713884933401719747791.2" displayName="GP-SHARE-1: consent does not oblige the GP to share"/>',
      );
      expect(xml).not.toContain('ProfessionalSummary');
      const decoded = decodeSummaryAnswer(xml);
      expect(decoded.answer).toEqual(answer);
      // The query was handled: the wrapper says AA, the answer itself holds nothing.
      expect(decoded.transmission.acknowledgement?.typeCode).toBe('AA');
    }
  });

  it('never lets a decline carry the summary along, encoding or decoding', () => {
    const declined = { code: 'HOLDER_DECLINED', rule: 'GP-SHARE-1', explanation: 'declined' };
    expect(() =>
      encodeSummaryAnswer(
        { interaction: 'QUPC_IN990002NL', summary, declined },
        { transmission: fromGp, inResponseTo: QUERY_ID },
      ),
    ).toThrow(/declines to share/);
    const withSummary = encodeSummaryAnswer(
      { interaction: 'QUPC_IN990002NL', summary },
      { transmission: fromGp, inResponseTo: QUERY_ID },
    );
    const reason = encodeSummaryAnswer(
      { interaction: 'QUPC_IN990002NL', summary: null, declined },
      { transmission: fromGp, inResponseTo: QUERY_ID },
    ).match(/<reasonOf.*<\/reasonOf>/)![0];
    expect(() => decodeSummaryAnswer(withSummary.replace('<queryAck>', `${reason}<queryAck>`))).toThrow(
      /declines to share/,
    );
  });

  it('refuses to put a shielded item on the wire', () => {
    const shielded = { ...summary, openEpisodes: [{ ...summary.openEpisodes[0]!, shielded: true }] };
    expect(() =>
      encodeSummaryAnswer(
        { interaction: 'QUPC_IN990002NL', summary: shielded },
        { transmission: fromGp, inResponseTo: QUERY_ID },
      ),
    ).toThrow(ProblemError);
  });
});
