import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type App, asFrontOfficeUser, frontOfficeLogin } from '@schakel/service-kit';
import { freshBsn } from '@schakel/topology';
import { startSwitchPointInProcess, type InProcessSwitchPoint } from '@schakel/testkit/in-process';
import { buildApp, migrations, type GpDatabase } from '../src/index.js';

// A real switch point and a real GP system over mutual TLS, in this process: the practice's own
// registrations for the corona opt-in, and what the switch point tells it when the opt-in starts or ends.
const GP = {
  id: 'gp-optin',
  name: 'Praktijk Opt-in',
  ura: '01000019',
  applicationId: '100019',
  organisationType: 'Z3',
};
let sp: InProcessSwitchPoint;
let gp: App;

beforeAll(async () => {
  sp = await startSwitchPointInProcess();
  const me = await sp.system(GP);
  const db = await openStore<GpDatabase>({ database: ':memory:', migrations });
  gp = await buildApp(
    { ORG_NAME: GP.name, ORG_URA: GP.ura, APPLICATION_ID: GP.applicationId },
    { db, lsp: me.lsp, kit: { logLevel: 'silent', tls: me.tls } },
  );
  // The practice's own GP, logged in at its front office.
  gp = asFrontOfficeUser(gp, await frontOfficeLogin(gp, db, { uziNumber: '900000021', roleCode: '01.015' }));
  const url = await gp.listen({ host: '127.0.0.1', port: 0 });
  sp.track(gp);
  await sp.admin.lsp.registerSystem(GP.applicationId, {
    ura: GP.ura,
    organisationName: GP.name,
    organisationType: 'Z3',
    baseUrl: url,
    provides: ['WAARNEEMGEGEVENS'],
  });
});
afterAll(async () => sp?.close());

async function patient(): Promise<string> {
  const bsn = freshBsn();
  const r = await gp.inject({
    method: 'PUT',
    url: `/patients/${bsn}`,
    payload: { name: 'Kees de Vries', birthDate: '1990-06-25' },
  });
  expect(r.statusCode, r.body).toBe(201);
  return bsn;
}
const entries = async (bsn: string) =>
  (await sp.admin.http('GET', `/reference-index/${bsn}`)).json.entries as { reason: string; applicationId: string }[];
const choose = async (bsn: string, state: string) => {
  const r = await gp.inject({ method: 'PUT', url: `/patients/${bsn}/consent`, payload: { state } });
  expect(r.statusCode, r.body).toBe(200);
};
const policies = async (change: object) =>
  expect((await sp.admin.http('PUT', '/admin/policies', change)).status).toBe(200);

describe('the corona opt-in at the practice', () => {
  it('registers the no-choice patients once the practice joins, follows their choices, withdraws them when the opt-in ends, and registers them again when it starts', async () => {
    const before = await patient();
    expect(await entries(before)).toEqual([]);

    const joined = await gp.inject({ method: 'PUT', url: '/corona-opt-in', payload: { joined: true } });
    expect(joined.statusCode, joined.body).toBe(200);
    expect(joined.json()).toMatchObject({
      joined: true,
      coronaOptIn: true,
      registered: 1,
      withdrawn: 0,
      registeredPatients: 1,
    });
    expect(await entries(before)).toMatchObject([{ reason: 'corona-opt-in', applicationId: GP.applicationId }]);

    // A patient who arrives while the practice takes part is registered at once.
    const after = await patient();
    expect(await entries(after)).toMatchObject([{ reason: 'corona-opt-in' }]);

    // Consent: the same entry, now for consent. Withdrawn again to no choice: back to the opt-in.
    await choose(after, 'consent');
    expect(await entries(after)).toMatchObject([{ reason: 'consent' }]);
    await choose(after, 'no-choice');
    expect(await entries(after)).toMatchObject([{ reason: 'corona-opt-in' }]);
    // An objection: gone, and never registered for the opt-in again.
    await choose(after, 'objection');
    expect(await entries(after)).toEqual([]);
    expect((await gp.inject({ method: 'PUT', url: '/corona-opt-in', payload: { joined: true } })).json()).toMatchObject(
      { registered: 0, registeredPatients: 1 },
    );
    expect(await entries(after)).toEqual([]);

    // The operator ends the opt-in: the switch point tells the practice, which withdraws its entries.
    await policies({ coronaOptIn: false });
    let third: string;
    try {
      expect(await entries(before)).toEqual([]);
      expect((await gp.inject({ method: 'GET', url: '/corona-opt-in' })).json()).toEqual({
        joined: true,
        registeredPatients: 0,
      });
      third = await patient();
      expect(await entries(third)).toEqual([]);
    } finally {
      await policies({ coronaOptIn: true });
    }
    // It starts again: the practice registers its no-choice patients again, the newcomer too.
    expect(await entries(before)).toMatchObject([{ reason: 'corona-opt-in' }]);
    expect(await entries(third)).toMatchObject([{ reason: 'corona-opt-in' }]);

    // The stop button does not end the opt-in: the entries stay, so switching it back works at once.
    await policies({ stopButton: false });
    await policies({ stopButton: true });
    expect(await entries(before)).toMatchObject([{ reason: 'corona-opt-in' }]);

    const left = await gp.inject({ method: 'PUT', url: '/corona-opt-in', payload: { joined: false } });
    expect(left.json()).toMatchObject({ joined: false, registeredPatients: 0, withdrawn: 2 });
    expect(await entries(before)).toEqual([]);
  });

  it('answers the switch point’s notice only over the switch point’s own certificate', async () => {
    const r = await gp.inject({
      method: 'POST',
      url: '/lsp/policy-notices',
      payload: {
        policies: { coronaOptIn: false, stopButton: true, presumedConsent: true },
        changedAt: new Date().toISOString(),
      },
    });
    expect(r.statusCode).toBe(401);
  });
});
