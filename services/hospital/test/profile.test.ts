import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asFrontOfficeUser, frontOfficeLogin, openStore, type App } from '@schakel/service-kit';
import { freshBsn } from '@schakel/topology';
import { startSwitchPointInProcess, type InProcessSwitchPoint } from '@schakel/testkit/in-process';
import { createCredentialDirectory } from '@schakel/trust/assertion';
import { buildConsumerApp, consumerMigrations, type ConsultDatabase } from '@schakel/consult';
import { profile } from '../src/index.js';

const ME = { id: 'zh-test', name: 'Ziekenhuis Test', ura: '07000009', applicationId: '700009', organisationType: 'V4' };
const INTERNIST = { uziNumber: '900000059', roleCode: '01.016', name: 'Dr. Test (internist)' };
let sp: InProcessSwitchPoint;
let raw: App;
let hospital: App;

beforeAll(async () => {
  sp = await startSwitchPointInProcess();
  const me = await sp.system(ME);
  const db = await openStore<ConsultDatabase>({ database: ':memory:', migrations: consumerMigrations(profile) });
  raw = await buildConsumerApp(
    profile,
    { ORG_NAME: ME.name, ORG_URA: ME.ura, APPLICATION_ID: ME.applicationId },
    { db, lsp: me.lsp, cards: createCredentialDirectory(sp.dir), kit: { logLevel: 'silent', tls: me.tls } },
  );
  hospital = asFrontOfficeUser(raw, await frontOfficeLogin(raw, db, INTERNIST));
});
afterAll(async () => {
  await raw?.close();
  await sp?.close();
});

describe('the hospital built from its profile', () => {
  it('keeps its own patient register, for its logged-in users only', async () => {
    const bsn = freshBsn();
    const put = await hospital.inject({
      method: 'PUT',
      url: `/patients/${bsn}`,
      payload: { name: 'A. Bakker', birthDate: '1955-06-07' },
    });
    expect(put.statusCode).toBe(201);
    expect((await hospital.inject(`/patients/${bsn}`)).json()).toMatchObject({ bsn, name: 'A. Bakker' });
    const anonymous = await raw.inject(`/patients/${bsn}`);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 'FRONT_OFFICE_LOGIN_REQUIRED' });
  });

  it('receives referral letters in an audience of their own, and describes itself as a hospital', async () => {
    const doc = (await raw.inject('/openapi.json')).json<{ info: { title: string }; paths: Record<string, unknown> }>();
    expect(doc.info.title).toBe('Ziekenhuis Test (hospital, medical specialists)');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/referrals/letters', '/referral-letters']));
  });
});
