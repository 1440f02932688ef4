import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asFrontOfficeUser, frontOfficeLogin, openStore, type App, type Kysely } from '@schakel/service-kit';
import { freshBsn } from '@schakel/topology';
import { startSwitchPointInProcess, type InProcessSwitchPoint } from '@schakel/testkit/in-process';
import { createCredentialDirectory } from '@schakel/trust/assertion';
import { buildConsumerApp, consumerMigrations, type ConsultDatabase } from '@schakel/consult';
import { profile } from '../src/index.js';

const ME = {
  id: 'hap-test',
  name: 'HAP Test',
  ORG_NAME: 'HAP Test',
  APPLICATION_ID: '300001',
  ura: '03000001',
  applicationId: '300001',
  organisationType: 'N6',
};
const GP = { uziNumber: '900000001', roleCode: '01.015', name: 'Dr. W' };
const OCCUPATIONAL = { uziNumber: '900000009', roleCode: '01.008', name: 'Bedrijfsarts' };
let sp: InProcessSwitchPoint;
let raw: App;
let db: Kysely<ConsultDatabase>;
/** The post as Dr. W, logged in at its front office. */
let hap: App;
/** The post as this professional, logged in as a local user of theirs. */
const as = async (professional: { uziNumber: string; roleCode: string; name: string }) =>
  asFrontOfficeUser(raw, await frontOfficeLogin(raw, db, professional));

beforeAll(async () => {
  sp = await startSwitchPointInProcess();
  await sp.admin.lsp.registerSystem(ME.APPLICATION_ID, {
    ura: ME.ura,
    organisationName: ME.ORG_NAME,
    organisationType: 'N6',
    baseUrl: 'https://127.0.0.1:9',
    provides: [],
  });
  const me = await sp.system(ME);
  // The post holds UZI cards for the GP and the occupational doctor, as files like npm start writes them.
  const cardsDir = join(sp.dir, 'cards');
  mkdirSync(cardsDir);
  for (const p of [GP, OCCUPATIONAL]) {
    const card = await sp.credential({ ...p, ura: ME.ura });
    writeFileSync(join(cardsDir, `${p.uziNumber}.cert.pem`), card.cert);
    writeFileSync(join(cardsDir, `${p.uziNumber}.key.pem`), card.key);
  }
  db = await openStore<ConsultDatabase>({ database: ':memory:', migrations: consumerMigrations(profile) });
  raw = await buildConsumerApp(
    profile,
    { ...ME, ORG_URA: ME.ura },
    {
      db,
      lsp: me.lsp,
      cards: createCredentialDirectory(cardsDir),
      kit: { logLevel: 'silent', tls: me.tls },
    },
  );
  hap = await as(GP);
});
afterAll(async () => {
  await raw.close();
  await sp.close();
});

async function openConsult(app: App = hap, professional?: { uziNumber: string; roleCode: string; name: string }) {
  const r = await app.inject({
    method: 'POST',
    url: '/consults',
    payload: { bsn: freshBsn(), ...(professional !== undefined ? { professional } : {}) },
  });
  expect(r.statusCode).toBe(201);
  return r.json();
}

describe('consults at the HAP', () => {
  it('signs the query with the GP’s card and remembers each query, without its content', async () => {
    const consult = await openConsult();
    const r = await hap.inject({ method: 'POST', url: `/consults/${consult.id}/medication` });
    // Signed and trusted, but nobody registered this patient: the switch point's KEY204 refusal is passed on.
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ code: 'UNKNOWN_PATIENT', hl7: 'KEY204' });
    const after = (await hap.inject(`/consults/${consult.id}`)).json();
    expect(after.queries).toMatchObject([{ interaction: 'QURX_IN990011NL', outcome: 'UNKNOWN_PATIENT' }]);
    const log = (await sp.admin.http('GET', `/access-log?bsn=${consult.bsn}`)).json.entries;
    expect(log.at(-1)).toMatchObject({
      actingUzi: GP.uziNumber,
      requesterApplicationId: ME.APPLICATION_ID,
      code: 'NOT_IN_INDEX',
    });
  });

  it('passes the switch point’s refusal of an occupational doctor on as 403 with the deciding rule', async () => {
    const occupational = await as(OCCUPATIONAL);
    const consult = await openConsult(occupational);
    const r = await occupational.inject({ method: 'POST', url: `/consults/${consult.id}/medication`, payload: {} });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ code: 'NOT_AUTHORISED', decision: { code: 'PROTOCOL_DENY' } });
  });

  it('cannot query for a professional whose UZI card it does not hold', async () => {
    const withoutCard = await as({ uziNumber: '900000123', roleCode: '01.015', name: 'Dr. Zonder Pas' });
    const consult = await openConsult(withoutCard);
    const r = await withoutCard.inject({ method: 'POST', url: `/consults/${consult.id}/medication`, payload: {} });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ code: 'NO_CREDENTIAL', field: 'professional.uziNumber' });
  });

  it('treats the logged-in user as the professional, and refuses a request that names another one', async () => {
    const consult = await openConsult(hap, GP);
    expect(consult.professional).toEqual(GP);
    const other = await hap.inject({
      method: 'POST',
      url: '/consults',
      payload: { bsn: freshBsn(), professional: OCCUPATIONAL },
    });
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ code: 'FRONT_OFFICE_USER_MISMATCH', field: 'body.professional' });
    // The occupational doctor asks for a consult Dr. W opened: signed with the occupational doctor's card,
    // so the switch point refuses it by that role (the protocol), not Dr. W's.
    const occupational = await as(OCCUPATIONAL);
    const r = await occupational.inject({ method: 'POST', url: `/consults/${consult.id}/medication`, payload: {} });
    expect(r.json()).toMatchObject({ code: 'NOT_AUTHORISED', decision: { code: 'PROTOCOL_DENY' } });
  });

  it('refuses every consult route without a front-office session, and logs the refused read of the patient', async () => {
    const consult = await openConsult();
    for (const [method, url] of [
      ['POST', '/consults'],
      ['GET', `/consults/${consult.id}`],
      ['POST', `/consults/${consult.id}/medication`],
      ['GET', '/reports'],
    ] as const) {
      const r = await raw.inject({ method, url, ...(method === 'POST' ? { payload: {} } : {}) });
      expect(r.statusCode, `${method} ${url}`).toBe(401);
      expect(r.json().code).toBe('FRONT_OFFICE_LOGIN_REQUIRED');
    }
    const log = (await hap.inject(`/front-office/access-log?bsn=${consult.bsn}`)).json().entries;
    expect(
      log.map((e: { route: string; user: unknown; outcome: string }) => [e.route, e.user === null, e.outcome]),
    ).toEqual([['/consults', false, '201']]);
  });

  it('answers 404 for an unknown consult and 400 for an id that is not a uuid', async () => {
    expect((await hap.inject('/consults/6f1c1f5e-8c7e-4b9a-9a51-2d6f0e0f1a11')).statusCode).toBe(404);
    const bad = await hap.inject('/consults/42');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('params.id');
  });
});

describe('observation reports from the HAP', () => {
  it('sends the report through its switch-point client, signed by the consult’s GP, and keeps the switch point’s final refusal', async () => {
    const consult = await openConsult();
    const encounter = await hap.inject({
      method: 'PUT',
      url: `/consults/${consult.id}/encounter`,
      payload: { complaint: 'Koorts', actions: 'Paracetamol-advies' },
    });
    expect(encounter.statusCode, encounter.body).toBe(200);
    const sent = await hap.inject({ method: 'POST', url: `/consults/${consult.id}/report`, payload: {} });
    expect(sent.statusCode, sent.body).toBe(202);
    // Nobody registered a GP for this patient: trusted and signed, then refused for good (no retry).
    let report = sent.json();
    for (let i = 0; i < 100 && report.state !== 'rejected'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      report = (await hap.inject(`/reports/${report.messageId}`)).json();
    }
    expect(report).toMatchObject({ state: 'rejected', attempts: 1, rejection: { code: 'NO_REGISTERED_GP' } });
    const log = (await sp.admin.http('GET', `/access-log?bsn=${consult.bsn}`)).json.entries;
    expect(log.at(-1)).toMatchObject({
      interaction: 'REPC_IN990003NL',
      actingUzi: GP.uziNumber,
      requesterApplicationId: ME.APPLICATION_ID,
    });
  });
});
