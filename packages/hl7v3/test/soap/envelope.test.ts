import { describe, expect, it } from 'vitest';
import { ProblemError } from '@schakel/contracts';
import {
  buildAnswerEnvelope,
  buildEnvelope,
  buildFault,
  parseEnvelope,
  uuidOf,
  WSA_ANONYMOUS,
} from '../../src/soap/envelope.js';
import { decodeMedicationQuery, encodeMedicationQuery } from '../../src/messages/medication-query.js';
import { LSP, medicationQuery } from '../fixtures.js';

const body = () => encodeMedicationQuery(medicationQuery, { transmission: { receiver: LSP } });

describe('SOAP 1.2 envelope with WS-Addressing', () => {
  it('reads Action, MessageID, To, ReplyTo and the body’s one element, which decodes as is', () => {
    const xml = buildEnvelope({
      action: 'urn:hl7-org:v3/QURX_IN990011NL',
      messageId: '6f1c1d4e-25d8-4f0a-9d63-1b2f3e4d5c6b',
      to: 'https://127.0.0.1:7000/aorta/query',
      replyTo: WSA_ANONYMOUS,
      body: body(),
    });
    const env = parseEnvelope(xml);
    expect(env).toMatchObject({
      action: 'urn:hl7-org:v3/QURX_IN990011NL',
      messageId: 'urn:uuid:6f1c1d4e-25d8-4f0a-9d63-1b2f3e4d5c6b',
      to: 'https://127.0.0.1:7000/aorta/query',
      replyTo: WSA_ANONYMOUS,
      bodyName: 'QURX_IN990011NL',
      bodyNamespace: 'urn:hl7-org:v3',
      notUnderstood: [],
    });
    expect(uuidOf(env.messageId)).toBe('6f1c1d4e-25d8-4f0a-9d63-1b2f3e4d5c6b');
    expect(decodeMedicationQuery(env.body).query).toEqual(medicationQuery);
  });

  it('answers with RelatesTo the request’s MessageID and the answer’s Action', () => {
    const request = parseEnvelope(buildEnvelope({ action: 'urn:hl7-org:v3/QURX_IN990011NL', body: body() }));
    const answer = parseEnvelope(
      buildAnswerEnvelope(request, {
        action: 'urn:hl7-org:v3/MCCI_IN200101',
        body: '<MCCI_IN200101 xmlns="urn:hl7-org:v3"/>',
      }),
    );
    expect(answer).toMatchObject({
      action: 'urn:hl7-org:v3/MCCI_IN200101',
      relatesTo: request.messageId,
      to: WSA_ANONYMOUS,
    });
    expect(answer.messageId).not.toBe(request.messageId);
  });

  it('lists header blocks that must be understood and are not', () => {
    const xml = buildEnvelope({
      action: 'a',
      body: '<x xmlns="urn:x"/>',
      headers: [
        '<t:Trace xmlns:t="urn:example:trace" xmlns:soap="http://www.w3.org/2003/05/soap-envelope" soap:mustUnderstand="true"/>',
      ],
    });
    expect(parseEnvelope(xml).notUnderstood).toEqual(['{urn:example:trace}Trace']);
  });

  it('refuses SOAP 1.1, a missing Action or MessageID, and a body without exactly one element', () => {
    const problemOf = (xml: string) => {
      try {
        parseEnvelope(xml);
      } catch (e) {
        if (e instanceof ProblemError) return e.problem;
      }
      throw new Error('expected a problem');
    };
    expect(
      problemOf('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>').detail,
    ).toMatch(/SOAP 1.1/);
    const ok = buildEnvelope({ action: 'urn:hl7-org:v3/QURX_IN990011NL', messageId: 'm', body: body() });
    expect(problemOf(ok.replace(/<wsa:Action[^>]*>[^<]*<\/wsa:Action>/, '')).field).toBe('Envelope/Header/wsa:Action');
    expect(problemOf(ok.replace(/<wsa:MessageID>[^<]*<\/wsa:MessageID>/, '')).field).toBe(
      'Envelope/Header/wsa:MessageID',
    );
    expect(problemOf(ok.replace(/<soap:Body>.*<\/soap:Body>/, '<soap:Body/>')).field).toBe('Envelope/Body');
    expect(problemOf(ok.replace('</soap:Body>', '<x xmlns="urn:x"/></soap:Body>')).field).toBe('Envelope/Body');
  });

  it('builds and reads a SOAP fault carrying an acknowledgement', () => {
    const fault = parseEnvelope(
      buildFault({
        code: 'Sender',
        reason: 'The envelope is not well-formed',
        detail: '<MCCI_IN000002 xmlns="urn:hl7-org:v3"/>',
        relatesTo: 'urn:uuid:1',
      }),
    );
    expect(fault.fault).toMatchObject({ code: 'soap:Sender', reason: 'The envelope is not well-formed' });
    expect(fault.fault?.detail?.localName).toBe('MCCI_IN000002');
  });
});
