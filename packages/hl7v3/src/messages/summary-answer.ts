import { OID, SourceSummaryAnswer, type Decision, type ProfessionalSummary } from '@schakel/contracts';
import { el, toXml, type XElement } from '../xml/build.js';
import { validated, wireError, type Reader } from '../xml/read.js';
import { CODE_SYSTEM } from '../oids.js';
import { readCode, readIdExtension, readTsDateTime, tsDateTime } from '../hl7/datatypes.js';
import { messageRoot, type XmlInput } from '../hl7/message.js';
import {
  readTransmission,
  transmissionWrapper,
  type Transmission,
  type TransmissionInput,
} from '../hl7/transmission.js';
import { itemElements, readItems } from './summary-items.js';
import type { AnswerOptions } from './medication-answer.js';

/**
 * QUPC_IN990002NL, the GP's professional summary (professionele samenvatting, huisartswaarneemgegevens):
 * the patient, the practice as custodian, when it was made (author/time) and the period of the journal
 * (effectiveTime low), then one component per item: open episodes with ICPC, SOEP journal entries,
 * measurements, current prescriptions, allergies and intolerances, contra-indications, notes for the
 * covering GP, treatment limits (with a reference to the report they came with, if any) and the feedback
 * of the acute chain the GP processed. A shielded item is refused on encoding: it never leaves the GP.
 * A practice that does not know the patient answers NF with no summary.
 *
 * A practice that declines to share despite consent (`declined`, GP-SHARE-1) answers NF with no summary
 * too, and says why on the ControlActProcess: reasonOf/detectedIssueEvent (ALRT) whose code is the
 * decision's code under Schakel's decision codes with the rule as displayName, whose text is the
 * explanation, and, when the decision names a consent record, a reference to it. The wrapper's
 * acknowledgement stays AA: the query was received and handled, it is the answer that holds nothing. The
 * switch point shows such a source as refused (contacted) with this decision. A decline with a summary is
 * refused on encoding and on decoding: a decline must never carry the summary along.
 */
export const SUMMARY_ANSWER = 'QUPC_IN990002NL';

export interface SummaryAnswerMessage {
  interaction: typeof SUMMARY_ANSWER;
  transmission: Transmission;
  answer: SourceSummaryAnswer;
}

function patientElement(s: ProfessionalSummary): XElement {
  const p = s.patient;
  return el(
    'recordTarget',
    null,
    el(
      'Patient',
      { classCode: 'PAT' },
      el('id', { root: OID.bsn, extension: s.bsn }),
      p !== undefined &&
        el(
          'Person',
          { classCode: 'PSN', determinerCode: 'INSTANCE' },
          el('name', null, p.name),
          el('birthTime', { value: p.birthDate.replaceAll('-', '') }),
          p.address !== undefined &&
            el(
              'addr',
              null,
              el('streetName', null, p.address.street),
              el('houseNumber', null, p.address.houseNumber),
              el('postalCode', null, p.address.postalCode),
              el('city', null, p.address.city),
            ),
        ),
    ),
  );
}

function declinedElement(d: Decision): XElement {
  return el(
    'reasonOf',
    { typeCode: 'RSON' },
    el(
      'detectedIssueEvent',
      { classCode: 'ALRT', moodCode: 'EVN' },
      el('code', { code: d.code, codeSystem: CODE_SYSTEM.decision, displayName: d.rule }),
      el('text', null, d.explanation),
      d.consentRecordId !== undefined &&
        el(
          'reference',
          { typeCode: 'REFR' },
          el(
            'consent',
            { classCode: 'CONS', moodCode: 'EVN' },
            el('id', { root: CODE_SYSTEM.consentRecord, extension: String(d.consentRecordId) }),
          ),
        ),
    ),
  );
}

function readDeclined(act: Reader): Decision | undefined {
  const issue = act.child('reasonOf')?.child('detectedIssueEvent');
  if (issue === undefined) return undefined;
  const code = readCode(issue.need('code'), CODE_SYSTEM.decision);
  const consent = issue.child('reference')?.child('consent');
  return {
    code: code.code,
    rule: code.displayName ?? '',
    ...(consent !== undefined
      ? { consentRecordId: Number(readIdExtension(consent.need('id'), CODE_SYSTEM.consentRecord)) }
      : {}),
    explanation: issue.child('text')?.text() ?? '',
  };
}

/** The ControlActProcess content of a summary answer (also used inside a batch). */
export function summaryAnswerPayload(answer: SourceSummaryAnswer): XElement[] {
  const s = answer.summary;
  if (answer.declined !== undefined && s !== null) {
    throw wireError(
      'SourceSummaryAnswer.declined',
      'INVALID_VALUE',
      'summary null with a decline',
      'a practice that declines to share sends no summary',
    );
  }
  return [
    s !== null &&
      el(
        'subject',
        { typeCode: 'SUBJ' },
        el(
          'ProfessionalSummary',
          { classCode: 'DOCCLIN', moodCode: 'EVN' },
          el('effectiveTime', null, el('low', { value: s.journalFrom.replaceAll('-', '') })),
          patientElement(s),
          el('author', null, tsDateTime('time', s.generatedAt)),
          el(
            'custodian',
            null,
            el(
              'Organization',
              { classCode: 'ORG', determinerCode: 'INSTANCE' },
              el('id', { root: OID.ura, extension: s.practice.ura }),
              el('name', null, s.practice.name),
            ),
          ),
          itemElements(s),
        ),
      ),
    answer.declined !== undefined && declinedElement(answer.declined),
    el('queryAck', null, el('queryResponseCode', { code: s === null ? 'NF' : 'OK' })),
  ].filter((x): x is XElement => x !== false);
}

export function encodeSummaryAnswer(
  input: SourceSummaryAnswer,
  options: Omit<AnswerOptions<typeof SUMMARY_ANSWER>, 'interaction' | 'bsn'>,
): string {
  const answer = validated(SourceSummaryAnswer, input, 'SourceSummaryAnswer');
  const transmission: TransmissionInput = {
    ...options.transmission,
    acknowledgement: { typeCode: 'AA', targetMessageId: options.inResponseTo, ...options.transmission.acknowledgement },
  };
  return toXml(
    transmissionWrapper(
      SUMMARY_ANSWER,
      transmission,
      { acceptAckCode: 'NE' },
      el('ControlActProcess', { moodCode: 'EVN' }, summaryAnswerPayload(answer)),
    ),
  );
}

function readDate(r: Reader | undefined, field: string): string {
  const v = r?.attr('value');
  if (v === undefined || !/^\d{8}$/.test(v))
    throw wireError(field, 'INVALID_VALUE', 'a date YYYYMMDD', `not a date: ${v ?? '(missing)'}`);
  return `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}`;
}

export function readSummaryAnswerPayload(root: Reader): SourceSummaryAnswer {
  const act = root.need('ControlActProcess');
  const s = act.child('subject')?.child('ProfessionalSummary');
  const declined = readDeclined(act);
  if (s === undefined)
    return validated(
      SourceSummaryAnswer,
      { interaction: SUMMARY_ANSWER, summary: null, ...(declined !== undefined ? { declined } : {}) },
      root.name,
    );
  if (declined !== undefined)
    throw wireError(
      `${act.path}/reasonOf`,
      'INVALID_VALUE',
      'no summary with a decline',
      'a practice that declines to share sends no summary',
    );
  const patientEl = s.need('recordTarget').need('Patient');
  const bsn = readIdExtension(patientEl.need('id'), OID.bsn);
  const person = patientEl.child('Person');
  const addr = person?.child('addr');
  const custodian = s.need('custodian').need('Organization');
  const summary = {
    bsn,
    ...(person !== undefined
      ? {
          patient: {
            name: person.need('name').text(),
            birthDate: readDate(person.child('birthTime'), `${person.path}/birthTime`),
            ...(addr !== undefined
              ? {
                  address: {
                    street: addr.need('streetName').text(),
                    houseNumber: addr.need('houseNumber').text(),
                    postalCode: addr.need('postalCode').text(),
                    city: addr.need('city').text(),
                  },
                }
              : {}),
          },
        }
      : {}),
    practice: { ura: readIdExtension(custodian.need('id'), OID.ura), name: custodian.child('name')?.text() ?? '' },
    generatedAt: readTsDateTime(s.need('author').need('time')),
    journalFrom: readDate(s.need('effectiveTime').child('low'), `${s.path}/effectiveTime/low`),
    ...readItems(s, bsn),
  };
  return validated(SourceSummaryAnswer, { interaction: SUMMARY_ANSWER, summary }, root.name);
}

export function decodeSummaryAnswer(input: XmlInput): SummaryAnswerMessage {
  const root = messageRoot(input);
  const transmission = readTransmission(root, [SUMMARY_ANSWER]);
  if (transmission.acknowledgement === undefined)
    throw wireError(
      `${root.path}/acknowledgement`,
      'MISSING_FIELD',
      'the acknowledgement of the query',
      'an answer names the query it answers',
    );
  return { interaction: SUMMARY_ANSWER, transmission, answer: readSummaryAnswerPayload(root) };
}
