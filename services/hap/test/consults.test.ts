import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceClient, createSwitchPointClient, openStore, type App } from '@schakel/service-kit';
import { buildApp as buildLsp, migrations as lspMigrations, type LspDatabase } from '@schakel/lsp';
import { freshBsn } from '@schakel/topology';
import { buildApp, migrations, type HapDatabase } from '../src/index.js';

const ME = { ORG_NAME: 'HAP Test', APPLICATION_ID: '300001' };
let lspApp: App;
let hap: App;
const client = createServiceClient({ timeoutMs: 2_000 });
const GP = { uziNumber: '900000001', roleCode: '01.015', name: 'Dr. W' };

beforeAll(async () => {
  lspApp = await buildLsp({ SOURCE_TIMEOUT_MS: 1_000, LOG_LEVEL: 'silent' }, { db: await openStore<LspDatabase>({ database: ':memory:', migrations: lspMigrations }) });
  const lsp = createSwitchPointClient(client, await lspApp.listen({ host: '127.0.0.1', port: 0 }));
  await lsp.registerSystem(ME.APPLICATION_ID, { ura: '03000001', organisationName: ME.ORG_NAME, organisationType: 'N6', baseUrl: 'http://127.0.0.1:9', provides: [] });
  hap = await buildApp(ME, { db: await openStore<HapDatabase>({ database: ':memory:', migrations }), lsp, kit: { logLevel: 'silent' } });
});
afterAll(async () => {
  await hap.close();
  await lspApp.close();
  await client.close();
});

async function openConsult(professional = GP) {
  const r = await hap.inject({ method: 'POST', url: '/consults', payload: { bsn: freshBsn(), professional } });
  expect(r.statusCode).toBe(201);
  return r.json();
}

describe('consults at the HAP', () => {
  it('opens a consult and remembers each query made for it, without its content', async () => {
    const consult = await openConsult();
    const r = await hap.inject({ method: 'POST', url: `/consults/${consult.id}/medication` });
    // Nobody registered this patient: the switch point's KEY204 refusal is passed on with its code.
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ code: 'UNKNOWN_PATIENT', hl7: 'KEY204' });
    const after = (await hap.inject(`/consults/${consult.id}`)).json();
    expect(after.queries).toMatchObject([{ interaction: 'QURX_IN990011NL', outcome: 'UNKNOWN_PATIENT' }]);
  });

  it('passes the switch point’s refusal of an occupational doctor on as 403 with the deciding rule', async () => {
    const consult = await openConsult({ uziNumber: '900000009', roleCode: '01.008', name: 'Bedrijfsarts' });
    const r = await hap.inject({ method: 'POST', url: `/consults/${consult.id}/medication`, payload: {} });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ code: 'NOT_AUTHORISED', decision: { code: 'PROTOCOL_DENY' } });
  });

  it('answers 404 for an unknown consult and 400 for an id that is not a uuid', async () => {
    expect((await hap.inject('/consults/6f1c1f5e-8c7e-4b9a-9a51-2d6f0e0f1a11')).statusCode).toBe(404);
    const bad = await hap.inject('/consults/42');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('params.id');
  });
});
