import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { freshBsn } from '@schakel/topology';
import {
  actionOf,
  audienceOf,
  buildEnvelope,
  decodeAcknowledgement,
  decodeBatch,
  encodeMedicationQuery,
  encodeRegistration,
  parseEnvelope,
  problemFromAcknowledgement,
  signAssertionHeader,
  type WireInteraction,
} from '@schakel/hl7v3';
import { schemaSkipReason, structuralProblems, validateAgainstSchema } from '../../../packages/hl7v3/test/schema.js';
import { GP_AT_HAP, HAP, startSwitchPoint, type TestSwitchPoint } from './helpers.js';

// The AORTA wire at the switch point: the same pipeline as the JSON routes, HL7v3 in SOAP at the edges.
let sp: TestSwitchPoint;
let bsn: string;
let agent: Agent;
const PROFESSIONAL = { ...GP_AT_HAP, ura: HAP.ura };
const LSP = { applicationId: '1' };

beforeAll(async () => {
  sp = await startSwitchPoint();
  const pharmacy = await sp.pharmacy('200081', '02000081', 'Apotheek Aorta');
  bsn = freshBsn();
  await pharmacy.app.inject({
    method: 'PUT',
    url: `/patients/${bsn}`,
    payload: { name: 'A', birthDate: '1950-01-01' },
  });
  await pharmacy.app.inject({
    method: 'POST',
    url: `/patients/${bsn}/dispenses`,
    payload: {
      product: { name: 'Omeprazol 20mg', atc: 'A02BC01', gpk: '14214' },
      amount: { value: 30, unit: 'stuk' },
      dosageInstruction: '1 maal per dag',
      dispensedOn: '2026-11-01',
      prescriber: { name: 'Dr. A' },
    },
  });
  await pharmacy.app.inject({ method: 'PUT', url: `/patients/${bsn}/consent`, payload: { state: 'consent' } });
  agent = new Agent({ connect: sp.hap.tls });
});
afterAll(async () => {
  await agent.close();
  await sp.close();
});

async function post(path: string, envelope: string, contentType = 'application/soap+xml; charset=utf-8') {
  const r = await request(`${sp.url}${path}`, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': contentType },
    body: envelope,
  });
  return { status: r.statusCode, text: await r.body.text() };
}

interface Signing {
  forBsn?: string;
  interaction?: WireInteraction;
  audience?: string;
  notBefore?: number;
  lifetimeSeconds?: number;
  messageId?: string;
  card?: Awaited<ReturnType<TestSwitchPoint['credential']>>;
  noHeader?: boolean;
}

async function medicationQuery(about: string, s: Signing = {}) {
  const messageId = s.messageId ?? crypto.randomUUID();
  const card = s.card ?? (await sp.credential(PROFESSIONAL));
  const header = signAssertionHeader(card, {
    interaction: s.interaction ?? 'QURX_IN990011NL',
    bsn: s.forBsn ?? about,
    audience: s.audience ?? audienceOf(LSP.applicationId),
    messageId,
    ...(s.notBefore !== undefined ? { notBefore: s.notBefore } : {}),
    ...(s.lifetimeSeconds !== undefined ? { lifetimeSeconds: s.lifetimeSeconds } : {}),
  });
  return buildEnvelope({
    action: actionOf('QURX_IN990011NL'),
    messageId,
    to: `${sp.url}/aorta/query`,
    headers: s.noHeader === true ? [] : [header],
    body: encodeMedicationQuery(
      {
        bsn: about,
        requester: {
          applicationId: HAP.applicationId,
          professional: { uziNumber: GP_AT_HAP.uziNumber, roleCode: GP_AT_HAP.roleCode },
        },
        treatmentRelation: true,
      },
      { transmission: { id: messageId, receiver: LSP } },
    ),
  });
}

const newestLogEntry = async (b?: string) =>
  (await sp.admin.http('GET', b === undefined ? '/access-log?limit=1' : `/access-log?bsn=${b}`)).json.entries.at(-1);

describe('POST /aorta/query (QURX_IN990011NL)', () => {
  it('answers a signed HL7v3 query with an MCCI_IN200101 batch holding the pharmacy’s QURX_IN990013NL', async () => {
    const r = await post('/aorta/query', await medicationQuery(bsn));
    expect(r.status).toBe(200);
    const env = parseEnvelope(r.text, { maxBytes: 16 * 1024 * 1024 });
    expect(env.action).toBe(actionOf('MCCI_IN200101'));
    const { batch } = decodeBatch(env.body);
    expect(batch.complete).toBe(true);
    expect(batch.sources).toMatchObject([
      { organisationName: 'Apotheek Aorta', status: 'ok', dispenses: [{ product: { name: 'Omeprazol 20mg' } }] },
    ]);
    expect(await newestLogEntry(bsn)).toMatchObject({
      interaction: 'QURX_IN990011NL',
      outcome: 'permitted',
      actingUzi: GP_AT_HAP.uziNumber,
    });
    const body = r.text.slice(
      r.text.indexOf('<MCCI_IN200101'),
      r.text.indexOf('</MCCI_IN200101>') + '</MCCI_IN200101>'.length,
    );
    expect(structuralProblems(body, 'MCCI_IN200101')).toEqual([]);
    if (schemaSkipReason === undefined) expect(validateAgainstSchema(body, 'MCCI_IN200101')).toBeUndefined();
  });

  // Every refusal of the JWS path, in its HL7v3 form, with the same code in the access log.
  const refusals: [string, () => Promise<string>, string][] = [
    ['no signed header', async () => medicationQuery(bsn, { noHeader: true }), 'ASSERTION_MISSING'],
    [
      'a header signed for another patient',
      async () => medicationQuery(bsn, { forBsn: freshBsn() }),
      'ASSERTION_MISMATCH',
    ],
    [
      'a header signed for another interaction',
      async () => medicationQuery(bsn, { interaction: 'QUPC_IN990001NL' }),
      'ASSERTION_MISMATCH',
    ],
    [
      'a header addressed to another party',
      async () => medicationQuery(bsn, { audience: audienceOf('300001') }),
      'ASSERTION_MISMATCH',
    ],
    [
      'a stale header',
      async () => medicationQuery(bsn, { notBefore: Math.floor(Date.now() / 1000) - 3600 }),
      'ASSERTION_EXPIRED',
    ],
    [
      'a header from the future',
      async () => medicationQuery(bsn, { notBefore: Math.floor(Date.now() / 1000) + 3600 }),
      'ASSERTION_NOT_YET_VALID',
    ],
    ['a header valid for too long', async () => medicationQuery(bsn, { lifetimeSeconds: 3600 }), 'ASSERTION_TOO_LONG'],
    [
      'a tampered signed element',
      async () => (await medicationQuery(bsn)).replace(bsn, freshBsn()),
      'ASSERTION_BAD_SIGNATURE',
    ],
  ];
  for (const [what, make, code] of refusals) {
    it(`refuses ${what} with an MCCI_IN000002 carrying ${code}, and logs it`, async () => {
      const r = await post('/aorta/query', await make());
      expect(r.status).toBe(200);
      const env = parseEnvelope(r.text);
      expect(env.action).toBe(actionOf('MCCI_IN000002'));
      const ack = decodeAcknowledgement(env.body);
      expect(ack.transmission.acknowledgement.typeCode).toMatch(/^A[ER]$/);
      expect(problemFromAcknowledgement(ack.transmission)).toMatchObject({ code });
      expect((await newestLogEntry()).code).toBe(code);
      const body = r.text.slice(
        r.text.indexOf('<MCCI_IN000002'),
        r.text.indexOf('</MCCI_IN000002>') + '</MCCI_IN000002>'.length,
      );
      if (schemaSkipReason === undefined) expect(validateAgainstSchema(body, 'MCCI_IN000002')).toBeUndefined();
    });
  }

  it('refuses a replayed message id (ASSERTION_REPLAYED)', async () => {
    const messageId = crypto.randomUUID();
    expect(
      parseEnvelope((await post('/aorta/query', await medicationQuery(bsn, { messageId }))).text, {
        maxBytes: 16 * 1024 * 1024,
      }).action,
    ).toBe(actionOf('MCCI_IN200101'));
    const again = parseEnvelope((await post('/aorta/query', await medicationQuery(bsn, { messageId }))).text);
    expect(problemFromAcknowledgement(decodeAcknowledgement(again.body).transmission)).toMatchObject({
      code: 'ASSERTION_REPLAYED',
    });
  });

  it('answers an unknown patient KEY204 and an insurance doctor NAT', async () => {
    const unknown = parseEnvelope((await post('/aorta/query', await medicationQuery(freshBsn()))).text);
    expect(problemFromAcknowledgement(decodeAcknowledgement(unknown.body).transmission)).toMatchObject({
      code: 'UNKNOWN_PATIENT',
      hl7: 'KEY204',
    });
    const card = await sp.credential({ uziNumber: '900000048', roleCode: '01.048', name: 'V', ura: HAP.ura });
    const messageId = crypto.randomUUID();
    const env = buildEnvelope({
      action: actionOf('QURX_IN990011NL'),
      messageId,
      headers: [
        signAssertionHeader(card, { interaction: 'QURX_IN990011NL', bsn, audience: audienceOf('1'), messageId }),
      ],
      body: encodeMedicationQuery(
        {
          bsn,
          requester: { applicationId: HAP.applicationId, professional: { uziNumber: '900000048', roleCode: '01.048' } },
          treatmentRelation: true,
        },
        { transmission: { id: messageId, receiver: LSP } },
      ),
    });
    const refused = parseEnvelope((await post('/aorta/query', env)).text);
    expect(problemFromAcknowledgement(decodeAcknowledgement(refused.body).transmission)).toMatchObject({
      code: 'NOT_AUTHORISED',
      hl7: 'NAT',
    });
  });
});

describe('a mixed topology', () => {
  it('answers one batch from a JSON pharmacy and an HL7v3 pharmacy, asked each on its own wire', async () => {
    const b = freshBsn();
    const json = await sp.pharmacy('200091', '02000091', 'Apotheek Json');
    const hl7 = await sp.pharmacy('200092', '02000092', 'Apotheek Aorta Bron');
    // The second speaks HL7v3: its address-book entry says so, and its base URL is its AORTA endpoint.
    await hl7.me.lsp.registerSystem('200092', {
      ura: '02000092',
      organisationName: 'Apotheek Aorta Bron',
      organisationType: 'J8',
      baseUrl: `${hl7.url}/lsp/aorta`,
      provides: ['MEDVERSTREKKING'],
      wire: 'hl7v3',
    });
    for (const [p, product] of [
      [json, 'Metoprolol'],
      [hl7, 'Amlodipine'],
    ] as const) {
      await p.app.inject({ method: 'PUT', url: `/patients/${b}`, payload: { name: 'M', birthDate: '1950-01-01' } });
      await p.app.inject({
        method: 'POST',
        url: `/patients/${b}/dispenses`,
        payload: {
          product: { name: product, atc: 'C07AB02' },
          amount: { value: 30, unit: 'stuk' },
          dosageInstruction: '1 dd',
          dispensedOn: '2026-11-01',
          prescriber: { name: 'Dr. A' },
        },
      });
      await p.app.inject({ method: 'PUT', url: `/patients/${b}/consent`, payload: { state: 'consent' } });
    }
    const r = await post('/aorta/query', await medicationQuery(b));
    const { batch } = decodeBatch(parseEnvelope(r.text, { maxBytes: 16 * 1024 * 1024 }).body);
    expect(batch.complete).toBe(true);
    const byName = Object.fromEntries(
      batch.sources.map((s) => [s.organisationName, s.dispenses?.map((d) => d.product.name)]),
    );
    expect(byName).toEqual({ 'Apotheek Json': ['Metoprolol'], 'Apotheek Aorta Bron': ['Amlodipine'] });
    // The HL7v3 pharmacy logged the query it answered over SOAP, under the same conversation.
    expect((await hl7.app.inject({ url: `/query-log?bsn=${b}` })).json().entries).toHaveLength(1);
    // The JSON API gets the same batch from the same mixed sources.
    const viaJson = await sp.hap.http(
      'POST',
      '/queries/medication',
      {
        bsn: b,
        requester: {
          applicationId: HAP.applicationId,
          professional: { uziNumber: GP_AT_HAP.uziNumber, roleCode: GP_AT_HAP.roleCode },
        },
        treatmentRelation: true,
      },
      await sp.assertion(PROFESSIONAL, b),
    );
    expect(viaJson.json.sources.map((s: { status: string }) => s.status)).toEqual(['ok', 'ok']);
  });
});

describe('the parser’s safety', () => {
  it('refuses an XXE attempt and a billion-laughs document quickly with a SOAP Sender fault', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>&e;</soap:Body></soap:Envelope>`;
    const lol = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>&c;</soap:Body></soap:Envelope>`;
    for (const doc of [
      xxe,
      lol,
      'not xml at all',
      '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body/></soap:Envelope>',
    ]) {
      const r = await post('/aorta/query', doc);
      expect(r.status).toBe(400);
      expect(r.text).toContain('soap:Sender');
      expect(r.text).not.toContain('root:');
    }
  });

  it('refuses a JSON body on the SOAP endpoint, and answers an Action that does not name the body with a fault', async () => {
    const r = await post('/aorta/query', '{"a":1}', 'application/json');
    expect(r.status).toBe(400);
    const wrong = (await medicationQuery(bsn)).replace(actionOf('QURX_IN990011NL'), actionOf('QUPC_IN990001NL'));
    expect((await post('/aorta/query', wrong)).status).toBe(400);
  });
});

describe('POST /aorta/registration (MFMT_IN002101 / MFMT_IN002103)', () => {
  it('changes the reference index and answers AA; another system’s registration is refused', async () => {
    const b = freshBsn();
    const pharmacy = await sp.system({
      id: 'apotheek-aorta-2',
      name: 'Apotheek Aorta 2',
      ura: '02000082',
      applicationId: '200082',
      organisationType: 'J8',
    });
    await sp.admin.lsp.registerSystem('200082', {
      ura: '02000082',
      organisationName: 'Apotheek Aorta 2',
      organisationType: 'J8',
      baseUrl: 'https://127.0.0.1:9',
      provides: ['MEDVERSTREKKING'],
    });
    const send = async (interaction: 'MFMT_IN002101' | 'MFMT_IN002103', applicationId: string) => {
      const messageId = crypto.randomUUID();
      const env = buildEnvelope({
        action: actionOf(interaction),
        messageId,
        body: encodeRegistration(
          interaction,
          { bsn: b, category: 'MEDVERSTREKKING', applicationId },
          { transmission: { id: messageId, sender: { applicationId: '200082' }, receiver: LSP } },
        ),
      });
      const a = new Agent({ connect: pharmacy.tls });
      const r = await request(`${sp.url}/aorta/registration`, {
        method: 'POST',
        dispatcher: a,
        headers: { 'content-type': 'application/soap+xml' },
        body: env,
      });
      const text = await r.body.text();
      await a.close();
      return decodeAcknowledgement(parseEnvelope(text).body).transmission.acknowledgement;
    };
    expect((await send('MFMT_IN002101', '200082')).typeCode).toBe('AA');
    expect((await sp.admin.http('GET', `/reference-index/${b}`)).json.entries).toMatchObject([
      { applicationId: '200082' },
    ]);
    expect((await send('MFMT_IN002101', '200081')).typeCode).toMatch(/^A[ER]$/);
    expect((await send('MFMT_IN002103', '200082')).typeCode).toBe('AA');
    expect((await sp.admin.http('GET', `/reference-index/${b}`)).json.entries).toEqual([]);
  });
});

describe('GET /aorta/{service}?wsdl', () => {
  it('serves a WSDL per service that names its operations', async () => {
    for (const [path, op] of [
      ['query', 'QURX_IN990011NL'],
      ['report', 'REPC_IN990003NL'],
      ['registration', 'MFMT_IN002101'],
    ] as const) {
      const r = await request(`${sp.url}/aorta/${path}?wsdl`, { dispatcher: agent });
      const text = await r.body.text();
      expect(r.statusCode).toBe(200);
      expect(text).toContain('wsdl:definitions');
      expect(text).toContain(op);
    }
  });
});
