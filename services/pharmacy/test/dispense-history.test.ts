import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createServiceClient,
  createSwitchPointClient,
  openStore,
  type App,
  asFrontOfficeUser,
  frontOfficeLogin,
} from '@schakel/service-kit';
import { SourceMedicationAnswer } from '@schakel/contracts';
import { freshBsn } from '@schakel/topology';
import { buildApp, migrations, type PharmacyDatabase } from '../src/index.js';
import { asSwitchPoint } from '@schakel/testkit/in-process';

// These routes never reach the switch point: it is not there (port 9, discard).
const client = createServiceClient({ timeoutMs: 1_000 });
let app: App;
beforeAll(async () => {
  const db = await openStore<PharmacyDatabase>({ database: ':memory:', migrations });
  app = await buildApp(
    { ORG_URA: '02000009', ORG_NAME: 'Apotheek Proef', APPLICATION_ID: '200009' },
    {
      db,
      lsp: createSwitchPointClient(client, 'http://127.0.0.1:9'),
      kit: { logLevel: 'silent', identify: asSwitchPoint },
    },
  );
  app = asFrontOfficeUser(app, await frontOfficeLogin(app, db, { uziNumber: '900000031', roleCode: '17.075' }));
});
afterAll(async () => {
  await app.close();
  await client.close();
});

const requester = {
  ura: '03000001',
  organisationName: 'HAP',
  professional: { uziNumber: '900000001', roleCode: '01.015' },
};
const prescriber = { name: 'Dr. A. Bakker', agb: '01012345' };
const product = (name: string, prk: string, atc: string) => ({ name, prk, atc });

async function patientWithHistory(bsn: string) {
  await app.inject({ method: 'PUT', url: `/patients/${bsn}`, payload: { name: 'Truus Bos', birthDate: '1940-01-01' } });
  const dispenses = [
    [product('Metformine 500 mg tablet', '27871', 'A10BA02'), '2026-05-01'],
    [product('Metformine 500 mg tablet', '27871', 'A10BA02'), '2026-08-01'],
    [product('Metformine 500 mg tablet', '27871', 'A10BA02'), '2026-11-01'],
    [product('Simvastatine 40 mg tablet', '21369', 'C10AA01'), '2026-06-15'],
    [product('Simvastatine 40 mg tablet', '21369', 'C10AA01'), '2026-09-15'],
    [product('Amoxicilline 500 mg capsule', '3034', 'J01CA04'), '2026-02-02'],
  ] as const;
  for (const [p, dispensedOn] of dispenses) {
    const r = await app.inject({
      method: 'POST',
      url: `/patients/${bsn}/dispenses`,
      payload: {
        product: p,
        amount: { value: 90, unit: 'stuk' },
        dosageInstruction: '1 maal per dag 1 tablet',
        dispensedOn,
        prescriber,
      },
    });
    expect(r.statusCode, r.body).toBe(201);
  }
}
const names = (r: { json: () => { dispenses: { product: { name: string }; dispensedOn: string }[] } }) =>
  r.json().dispenses.map((d) => `${d.dispensedOn} ${d.product.name}`);

describe('POST /lsp/medication-queries with latestPerProduct', () => {
  it('answers only the most recent dispense of each product, newest first', async () => {
    const bsn = freshBsn();
    await patientWithHistory(bsn);
    const r = await app.inject({
      method: 'POST',
      url: '/lsp/medication-queries',
      payload: { bsn, requester, latestPerProduct: true },
    });
    expect(names(r)).toEqual([
      '2026-11-01 Metformine 500 mg tablet',
      '2026-09-15 Simvastatine 40 mg tablet',
      '2026-02-02 Amoxicilline 500 mg capsule',
    ]);
  });

  it('takes the most recent per product within the period', async () => {
    const bsn = freshBsn();
    await patientWithHistory(bsn);
    const r = await app.inject({
      method: 'POST',
      url: '/lsp/medication-queries',
      payload: { bsn, requester, from: '2026-04-01', to: '2026-08-31', latestPerProduct: true },
    });
    expect(names(r)).toEqual(['2026-08-01 Metformine 500 mg tablet', '2026-06-15 Simvastatine 40 mg tablet']);
  });

  it('answers every dispense without it, as before', async () => {
    const bsn = freshBsn();
    await patientWithHistory(bsn);
    const r = await app.inject({ method: 'POST', url: '/lsp/medication-queries', payload: { bsn, requester } });
    expect(r.json().dispenses).toHaveLength(6);
    // Serialized without zod at run time: the answer must be exactly what the contract says, no more.
    expect(SourceMedicationAnswer.parse(r.json())).toStrictEqual(r.json());
  });
});

describe('contra-indications and intolerances (CiO)', () => {
  it('are recorded at the front office and included in the answer to the switch point', async () => {
    const bsn = freshBsn();
    await patientWithHistory(bsn);
    const ci = await app.inject({
      method: 'POST',
      url: `/patients/${bsn}/contra-indications`,
      payload: { kind: 'contra-indication', name: 'Nierfunctiestoornis', recordedOn: '2026-03-01' },
    });
    expect(ci.statusCode, ci.body).toBe(201);
    await app.inject({
      method: 'POST',
      url: `/patients/${bsn}/contra-indications`,
      payload: { kind: 'intolerance', name: 'Overgevoeligheid penicillines', atc: 'J01C', recordedOn: '2018-05-01' },
    });
    const list = (await app.inject(`/patients/${bsn}/contra-indications`)).json().contraIndications;
    expect(list.map((c: { name: string }) => c.name)).toEqual(['Nierfunctiestoornis', 'Overgevoeligheid penicillines']);
    const r = await app.inject({ method: 'POST', url: '/lsp/medication-queries', payload: { bsn, requester } });
    expect(r.json().contraIndications).toMatchObject([
      { kind: 'contra-indication' },
      { kind: 'intolerance', atc: 'J01C' },
    ]);
  });

  it('refuses a malformed ATC group with the field', async () => {
    const bsn = freshBsn();
    await patientWithHistory(bsn);
    const r = await app.inject({
      method: 'POST',
      url: `/patients/${bsn}/contra-indications`,
      payload: { kind: 'intolerance', name: 'X', atc: 'j01', recordedOn: '2018-05-01' },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().field).toBe('body.atc');
  });
});

describe('GET /openapi.json', () => {
  it('documents the CiO routes and the latestPerProduct option', async () => {
    const r = await app.inject('/openapi.json');
    expect(r.statusCode).toBe(200);
    expect(Object.keys(r.json().paths)).toContain('/patients/{bsn}/contra-indications');
    expect(r.body).toContain('latestPerProduct');
  });
});
