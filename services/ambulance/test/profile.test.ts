import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AMBULANCE_SERVICE_TYPE } from '@schakel/contracts';
import { openStore, type App } from '@schakel/service-kit';
import { freshBsn } from '@schakel/topology';
import { startSwitchPointInProcess, type InProcessSwitchPoint } from '@schakel/testkit/in-process';
import { createCredentialDirectory } from '@schakel/trust/assertion';
import { buildConsumerApp, consumerMigrations, type ConsultDatabase } from '@schakel/consult';
import { profile } from '../src/index.js';

const ME = {
  id: 'ambulance-test',
  name: 'RAV Test',
  ura: '05000001',
  applicationId: '500001',
  organisationType: AMBULANCE_SERVICE_TYPE,
};
let sp: InProcessSwitchPoint;
let ambulance: App;

beforeAll(async () => {
  sp = await startSwitchPointInProcess();
  const me = await sp.system(ME);
  ambulance = await buildConsumerApp(
    profile,
    { ORG_NAME: ME.name, ORG_URA: ME.ura, APPLICATION_ID: ME.applicationId },
    {
      db: await openStore<ConsultDatabase>({ database: ':memory:', migrations: consumerMigrations(profile) }),
      lsp: me.lsp,
      cards: createCredentialDirectory(sp.dir),
      kit: { logLevel: 'silent', tls: me.tls },
    },
  );
});
afterAll(async () => {
  await ambulance?.close();
  await sp?.close();
});

describe('the ambulance service built from its profile', () => {
  it('keeps no patient register: patients are known by BSN in the consult only', async () => {
    const r = await ambulance.inject({
      method: 'PUT',
      url: `/patients/${freshBsn()}`,
      payload: { name: 'J. de Vries', birthDate: '1950-02-03' },
    });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });

  it('describes itself as an ambulance service in its OpenAPI document', async () => {
    const doc = (await ambulance.inject('/openapi.json')).json();
    expect(doc.info.title).toBe('RAV Test (ambulance service, RAV)');
    expect(Object.keys(doc.paths)).toContain('/consults');
    expect(Object.keys(doc.paths)).not.toContain('/patients/{bsn}');
  });
});
