import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createServiceClient,
  createSwitchPointClient,
  openStore,
  type App,
  asFrontOfficeUser,
  frontOfficeLogin,
} from '@schakel/service-kit';
import { freshBsn } from '@schakel/topology';
import { startSwitchPointInProcess, type InProcessSwitchPoint } from '@schakel/testkit/in-process';
import { buildApp, migrations, type PharmacyDatabase } from '../src/index.js';

const ME = { ORG_URA: '02000001', ORG_NAME: 'Apotheek Test', APPLICATION_ID: '200001' };
let sp: InProcessSwitchPoint;
let pharmacy: App;
let downPharmacy: App;
let pharmacyUrl: string;
/** The switch point's own leg to the pharmacy: over mutual TLS with the switch point's certificate. */
const asSwitchPoint = async (payload: unknown) => {
  const r = await sp.callerWith(sp.lspTls).http('POST', `${pharmacyUrl}/lsp/medication-queries`, payload);
  return { statusCode: r.status, json: () => r.json };
};
const client = createServiceClient({ timeoutMs: 2_000 });

beforeAll(async () => {
  // A real switch point over mutual TLS; the pharmacy calls it with its own system certificate.
  sp = await startSwitchPointInProcess();
  const me = await sp.system({
    id: 'apotheek-test',
    name: ME.ORG_NAME,
    ura: ME.ORG_URA,
    applicationId: ME.APPLICATION_ID,
    organisationType: 'J8',
  });
  const db = await openStore<PharmacyDatabase>({ database: ':memory:', migrations });
  pharmacy = await buildApp(ME, { db, lsp: me.lsp, kit: { logLevel: 'silent', tls: me.tls } });
  // The pharmacist, logged in at the front office.
  pharmacy = asFrontOfficeUser(
    pharmacy,
    await frontOfficeLogin(pharmacy, db, { uziNumber: '900000031', roleCode: '17.075' }),
  );
  pharmacyUrl = await pharmacy.listen({ host: '127.0.0.1', port: 0 });
  await me.lsp.registerSystem(ME.APPLICATION_ID, {
    ura: ME.ORG_URA,
    organisationName: ME.ORG_NAME,
    organisationType: 'J8',
    baseUrl: pharmacyUrl,
    provides: ['MEDVERSTREKKING'],
  });
  // A second pharmacy whose switch point is not there (port 9, discard: nothing listens on loopback).
  const downDb = await openStore<PharmacyDatabase>({ database: ':memory:', migrations });
  downPharmacy = await buildApp(ME, {
    db: downDb,
    lsp: createSwitchPointClient(client, 'https://127.0.0.1:9'),
    kit: { logLevel: 'silent' },
  });
  downPharmacy = asFrontOfficeUser(
    downPharmacy,
    await frontOfficeLogin(downPharmacy, downDb, { uziNumber: '900000031', roleCode: '17.075' }),
  );
});
afterAll(async () => {
  await pharmacy.close();
  await downPharmacy.close();
  await sp.close();
  await client.close();
});

const newPatient = (app: App, bsn: string) =>
  app.inject({ method: 'PUT', url: `/patients/${bsn}`, payload: { name: 'Piet Pieters', birthDate: '1955-05-05' } });
const addDispense = (app: App, bsn: string, dispensedOn: string, name = 'Omeprazol 20 mg') =>
  app.inject({
    method: 'POST',
    url: `/patients/${bsn}/dispenses`,
    payload: {
      product: { name, atc: 'A02BC01' },
      amount: { value: 30, unit: 'stuk' },
      dosageInstruction: '1x per dag',
      dispensedOn,
      prescriber: { name: 'Dr. Y' },
    },
  });

describe('PUT /patients/:bsn/consent', () => {
  it('registers the BSN in the reference index on consent and deregisters it on objection', async () => {
    const bsn = freshBsn();
    await newPatient(pharmacy, bsn);
    const given = await pharmacy.inject({
      method: 'PUT',
      url: `/patients/${bsn}/consent`,
      payload: { state: 'consent' },
    });
    expect(given.statusCode).toBe(200);
    expect(given.json().consent.state).toBe('consent');
    expect((await sp.admin.http('GET', `/reference-index/${bsn}`)).json.entries).toMatchObject([
      { applicationId: ME.APPLICATION_ID, category: 'MEDVERSTREKKING' },
    ]);

    await pharmacy.inject({
      method: 'PUT',
      url: `/patients/${bsn}/consent`,
      payload: { state: 'objection', channel: 'paper' },
    });
    expect((await sp.admin.http('GET', `/reference-index/${bsn}`)).json.entries).toEqual([]);
    const consents = (await sp.admin.http('GET', `/consents/${bsn}`)).json;
    expect(consents.inForce).toMatchObject([
      { holder: { ura: ME.ORG_URA }, state: 'objection', channel: 'paper', recordedBy: ME.APPLICATION_ID },
    ]);
  });

  it('changes nothing locally when the switch point cannot be reached, so the call can be repeated', async () => {
    const bsn = freshBsn();
    await newPatient(downPharmacy, bsn);
    const r = await downPharmacy.inject({
      method: 'PUT',
      url: `/patients/${bsn}/consent`,
      payload: { state: 'consent' },
    });
    expect(r.statusCode).toBe(502);
    expect(r.json().code).toBe('UPSTREAM_UNREACHABLE');
    expect((await downPharmacy.inject(`/patients/${bsn}`)).json().consent.state).toBe('no-choice');
  });

  it('answers 404 for a patient the pharmacy does not know', async () => {
    const r = await pharmacy.inject({
      method: 'PUT',
      url: `/patients/${freshBsn()}/consent`,
      payload: { state: 'consent' },
    });
    expect(r.statusCode).toBe(404);
    expect(r.json().code).toBe('NOT_FOUND');
  });
});

describe('POST /lsp/medication-queries', () => {
  const requester = {
    ura: '03000001',
    organisationName: 'HAP',
    professional: { uziNumber: '900000001', roleCode: '01.015' },
  };

  it('answers the dispenses in the period, newest first, and logs the query', async () => {
    const bsn = freshBsn();
    await newPatient(pharmacy, bsn);
    await addDispense(pharmacy, bsn, '2026-01-10', 'Oud middel');
    await addDispense(pharmacy, bsn, '2026-10-10', 'Nieuw middel');
    await addDispense(pharmacy, bsn, '2026-11-10', 'Nieuwste middel');
    const all = await asSwitchPoint({ bsn, requester });
    expect(all.json().dispenses.map((d: { product: { name: string } }) => d.product.name)).toEqual([
      'Nieuwste middel',
      'Nieuw middel',
      'Oud middel',
    ]);
    const period = await asSwitchPoint({ bsn, requester, from: '2026-10-01', to: '2026-10-31' });
    expect(period.json().dispenses.map((d: { product: { name: string } }) => d.product.name)).toEqual(['Nieuw middel']);
    const log = (await pharmacy.inject(`/query-log?bsn=${bsn}`)).json().entries;
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({
      interaction: 'QURX_IN990011NL',
      requesterUra: '03000001',
      actingUzi: '900000001',
      result: '3 dispenses',
    });
  });

  it('answers an empty list for a patient it does not know', async () => {
    const r = await asSwitchPoint({ bsn: freshBsn(), requester });
    expect(r.json()).toEqual({ interaction: 'QURX_IN990013NL', dispenses: [] });
  });
});

describe('POST /patients/:bsn/dispenses', () => {
  it('refuses a malformed ATC code with the field and what was expected, and stores nothing', async () => {
    const bsn = freshBsn();
    await newPatient(pharmacy, bsn);
    const r = await pharmacy.inject({
      method: 'POST',
      url: `/patients/${bsn}/dispenses`,
      payload: {
        product: { name: 'X', atc: 'nonsense' },
        amount: { value: 1, unit: 'stuk' },
        dosageInstruction: 'x',
        dispensedOn: '2026-11-01',
        prescriber: { name: 'Dr' },
      },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ field: 'body.product.atc', expected: expect.stringContaining('ATC') });
    expect((await pharmacy.inject(`/patients/${bsn}/dispenses`)).json().dispenses).toEqual([]);
  });

  it('refuses an impossible date', async () => {
    const bsn = freshBsn();
    await newPatient(pharmacy, bsn);
    const r = await addDispense(pharmacy, bsn, '2026-02-30');
    expect(r.statusCode).toBe(400);
    expect(r.json().field).toBe('body.dispensedOn');
  });
});
