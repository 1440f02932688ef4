import { describe, expect, it } from 'vitest';
import type { IndexRegistration } from '@schakel/contracts';
import { decodeObservationReportDelivery, decodeObservationReportSubmission, encodeObservationReportDelivery, encodeObservationReportSubmission } from '../../src/messages/observation-report.js';
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

  it('decodes to the delivery it was encoded from: the reporting organisation and system travel with it', () => {
    const xml = encodeObservationReportDelivery(delivery, { transmission: { sender: LSP, receiver: { applicationId: DE_LINDE.applicationId } } });
    const decoded = decodeObservationReportDelivery(xml);
    expect(decoded.report).toEqual(delivery);
    expect(decoded.transmission.sender.applicationId).toBe('1');
  });
});

describe('MFMT_IN002101 / 002102 / 002103 reference index', () => {
  it.each(REGISTRATION_INTERACTIONS)('decodes %s to the registration it was encoded from', (interaction) => {
    const registration: IndexRegistration = { bsn: JAN, category: 'MEDVERSTREKKING', applicationId: DE_VIJZEL.applicationId };
    const decoded = decodeRegistration(encodeRegistration(interaction, registration, { transmission: { receiver: LSP }, author: DR_DE_WIT }));
    expect(decoded).toMatchObject({ interaction, registration, author: DR_DE_WIT, transmission: { sender: { applicationId: DE_VIJZEL.applicationId } } });
  });

  it('refuses an unknown data category', () => {
    const xml = encodeRegistration('MFMT_IN002101', { bsn: JAN, category: 'MEDVERSTREKKING', applicationId: '200001' }, { transmission: { receiver: LSP } }).replace('code="MEDVERSTREKKING"', 'code="ROOKGEDRAG"');
    expect(() => decodeRegistration(xml)).toThrow(/category/);
  });
});
