import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asFrontOfficeUser, frontOfficeLogin, openStore, type App } from '@schakel/service-kit';
import { freshBsn } from '@schakel/topology';
import { startSwitchPointInProcess, type InProcessSwitchPoint } from '@schakel/testkit/in-process';
import { createCredentialDirectory } from '@schakel/trust/assertion';
import { buildConsumerApp, consumerMigrations, type ConsultDatabase } from '@schakel/consult';
import { profile } from '../src/index.js';

const ME = { id: 'seh-test', name: 'SEH Test', ura: '04000001', applicationId: '400001', organisationType: 'V4' };
let sp: InProcessSwitchPoint;
let raw: App;
let seh: App;

beforeAll(async () => {
  sp = await startSwitchPointInProcess();
  const me = await sp.system(ME);
  const db = await openStore<ConsultDatabase>({ database: ':memory:', migrations: consumerMigrations(profile) });
  raw = await buildConsumerApp(
    profile,
    { ORG_NAME: ME.name, ORG_URA: ME.ura, APPLICATION_ID: ME.applicationId },
    {
      db,
      lsp: me.lsp,
      cards: createCredentialDirectory(sp.dir),
      kit: { logLevel: 'silent', tls: me.tls },
    },
  );
  seh = asFrontOfficeUser(raw, await frontOfficeLogin(raw, db, { uziNumber: '900000019', roleCode: '01.071' }));
});
afterAll(async () => {
  await raw?.close();
  await sp?.close();
});

describe('the SEH built from its profile', () => {
  it('keeps its own patient register beside the consults', async () => {
    const bsn = freshBsn();
    const put = await seh.inject({
      method: 'PUT',
      url: `/patients/${bsn}`,
      payload: { name: 'J. de Vries', birthDate: '1950-02-03' },
    });
    expect(put.statusCode).toBe(201);
    expect((await seh.inject(`/patients/${bsn}`)).json()).toEqual({
      bsn,
      name: 'J. de Vries',
      birthDate: '1950-02-03',
    });
  });

  it('describes itself as an emergency department in its OpenAPI document', async () => {
    const doc = (await seh.inject('/openapi.json')).json();
    expect(doc.info.title).toBe('SEH Test (emergency department, SEH)');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/patients/{bsn}', '/consults']));
  });
});
