import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshBsn } from '@schakel/topology';
import type { App } from '@schakel/service-kit';
import type { ObservationReportDelivery, SourceSummaryQuery } from '@schakel/contracts';
import {
  actionOf,
  buildEnvelope,
  decodeAcknowledgement,
  decodeReportAcknowledgement,
  decodeSummaryAnswer,
  encodeObservationReportDelivery,
  encodeSourceSummaryQuery,
  parseEnvelope,
  problemFromAcknowledgement,
  type WireInteraction,
} from '@schakel/hl7v3';
import { PRACTICE, gpApp, newPatient, post, REQUESTER } from './helpers.js';

// The practice's legs on the AORTA wire (HL7v3 in SOAP at /lsp/aorta) answer what its JSON legs answer,
// from the same functions: the same summary, the same inbox with the same de-duplication.
const TODAY = '2026-11-29';
const LSP = { applicationId: '1' };
const ME = { applicationId: PRACTICE.APPLICATION_ID };
let gp: Awaited<ReturnType<typeof gpApp>>;
let app: App;
beforeAll(async () => {
  gp = await gpApp({ now: () => new Date(`${TODAY}T10:00:00Z`) });
  app = gp.app;
});
afterAll(async () => gp.close());

/** POST one HL7v3 message to the SOAP leg as the switch point; answers the parsed answer envelope. */
async function soap(action: WireInteraction, body: string, messageId = randomUUID()) {
  const r = await app.inject({
    method: 'POST',
    url: '/lsp/aorta',
    headers: { 'content-type': 'application/soap+xml; charset=utf-8' },
    payload: buildEnvelope({ action: actionOf(action), messageId, to: 'https://gp.test/lsp/aorta', body }),
  });
  expect(r.statusCode, r.body).toBe(200);
  return { env: parseEnvelope(r.body, { maxBytes: 16 * 1024 * 1024 }), messageId };
}

const summaryQuery = (bsn: string, requester: SourceSummaryQuery['requester'] = REQUESTER) => ({ bsn, requester });

async function summaryOverSoap(q: SourceSummaryQuery) {
  const id = randomUUID();
  const { env } = await soap(
    'QUPC_IN990001NL',
    encodeSourceSummaryQuery(q, { transmission: { id, sender: LSP, receiver: ME } }),
    id,
  );
  expect(env.action).toBe(actionOf('QUPC_IN990002NL'));
  const m = decodeSummaryAnswer(env.body);
  expect(m.transmission.acknowledgement).toMatchObject({ typeCode: 'AA', targetMessageId: { extension: id } });
  expect(m.transmission.sender.applicationId).toBe(ME.applicationId);
  return m.answer;
}

async function summaryOverJson(q: SourceSummaryQuery) {
  const r = await app.inject({ method: 'POST', url: '/lsp/summary-queries', payload: q });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}

describe('QUPC_IN990001NL on the AORTA leg', () => {
  it('answers QUPC_IN990002NL with the same professional summary as the JSON leg', async () => {
    const bsn = freshBsn();
    await newPatient(app, bsn);
    const dm = await post(app, `/patients/${bsn}/episodes`, {
      title: 'Diabetes mellitus type 2',
      icpc: { code: 'T90.02', title: 'Diabetes mellitus type 2' },
      startDate: '2019-04-01',
    });
    await post(app, `/patients/${bsn}/prescriptions`, {
      episodeId: dm.id,
      product: { name: 'Metformine 500 mg tablet', atc: 'A10BA02' },
      dosageInstruction: '2 maal per dag 1 tablet',
      startDate: '2019-04-01',
      prescriber: { name: 'Dr. P. de Graaf', agb: '01099999' },
    });
    await post(app, `/patients/${bsn}/journal`, {
      date: '2026-10-01',
      S: 'moe',
      O: 'RR 150/90',
      E: 'T90.02',
      P: 'lab',
    });
    await post(app, `/patients/${bsn}/measurements`, {
      date: '2026-09-01',
      name: 'RR systolisch',
      loinc: '8480-6',
      value: 150,
      unit: 'mm[Hg]',
    });
    await post(app, `/patients/${bsn}/allergies`, {
      kind: 'allergy',
      substance: 'Penicillines',
      atc: 'J01C',
      reaction: 'urticaria',
      severity: 'moderate',
      recordedOn: '2010-05-05',
    });
    await post(app, `/patients/${bsn}/contra-indications`, { description: 'eGFR 40', recordedOn: '2026-03-01' });
    await post(app, `/patients/${bsn}/covering-notes`, { text: 'Woont alleen.', recordedOn: '2026-06-01' });
    await post(app, `/patients/${bsn}/treatment-limits`, {
      kind: 'niet-reanimeren',
      agreedOn: '2026-02-14',
      agreedWith: 'patiënt zelf',
    });

    const overSoap = await summaryOverSoap(summaryQuery(bsn));
    const overJson = await summaryOverJson(summaryQuery(bsn));
    expect(overSoap.summary?.openEpisodes).toHaveLength(1);
    expect(overSoap.summary?.treatmentLimits).toHaveLength(1);
    expect(overSoap).toEqual(overJson);
    // Each answer is one entry in the practice's own log of what it answered the switch point.
    const log = (await app.inject(`/query-log?bsn=${bsn}`)).json().entries;
    expect(log.map((e: { interaction: string }) => e.interaction)).toEqual(['QUPC_IN990001NL', 'QUPC_IN990001NL']);
  });

  it('answers an unknown patient, and a decline, the same on both wires', async () => {
    const unknown = freshBsn();
    expect(await summaryOverSoap(summaryQuery(unknown))).toEqual({ interaction: 'QUPC_IN990002NL', summary: null });
    const bsn = freshBsn();
    await newPatient(app, bsn);
    await post(app, `/patients/${bsn}/sharing-declines`, {
      scope: { all: true },
      reason: 'Eerst overleggen met de eigen huisarts',
      decidedBy: 'Dr. P. de Graaf',
    });
    const declined = await summaryOverSoap(summaryQuery(bsn));
    expect(declined.declined?.explanation).toContain('Eerst overleggen');
    expect(declined).toEqual(await summaryOverJson(summaryQuery(bsn)));
  });
});

function delivery(bsn: string, messageId = randomUUID()): ObservationReportDelivery {
  return {
    messageId,
    bsn,
    sender: {
      applicationId: '300001',
      ura: '03000001',
      organisationName: 'Huisartsenpost Midden',
      organisationType: 'N6',
    },
    author: { uziNumber: '900000001', roleCode: '01.015', name: 'Dr. H. de Wit' },
    situation: 'regular',
    encounter: { at: '2026-11-22T23:40:00.000Z', complaint: 'Hoofdpijn', actions: 'Uitleg gegeven' },
    writtenAt: '2026-11-22T23:55:12.000Z',
  };
}

async function deliverOverSoap(d: ObservationReportDelivery) {
  const { env } = await soap(
    'REPC_IN990003NL',
    encodeObservationReportDelivery(d, { transmission: { id: d.messageId, sender: LSP, receiver: ME } }),
  );
  expect(env.action).toBe(actionOf('MCCI_IN000002'));
  return decodeReportAcknowledgement(env.body);
}

describe('REPC_IN990003NL on the AORTA leg', () => {
  it('stores a report once in the same inbox and acknowledges it (AA), again as a duplicate on redelivery', async () => {
    const bsn = freshBsn();
    await newPatient(app, bsn);
    const d = delivery(bsn);
    const first = await deliverOverSoap(d);
    expect(first.acknowledgement).toMatchObject({ messageId: d.messageId, acknowledgement: 'AA', duplicate: false });
    expect(first.transmission.sender.applicationId).toBe(ME.applicationId);
    expect(first.transmission.acknowledgement?.targetMessageId.extension).toBe(d.messageId);
    expect((await deliverOverSoap(d)).acknowledgement).toMatchObject({ acknowledgement: 'AA', duplicate: true });
    // The JSON leg shares the inbox: a third delivery of the same id there is a duplicate too.
    const json = await app.inject({ method: 'POST', url: '/lsp/observation-reports', payload: d });
    expect(json.json()).toMatchObject({ acknowledgement: 'AA', duplicate: true });
    const inbox = (await app.inject(`/inbox?bsn=${bsn}`)).json();
    expect(inbox.count).toBe(1);
    expect(inbox.reports[0]).toMatchObject({ messageId: d.messageId, deliveries: 3, report: d });
  });

  it('rejects a patient the practice does not know (AR UNKNOWN_PATIENT), and a message id reused for another patient', async () => {
    const ar = await deliverOverSoap(delivery(freshBsn()));
    expect(ar.acknowledgement).toMatchObject({ acknowledgement: 'AR', code: 'UNKNOWN_PATIENT' });
    const [a, b] = [freshBsn(), freshBsn()];
    await newPatient(app, a);
    await newPatient(app, b);
    const id = randomUUID();
    expect((await deliverOverSoap(delivery(a, id))).acknowledgement.acknowledgement).toBe('AA');
    expect((await deliverOverSoap(delivery(b, id))).acknowledgement).toMatchObject({
      acknowledgement: 'AR',
      code: 'MESSAGE_ID_CONFLICT',
    });
    expect((await app.inject(`/inbox?bsn=${b}`)).json().count).toBe(0);
  });

  it('refuses a report it cannot read with an MCCI_IN000002 of the message itself, and stores nothing', async () => {
    const bsn = freshBsn();
    await newPatient(app, bsn);
    const xml = encodeObservationReportDelivery(delivery(bsn), {
      transmission: { sender: LSP, receiver: ME },
    }).replace(`extension="${bsn}"`, 'extension="123456789"');
    const { env, messageId } = await soap('REPC_IN990003NL', xml);
    const { transmission } = decodeAcknowledgement(env.body);
    // It targets the envelope's MessageID: the switch point reads it as a refusal of the message, not of a report.
    expect(transmission.acknowledgement).toMatchObject({
      typeCode: 'AR',
      targetMessageId: { extension: `urn:uuid:${messageId}` },
    });
    expect(transmission.sender.applicationId).toBe(ME.applicationId);
    expect(problemFromAcknowledgement(transmission)).toMatchObject({ code: 'INVALID_BSN', hl7: 'VALIDATIEFOUT' });
    expect((await app.inject(`/inbox?bsn=${bsn}`)).json().count).toBe(0);
  });

  it('answers a message it does not take (a medication query) with a SOAP Sender fault', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/lsp/aorta',
      headers: { 'content-type': 'application/soap+xml' },
      payload: '<not-soap/>',
    });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('soap:Sender');
  });
});
