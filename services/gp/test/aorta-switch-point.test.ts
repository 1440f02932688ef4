import { randomUUID } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asFrontOfficeUser, frontOfficeLogin, openStore, type App } from '@schakel/service-kit';
import { freshBsn } from '@schakel/topology';
import { startSwitchPointInProcess, type InProcessSwitchPoint, type TestCaller } from '@schakel/testkit/in-process';
import { buildApp, migrations, type GpDatabase } from '../src/index.js';

// A real switch point and a real GP system over mutual TLS, in this process, the GP's address-book entry on
// the hl7v3 wire: the switch point asks for the summary and delivers reports over SOAP to /lsp/aorta, and
// the consumer (the test, as a HAP on the JSON API) sees what it sees from a JSON GP.
const GP = { id: 'gp-aorta', name: 'Praktijk Aorta', ura: '01000019', applicationId: '100019', organisationType: 'Z3' };
const HAP = { id: 'hap-aorta', name: 'HAP Aorta', ura: '03000019', applicationId: '300019', organisationType: 'N6' };
const AUTHOR = { uziNumber: '900000001', roleCode: '01.015', name: 'Dr. W' };
let sp: InProcessSwitchPoint;
let gp: App;
let hap: TestCaller;
/** The paths the switch point called on the GP (undici publishes every request it creates). */
const calledAtGp: string[] = [];
let gpOrigin = '';
subscribe('undici:request:create', (message) => {
  const { request } = message as { request: { origin: string; path: string } };
  if (request.origin === gpOrigin) calledAtGp.push(request.path);
});

beforeAll(async () => {
  sp = await startSwitchPointInProcess();
  const gpCaller = await sp.system(GP);
  const db = await openStore<GpDatabase>({ database: ':memory:', migrations });
  const raw = await buildApp(
    { ORG_NAME: GP.name, ORG_URA: GP.ura, APPLICATION_ID: GP.applicationId },
    { db, lsp: gpCaller.lsp, kit: { logLevel: 'silent', tls: gpCaller.tls } },
  );
  const url = await raw.listen({ host: '127.0.0.1', port: 0 });
  gpOrigin = new URL(url).origin;
  sp.track(raw);
  // The practice's front office, as its GP logged in (the test's own setup and checks go through it).
  gp = asFrontOfficeUser(raw, await frontOfficeLogin(raw, db, { uziNumber: '900000029', roleCode: '01.015' }));
  // As runOrganisation enters a practice with WIRE=hl7v3: the base URL is its AORTA endpoint.
  await gpCaller.lsp.registerSystem(GP.applicationId, {
    ura: GP.ura,
    organisationName: GP.name,
    organisationType: 'Z3',
    baseUrl: `${url}/lsp/aorta`,
    provides: ['WAARNEEMGEGEVENS'],
    wire: 'hl7v3',
  });
  await sp.admin.lsp.registerSystem(HAP.applicationId, {
    ura: HAP.ura,
    organisationName: HAP.name,
    organisationType: 'N6',
    provides: [],
  });
  hap = await sp.system(HAP);
});
afterAll(async () => sp?.close());

async function patientWithConsent(): Promise<string> {
  const bsn = freshBsn();
  await gp.inject({ method: 'PUT', url: `/patients/${bsn}`, payload: { name: 'Gerda Smit', birthDate: '1950-02-03' } });
  const r = await gp.inject({ method: 'PUT', url: `/patients/${bsn}/consent`, payload: { state: 'consent' } });
  expect(r.statusCode, r.body).toBe(200);
  return bsn;
}

function report(bsn: string, messageId: string = randomUUID()) {
  return {
    messageId,
    bsn,
    sender: { applicationId: HAP.applicationId, professional: AUTHOR },
    situation: 'regular',
    encounter: {
      at: '2026-11-02T21:15:00.000Z',
      complaint: 'Benauwd sinds vanavond',
      actions: 'Salbutamol verneveld',
      episodeProposal: { code: 'R96', title: 'Astma' },
      handover: 'Graag controle over 3 dagen',
    },
    writtenAt: '2026-11-02T21:40:00.000Z',
  };
}
const send = async (body: object, bsn: string) =>
  hap.http(
    'POST',
    '/reports/observation',
    body,
    await sp.assertion({ ...AUTHOR, ura: HAP.ura }, bsn, { interaction: 'REPC_IN990003NL' }),
  );

afterAll(() => {
  // Every call the switch point made to this GP went to its AORTA leg; none to a JSON leg.
  expect(calledAtGp.length).toBeGreaterThanOrEqual(4);
  expect(new Set(calledAtGp)).toEqual(new Set(['/lsp/aorta']));
});

describe('the switch point and an HL7v3 GP', () => {
  it('asks the GP for the summary over SOAP and puts it in the batch', async () => {
    const bsn = await patientWithConsent();
    await gp.inject({
      method: 'POST',
      url: `/patients/${bsn}/episodes`,
      payload: { title: 'Astma', icpc: { code: 'R96', title: 'Astma' }, startDate: '2020-01-01' },
    });
    const r = await hap.http(
      'POST',
      '/queries/summary',
      {
        bsn,
        requester: { applicationId: HAP.applicationId, professional: AUTHOR },
        treatmentRelation: true,
      },
      await sp.assertion({ ...AUTHOR, ura: HAP.ura }, bsn, { interaction: 'QUPC_IN990001NL' }),
    );
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.sources).toMatchObject([
      {
        applicationId: GP.applicationId,
        status: 'ok',
        summary: { bsn, openEpisodes: [{ icpc: { code: 'R96' } }], practice: { ura: GP.ura } },
      },
    ]);
    // The GP answered it on its AORTA leg: one entry in its own log, under the switch point's conversation.
    const log = (await gp.inject(`/query-log?bsn=${bsn}`)).json().entries;
    expect(log).toMatchObject([{ interaction: 'QUPC_IN990001NL', result: expect.stringContaining('1 open episodes') }]);
  });

  it('delivers a report over SOAP once: AA, then AA duplicate on redelivery, one report in the inbox', async () => {
    const bsn = await patientWithConsent();
    const body = report(bsn);
    const first = await send(body, bsn);
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    expect(first.json).toMatchObject({
      messageId: body.messageId,
      acknowledgement: 'AA',
      duplicate: false,
      deliveredTo: { applicationId: GP.applicationId },
    });
    expect((await send(body, bsn)).json).toMatchObject({ acknowledgement: 'AA', duplicate: true });
    const inbox = (await gp.inject(`/inbox?bsn=${bsn}`)).json();
    expect(inbox.count).toBe(1);
    expect(inbox.reports[0]).toMatchObject({
      messageId: body.messageId,
      deliveries: 2,
      report: { sender: { ura: HAP.ura }, encounter: { complaint: 'Benauwd sinds vanavond' } },
    });
    const log = (await sp.admin.http('GET', `/access-log?bsn=${bsn}`)).json.entries;
    expect(log.map((e: { code: string }) => e.code)).toEqual(['AA', 'AA']);
  });

  it('passes the GP’s AR on, as from a JSON GP, and the sender does not try again', async () => {
    const bsn = freshBsn();
    expect((await sp.admin.http('PUT', `/reference-index/${bsn}/WAARNEEMGEGEVENS/${GP.applicationId}`)).status).toBe(
      201,
    );
    const r = await send(report(bsn), bsn);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ acknowledgement: 'AR', code: 'UNKNOWN_PATIENT' });
    const log = (await sp.admin.http('GET', `/access-log?bsn=${bsn}`)).json.entries;
    expect(log.at(-1)).toMatchObject({ outcome: 'refused', code: 'AR:UNKNOWN_PATIENT' });
  });
});
