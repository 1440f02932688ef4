import { describe, expect, it } from 'vitest';
import type { IndexRegistration } from '@schakel/contracts';
import {
  decodeObservationReportDelivery,
  decodeObservationReportSubmission,
  encodeObservationReportDelivery,
  encodeObservationReportSubmission,
} from '../../src/messages/observation-report.js';
import { decodeRegistration, encodeRegistration, REGISTRATION_INTERACTIONS } from '../../src/messages/registration.js';
import { DE_LINDE, DE_VIJZEL, DR_DE_WIT, JAN, LSP, delivery, submission } from '../fixtures.js';

describe('REPC_IN990003NL observation report', () => {
  it('decodes to the submission it was encoded from; the message id is the wrapper id and the report id', () => {
    const xml = encodeObservationReportSubmission(submission, { transmission: { receiver: LSP } });
    const decoded = decodeObservationReportSubmission(xml);
    expect(decoded.report).toEqual(submission);
    expect(decoded.transmission.messageId).toBe(submission.messageId);
    expect(xml).toContain('<priorityCode code="EM" codeSystem="2.16.840.1.113883.5.7"/>');
  });

  it('carries the treatment limits agreed in the encounter, as treatmentLimit components of the report', () => {
    expect(submission.encounter.treatmentLimits).toHaveLength(2);
    const xml = encodeObservationReportSubmission(submission, { transmission: { receiver: LSP } });
    expect(xml).toContain(
      '<component><treatmentLimit classCode="ACT" moodCode="EVN"><code code="geen-ziekenhuisopname" codeSystem="2.25.323076476240762072713884933401719747791.7" displayName="no hospital admission"/>',
    );
    expect(decodeObservationReportSubmission(xml).report.encounter.treatmentLimits).toEqual(
      submission.encounter.treatmentLimits,
    );
    const withLimits = {
      ...delivery,
      encounter: { ...delivery.encounter, treatmentLimits: submission.encounter.treatmentLimits },
    };
    const toGp = { transmission: { sender: LSP, receiver: { applicationId: DE_LINDE.applicationId } } };
    expect(decodeObservationReportDelivery(encodeObservationReportDelivery(withLimits, toGp)).report).toEqual(
      withLimits,
    );
    // No list element: an empty list reads back as none (the same to the GP: nothing reported).
    const empty = { ...delivery, encounter: { ...delivery.encounter, treatmentLimits: [] } };
    expect(decodeObservationReportDelivery(encodeObservationReportDelivery(empty, toGp)).report).toEqual(delivery);
  });

  it('refuses a treatment limit of a kind the contract does not know, on either side', () => {
    const bad = {
      ...submission,
      encounter: { ...submission.encounter, treatmentLimits: [{ kind: 'geen-antibiotica', agreedOn: '2026-11-22' }] },
    } as unknown as typeof submission;
    expect(() => encodeObservationReportSubmission(bad, { transmission: { receiver: LSP } })).toThrow(
      /treatmentLimits/,
    );
    const xml = encodeObservationReportSubmission(submission, { transmission: { receiver: LSP } }).replace(
      'code="niet-reanimeren"',
      'code="geen-antibiotica"',
    );
    expect(() => decodeObservationReportSubmission(xml)).toThrow(/treatmentLimits/);
  });

  it('decodes to the delivery it was encoded from: the reporting organisation and system travel with it', () => {
    const xml = encodeObservationReportDelivery(delivery, {
      transmission: { sender: LSP, receiver: { applicationId: DE_LINDE.applicationId } },
    });
    const decoded = decodeObservationReportDelivery(xml);
    expect(decoded.report).toEqual(delivery);
    expect(decoded.transmission.sender.applicationId).toBe('1');
  });
});

describe('MFMT_IN002101 / 002102 / 002103 reference index', () => {
  it.each(REGISTRATION_INTERACTIONS)('decodes %s to the registration it was encoded from', (interaction) => {
    const registration: IndexRegistration = {
      bsn: JAN,
      category: 'MEDVERSTREKKING',
      applicationId: DE_VIJZEL.applicationId,
    };
    const decoded = decodeRegistration(
      encodeRegistration(interaction, registration, { transmission: { receiver: LSP }, author: DR_DE_WIT }),
    );
    expect(decoded).toMatchObject({
      interaction,
      registration,
      author: DR_DE_WIT,
      transmission: { sender: { applicationId: DE_VIJZEL.applicationId } },
    });
  });

  it('refuses an unknown data category', () => {
    const xml = encodeRegistration(
      'MFMT_IN002101',
      { bsn: JAN, category: 'MEDVERSTREKKING', applicationId: '200001' },
      { transmission: { receiver: LSP } },
    ).replace('code="MEDVERSTREKKING"', 'code="ROOKGEDRAG"');
    expect(() => decodeRegistration(xml)).toThrow(/category/);
  });
});
