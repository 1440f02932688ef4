import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problem, type SourceMedicationAnswer } from '@schakel/contracts';
import { openPki, type Pki } from '@schakel/trust/pki';
import {
  acknowledgementFromProblem,
  audienceOf,
  buildAnswerEnvelope,
  buildEnvelope,
  decodeBatch,
  decodeMedicationAnswer,
  decodeMedicationQuery,
  decodeSourceMedicationQuery,
  encodeBatch,
  encodeMedicationAnswer,
  encodeMedicationQuery,
  encodeSourceMedicationQuery,
  interactionOf,
  parseEnvelope,
  problemFromAcknowledgement,
  decodeAcknowledgement,
  signAssertionHeader,
  uuidOf,
  verifyAssertionHeader,
} from '../src/index.js';
import { DE_VIJZEL, GP, HAP, JAN, LSP, medicationBatch, omeprazol } from './fixtures.js';

let dir: string;
let pki: Pki;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hl7v3-conv-'));
  pki = await openPki(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a medication lookup over AORTA, hop by hop', () => {
  it('goes from the HAP to the switch point, on to a pharmacy and back as a batch', async () => {
    const card = await pki.issueProfessional(GP);
    const query = {
      bsn: JAN,
      requester: { applicationId: HAP.applicationId, professional: { uziNumber: GP.uziNumber, roleCode: GP.roleCode } },
      treatmentRelation: true,
    };

    // The HAP: the query, its signed header, one envelope; the assertion's message id is the envelope's.
    const messageId = crypto.randomUUID();
    const request = buildEnvelope({
      action: 'urn:hl7-org:v3/QURX_IN990011NL',
      messageId,
      to: 'https://127.0.0.1:7000/aorta/query',
      headers: [
        signAssertionHeader(card, {
          interaction: 'QURX_IN990011NL',
          bsn: JAN,
          audience: audienceOf(LSP.applicationId),
          messageId,
        }),
      ],
      body: encodeMedicationQuery(query, { transmission: { id: messageId, receiver: LSP } }),
    });

    // The switch point: parse once, check the header against the body, decode.
    const env = parseEnvelope(request);
    const definition = interactionOf(env);
    const verdict = verifyAssertionHeader(env, { cardCaPem: pki.cardCaPem });
    if (!verdict.ok) throw new Error(verdict.detail);
    const decoded = decodeMedicationQuery(env.body);
    expect(verdict.claims).toMatchObject({
      jti: uuidOf(env.messageId),
      interaction: definition.id,
      bsn: decoded.query.bsn,
      sub: decoded.query.requester.professional.uziNumber,
      aud: audienceOf('1'),
    });

    // On to the pharmacy, which answers QURX_IN990013NL.
    const toPharmacy = encodeSourceMedicationQuery(
      {
        bsn: JAN,
        requester: { ura: HAP.ura, organisationName: HAP.name, professional: decoded.query.requester.professional },
      },
      { transmission: { sender: LSP, receiver: { applicationId: DE_VIJZEL.applicationId } } },
    );
    const atPharmacy = decodeSourceMedicationQuery(toPharmacy);
    const answer: SourceMedicationAnswer = { interaction: 'QURX_IN990013NL', dispenses: [omeprazol] };
    const fromPharmacy = decodeMedicationAnswer(
      encodeMedicationAnswer(answer, {
        transmission: { sender: { applicationId: DE_VIJZEL.applicationId }, receiver: LSP },
        inResponseTo: atPharmacy.transmission.id,
        bsn: atPharmacy.query.bsn,
      }),
    );
    expect(fromPharmacy.answer).toEqual(answer);

    // The batch goes back on the same exchange, related to the request.
    const answerEnvelope = parseEnvelope(
      buildAnswerEnvelope(env, {
        action: 'urn:hl7-org:v3/MCCI_IN200101',
        body: encodeBatch(medicationBatch, {
          transmission: { sender: LSP, receiver: { applicationId: HAP.applicationId } },
          inResponseTo: decoded.transmission.id,
        }),
      }),
      { maxBytes: 16 * 1024 * 1024 },
    );
    expect(answerEnvelope.relatesTo).toBe(env.messageId);
    const batch = decodeBatch(answerEnvelope.body);
    expect(batch.acknowledgement.targetTransmissionId).toEqual(decoded.transmission.id);
    expect(batch.batch).toEqual(medicationBatch);
  });

  it('answers a refused query with an MCCI_IN000002 the HAP reads back as the problem', () => {
    const p = problem('UNKNOWN_PATIENT', 'No data is registered for 999901199').problem;
    const env = parseEnvelope(
      buildEnvelope({
        action: 'urn:hl7-org:v3/MCCI_IN000002',
        relatesTo: 'urn:uuid:x',
        body: acknowledgementFromProblem(p, {
          transmission: { sender: LSP, receiver: { applicationId: HAP.applicationId } },
          inResponseTo: 'x',
        }),
      }),
    );
    expect(problemFromAcknowledgement(decodeAcknowledgement(env.body).transmission)).toEqual(p);
  });
});
