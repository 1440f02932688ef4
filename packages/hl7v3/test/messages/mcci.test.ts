import { describe, expect, it } from 'vitest';
import { problem, type Problem, type ReportAcknowledgement, type ReportRouting } from '@schakel/contracts';
import {
  acknowledgementFromProblem,
  decodeAcknowledgement,
  decodeReportAcknowledgement,
  encodeReportAcknowledgement,
  problemFromAcknowledgement,
} from '../../src/messages/acknowledgement.js';
import { XMLSerializer } from '@xmldom/xmldom';
import { decodeBatch, encodeBatch } from '../../src/messages/batch.js';
import { parseXml } from '../../src/xml/parse.js';
import { DE_LINDE, HAP, JAN, LSP, medicationBatch, submission, summaryBatch } from '../fixtures.js';
import { schemaSkipReason, structuralProblems, validateAgainstSchema } from '../schema.js';

const QUERY_ID = 'a1b2c3d4-0000-4000-8000-000000000001';
const toHap = { sender: LSP, receiver: { applicationId: HAP.applicationId } };

/** Every MCCI message we produce: valid against HL7's schema (when xmllint and the schemas are here) and in the right shape. */
function expectValid(xml: string, schema: 'MCCI_IN200101' | 'MCCI_IN000002') {
  expect(structuralProblems(xml, schema)).toEqual([]);
  if (schemaSkipReason === undefined) expect(validateAgainstSchema(xml, schema)).toBeUndefined();
}

/** The MCCI_IN000002 messages inside a batch, as standalone documents. */
function innerAcknowledgements(batchXml: string): string[] {
  const root = parseXml(batchXml).documentElement!;
  const out: string[] = [];
  for (let c = root.firstChild; c !== null; c = c.nextSibling) {
    if (c.nodeType === c.ELEMENT_NODE && c.localName === 'MCCI_IN000002')
      out.push(new XMLSerializer().serializeToString(c));
  }
  return out;
}

describe('MCCI_IN000002 acknowledgement of a problem', () => {
  const cases: Array<[string, Problem]> = [
    ['an unknown patient (KEY204)', problem('UNKNOWN_PATIENT', 'No data is registered for 999901199').problem],
    [
      'a refusal with the deciding rule (NAT)',
      problem('NOT_AUTHORISED', 'The protocol does not let a bedrijfsarts see medication', {
        decision: {
          code: 'PROTOCOL_DENY',
          rule: 'AP-MED-9: occupational doctors never',
          explanation: 'Occupational and insurance doctors are always denied',
        },
      }).problem,
    ],
    [
      'a validation error with every field (VALIDATIEFOUT)',
      problem('INVALID_BSN', 'QURX_IN990011NL.bsn: expected 9 digits passing the 11-proef', {
        field: 'QURX_IN990011NL.bsn',
        expected: '9 digits passing the 11-proef',
        errors: [
          {
            field: 'QURX_IN990011NL.bsn',
            code: 'INVALID_BSN',
            expected: '9 digits passing the 11-proef',
            message: 'expected 9 digits passing the 11-proef',
          },
          { field: 'QURX_IN990011NL.from', code: 'INVALID_VALUE', expected: 'date', message: 'Invalid ISO date' },
        ],
        aortaId:
          'initialRequestID=0b0f5a5e-6a29-4c36-8c3e-52d2b0a4f1de; requestID=0b0f5a5e-6a29-4c36-8c3e-52d2b0a4f1de',
        instance: '/aorta/query',
      }).problem,
    ],
    ['a replayed assertion (NAT)', problem('ASSERTION_REPLAYED', 'message id 7c1e… was used before').problem],
    ['a time-out (no AORTA code)', problem('UPSTREAM_TIMEOUT').problem],
  ];

  it.each(cases)('carries %s and reads back to the same problem', (_name, p) => {
    const xml = acknowledgementFromProblem(p, { transmission: toHap, inResponseTo: QUERY_ID });
    expectValid(xml, 'MCCI_IN000002');
    const decoded = decodeAcknowledgement(xml);
    expect(problemFromAcknowledgement(decoded.transmission)).toEqual(p);
  });

  it.skipIf(schemaSkipReason !== undefined)("is checked by HL7's schema: one without its sender fails it", () => {
    const xml = acknowledgementFromProblem(problem('UPSTREAM_TIMEOUT').problem, {
      transmission: toHap,
      inResponseTo: QUERY_ID,
    });
    expect(validateAgainstSchema(xml, 'MCCI_IN000002')).toBeUndefined();
    const broken = xml.replace(/<sender [^]*<\/sender>/, '');
    expect(broken).not.toBe(xml);
    expect(validateAgainstSchema(broken, 'MCCI_IN000002')).toMatch(/sender/);
  });

  it('rejects (AR) what trying again will not fix and errs (AE) where it may', () => {
    const type = (p: Problem) =>
      decodeAcknowledgement(acknowledgementFromProblem(p, { transmission: toHap, inResponseTo: QUERY_ID })).transmission
        .acknowledgement.typeCode;
    expect(type(problem('NOT_AUTHORISED').problem)).toBe('AR');
    expect(type(problem('VALIDATION_ERROR').problem)).toBe('AR');
    expect(type(problem('UPSTREAM_UNREACHABLE').problem)).toBe('AE');
    expect(type(problem('INTERNAL_ERROR').problem)).toBe('AE');
  });

  it('puts the AORTA detail code first, with its code system, and Schakel’s code as translation', () => {
    const xml = acknowledgementFromProblem(problem('UNKNOWN_PATIENT').problem, {
      transmission: toHap,
      inResponseTo: QUERY_ID,
    });
    expect(xml).toMatch(
      /<acknowledgement typeCode="AR"><acknowledgementDetail typeCode="E"><code code="KEY204" codeSystem="2.16.840.1.113883.5.4"[^>]*><translation code="UNKNOWN_PATIENT"/,
    );
    const validation = acknowledgementFromProblem(problem('VALIDATION_ERROR').problem, {
      transmission: toHap,
      inResponseTo: QUERY_ID,
    });
    expect(validation).toContain('<code code="VALIDATIEFOUT" codeSystem="2.16.840.1.113883.2.4.6.6.1.1000"');
  });

  it('reads an acknowledgement of a foreign system that knows only AORTA codes', () => {
    const xml = acknowledgementFromProblem(problem('NOT_AUTHORISED', 'Geen behandelrelatie').problem, {
      transmission: toHap,
      inResponseTo: QUERY_ID,
    }).replace(/<translation[^>]*\/>/, '');
    expect(problemFromAcknowledgement(decodeAcknowledgement(xml).transmission)).toMatchObject({
      code: 'NOT_AUTHORISED',
      hl7: 'NAT',
      detail: 'Geen behandelrelatie',
    });
  });
});

describe('MCCI_IN000002 acknowledgement of an observation report', () => {
  const acks: Array<ReportAcknowledgement | ReportRouting> = [
    {
      interaction: 'MCCI_IN000002',
      messageId: submission.messageId,
      acknowledgement: 'AA',
      duplicate: false,
      receivedAt: '2026-11-22T23:55:13.001Z',
    },
    {
      interaction: 'MCCI_IN000002',
      messageId: submission.messageId,
      acknowledgement: 'AA',
      duplicate: true,
      receivedAt: '2026-11-22T23:55:13.001Z',
    },
    {
      interaction: 'MCCI_IN000002',
      messageId: submission.messageId,
      acknowledgement: 'AR',
      duplicate: false,
      code: 'UNKNOWN_PATIENT',
      reason: 'Deze patiënt staat niet bij ons ingeschreven',
    },
    {
      interaction: 'MCCI_IN000002',
      messageId: submission.messageId,
      acknowledgement: 'AE',
      duplicate: false,
      code: 'UPSTREAM_TIMEOUT',
      reason: 'The GP did not answer in time',
      deliveredTo: { applicationId: DE_LINDE.applicationId, ura: DE_LINDE.ura, organisationName: DE_LINDE.name },
    },
  ];
  it.each(
    acks.map(
      (a) =>
        [`${a.acknowledgement}${a.duplicate ? ' (duplicate)' : ''}${'deliveredTo' in a ? ' routed' : ''}`, a] as const,
    ),
  )('reads %s back as it was sent', (_name, ack) => {
    const xml = encodeReportAcknowledgement(ack, { transmission: toHap });
    expectValid(xml, 'MCCI_IN000002');
    expect(decodeReportAcknowledgement(xml).acknowledgement).toEqual(ack);
  });
});

describe('MCCI_IN200101 batch', () => {
  it('holds an answer per answering source and an acknowledgement per other source, and reads back to the QueryBatch', () => {
    const xml = encodeBatch(medicationBatch, {
      transmission: { ...toHap, creationTime: '2026-11-22T23:41:08.250+01:00' },
      inResponseTo: QUERY_ID,
    });
    expectValid(xml, 'MCCI_IN200101');
    const decoded = decodeBatch(xml);
    expect(decoded.batch).toEqual(medicationBatch);
    expect(decoded.acknowledgement.typeCode).toBe('AE');
    expect(decoded.acknowledgement.targetTransmissionId).toEqual({
      root: '2.16.840.1.113883.2.4.6.6.300001.1',
      extension: QUERY_ID,
    });
    // One detail per source that did not answer, pointing at its message.
    expect(decoded.acknowledgement.details.map((d) => [d.typeCode, d.code?.code, d.location])).toEqual([
      ['W', 'refused', "/MCCI_IN200101/*[sender/device/id/@extension='200002']"],
      ['E', 'timeout', "/MCCI_IN200101/*[sender/device/id/@extension='200003']"],
      ['E', 'unreachable', "/MCCI_IN200101/*[sender/device/id/@extension='200005']"],
      ['E', 'error', "/MCCI_IN200101/*[sender/device/id/@extension='200006']"],
    ]);
    expect(xml.match(/<QURX_IN990013NL /g)).toHaveLength(2);
    // The per-source acknowledgements are valid MCCI_IN000002 messages in their own right.
    const inner = innerAcknowledgements(xml);
    expect(inner).toHaveLength(4);
    for (const m of inner) expectValid(m, 'MCCI_IN000002');
  });

  it('holds QURX_IN990113NL answers for the dispense-list query', () => {
    const xml = encodeBatch(medicationBatch, {
      transmission: toHap,
      inResponseTo: QUERY_ID,
      answerInteraction: 'QURX_IN990113NL',
    });
    expectValid(xml, 'MCCI_IN200101');
    const decoded = decodeBatch(xml);
    expect(decoded.answerInteraction).toBe('QURX_IN990113NL');
    expect(decoded.batch).toEqual(medicationBatch);
  });

  it('holds the professional summary (QUPC_IN990002NL) and says AA when every source answered', () => {
    const xml = encodeBatch(summaryBatch, { transmission: toHap, inResponseTo: QUERY_ID });
    expectValid(xml, 'MCCI_IN200101');
    const decoded = decodeBatch(xml);
    expect(decoded.acknowledgement).toMatchObject({ typeCode: 'AA', details: [] });
    expect(decoded.batch).toEqual(summaryBatch);
  });

  it('shows a GP that declined to share despite consent as refused but contacted, with its own decision', () => {
    const declining = {
      applicationId: '100003',
      ura: '01000003',
      organisationName: 'Huisartsenpraktijk De Brug',
      organisationType: 'Z3',
      status: 'refused',
      contacted: true,
      durationMs: 14,
      decision: {
        code: 'HOLDER_DECLINED',
        rule: 'GP-SHARE-1',
        explanation: 'Huisartsenpraktijk De Brug declined to share the summary despite consent: zie reden',
      },
    } as const;
    // The switch point counts a source that declined as answered: the batch is complete.
    const batch = { ...summaryBatch, sources: [...summaryBatch.sources, declining] };
    const xml = encodeBatch(batch, { transmission: toHap, inResponseTo: QUERY_ID });
    expectValid(xml, 'MCCI_IN200101');
    for (const inner of innerAcknowledgements(xml)) expectValid(inner, 'MCCI_IN000002');
    const decoded = decodeBatch(xml);
    expect(decoded.batch).toEqual(batch);
    expect(decoded.acknowledgement.typeCode).toBe('AA');
    expect(decoded.acknowledgement.details).toHaveLength(1);
    expect(decoded.acknowledgement.details[0]).toMatchObject({
      typeCode: 'W',
      text: expect.stringContaining('declined to share (refused); HOLDER_DECLINED'),
    });
  });

  it('is valid with no sources at all', () => {
    const empty = { ...summaryBatch, sources: [], bsn: JAN };
    const xml = encodeBatch(empty, { transmission: toHap, inResponseTo: QUERY_ID });
    expectValid(xml, 'MCCI_IN200101');
    expect(decodeBatch(xml).batch).toEqual(empty);
  });
});
