import { describe, expect, it } from 'vitest';
import {
  MedicationQuery,
  ProblemError,
  SummaryQuery,
  type SourceMedicationQuery,
  type SourceSummaryQuery,
} from '@schakel/contracts';
import {
  decodeMedicationQuery,
  decodeSourceMedicationQuery,
  encodeMedicationQuery,
  encodeSourceMedicationQuery,
} from '../../src/messages/medication-query.js';
import {
  decodeSourceSummaryQuery,
  decodeSummaryQuery,
  encodeSourceSummaryQuery,
  encodeSummaryQuery,
} from '../../src/messages/summary-query.js';
import { DE_LINDE, DE_VIJZEL, DR_DE_WIT, FATIMA, HAP, JAN, LSP, medicationQuery, summaryQuery } from '../fixtures.js';

const problemOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof ProblemError) return e.problem;
    throw e;
  }
  throw new Error('expected a problem');
};

describe('QURX_IN990011NL medication query', () => {
  it('decodes to the JSON MedicationQuery it was encoded from', () => {
    const xml = encodeMedicationQuery(medicationQuery, {
      transmission: {
        receiver: LSP,
        id: '6f1c1d4e-25d8-4f0a-9d63-1b2f3e4d5c6b',
        creationTime: '2026-11-22T23:41:07+01:00',
      },
    });
    const decoded = decodeMedicationQuery(xml);
    expect(decoded.query).toEqual(medicationQuery);
    expect(decoded.interaction).toBe('QURX_IN990011NL');
    expect(decoded.transmission).toMatchObject({
      messageId: '6f1c1d4e-25d8-4f0a-9d63-1b2f3e4d5c6b',
      id: { root: '2.16.840.1.113883.2.4.6.6.300001.1' },
      creationTime: '2026-11-22T23:41:07+01:00',
      sender: { applicationId: HAP.applicationId },
      receiver: { applicationId: '1' },
      acceptAckCode: 'AL',
      processingCode: 'P',
    });
  });

  it('fills the JSON defaults for what the sender left out', () => {
    const minimal: MedicationQuery = {
      bsn: FATIMA,
      requester: { applicationId: HAP.applicationId, professional: { uziNumber: '900000001', roleCode: '01.015' } },
      treatmentRelation: true,
    };
    expect(decodeMedicationQuery(encodeMedicationQuery(minimal, { transmission: { receiver: LSP } })).query).toEqual(
      MedicationQuery.parse(minimal),
    );
  });

  it('carries the dispense-list variant QURX_IN990111NL and the requesting organisation', () => {
    const xml = encodeMedicationQuery(medicationQuery, {
      interaction: 'QURX_IN990111NL',
      transmission: { receiver: LSP },
      requesterOrganisation: { ura: HAP.ura, name: HAP.name, type: 'N6' },
    });
    expect(xml).toContain('<interactionId root="2.16.840.1.113883.1.6" extension="QURX_IN990111NL"/>');
    const decoded = decodeMedicationQuery(xml);
    expect(decoded.interaction).toBe('QURX_IN990111NL');
    expect(decoded.requesterOrganisation).toEqual({ ura: HAP.ura, name: HAP.name, type: 'N6' });
  });

  it('goes on to a source as the SourceMedicationQuery, with the requesting organisation', () => {
    const q: SourceMedicationQuery = {
      bsn: JAN,
      requester: { ura: HAP.ura, organisationName: HAP.name, professional: DR_DE_WIT },
      from: '2026-01-01',
      latestPerProduct: false,
    };
    const xml = encodeSourceMedicationQuery(q, {
      transmission: { sender: LSP, receiver: { applicationId: DE_VIJZEL.applicationId } },
    });
    expect(decodeSourceMedicationQuery(xml).query).toEqual(q);
  });

  it('refuses a BSN that fails the 11-proef with INVALID_BSN, as the JSON API does', () => {
    const xml = encodeMedicationQuery(medicationQuery, { transmission: { receiver: LSP } }).replace(
      `extension="${FATIMA}"`,
      'extension="999900147"',
    );
    expect(problemOf(() => decodeMedicationQuery(xml))).toMatchObject({
      code: 'INVALID_BSN',
      hl7: 'VALIDATIEFOUT',
      field: 'QURX_IN990011NL.bsn',
    });
  });

  it('names the missing element and the interaction that does not match its root', () => {
    const noPatient = encodeMedicationQuery(medicationQuery, { transmission: { receiver: LSP } }).replace(
      /<patientID>.*?<\/patientID>/,
      '',
    );
    expect(problemOf(() => decodeMedicationQuery(noPatient))).toMatchObject({
      code: 'VALIDATION_ERROR',
      hl7: 'VALIDATIEFOUT',
      field: 'QURX_IN990011NL/ControlActProcess/queryByParameter/patientID',
    });
    const mislabelled = encodeMedicationQuery(medicationQuery, { transmission: { receiver: LSP } }).replace(
      'extension="QURX_IN990011NL"',
      'extension="QURX_IN990111NL"',
    );
    expect(problemOf(() => decodeMedicationQuery(mislabelled)).field).toBe('QURX_IN990011NL/interactionId/@extension');
  });

  it('refuses to encode a query the JSON contract would refuse', () => {
    expect(
      problemOf(() => encodeMedicationQuery({ ...medicationQuery, bsn: '123' }, { transmission: { receiver: LSP } }))
        .code,
    ).toBe('INVALID_BSN');
  });
});

describe('QUPC_IN990001NL summary query', () => {
  it('decodes to the JSON SummaryQuery it was encoded from', () => {
    expect(decodeSummaryQuery(encodeSummaryQuery(summaryQuery, { transmission: { receiver: LSP } })).query).toEqual(
      SummaryQuery.parse(summaryQuery),
    );
  });

  it('goes on to the GP as the SourceSummaryQuery', () => {
    const q: SourceSummaryQuery = {
      bsn: JAN,
      requester: { ura: HAP.ura, organisationName: HAP.name, professional: DR_DE_WIT },
    };
    const xml = encodeSourceSummaryQuery(q, {
      transmission: { sender: LSP, receiver: { applicationId: DE_LINDE.applicationId } },
    });
    expect(decodeSourceSummaryQuery(xml).query).toEqual(q);
  });

  it('names the kind of requesting organisation to the GP, who may decline to share with that kind', () => {
    const q: SourceSummaryQuery = {
      bsn: JAN,
      requester: { ura: HAP.ura, organisationName: HAP.name, organisationType: 'N6', professional: DR_DE_WIT },
    };
    const xml = encodeSourceSummaryQuery(q, {
      transmission: { sender: LSP, receiver: { applicationId: DE_LINDE.applicationId } },
    });
    expect(xml).toContain('<code code="N6" codeSystem="2.16.840.1.113883.2.4.15.1060"/>');
    expect(decodeSourceSummaryQuery(xml).query).toEqual(q);
  });
});
