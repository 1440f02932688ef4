import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createServiceClient,
  createSwitchPointClient,
  openStore,
  type App,
  asFrontOfficeUser,
  frontOfficeLogin,
} from '@schakel/service-kit';
import { createCredentialDirectory } from '@schakel/trust/assertion';
import { buildConsumerApp, consumerMigrations, type ConsultDatabase, type ConsumerProfile } from '../src/index.js';

const BASE: ConsumerProfile = {
  service: 'consumer-test',
  organisationType: 'N6',
  kind: 'test consumer',
  description: 'A consumer built in a test',
  tags: [{ name: 'consults', description: 'Consults' }],
  patientRegister: false,
};
const WITH_REGISTER: ConsumerProfile = {
  ...BASE,
  organisationType: 'V4',
  tags: [{ name: 'patients', description: 'Patients' }, ...BASE.tags],
  patientRegister: true,
};

// The switch point is not there (port 9): these tests only look at what the profile builds.
const client = createServiceClient({ timeoutMs: 1_000 });
const cardsDir = mkdtempSync(join(tmpdir(), 'schakel-consumer-cards-'));
const apps: App[] = [];
afterAll(async () => {
  for (const app of apps) await app.close();
  await client.close();
  rmSync(cardsDir, { recursive: true, force: true });
});

async function build(profile: ConsumerProfile): Promise<App> {
  const db = await openStore<ConsultDatabase>({ database: ':memory:', migrations: consumerMigrations(profile) });
  const built = await buildConsumerApp(
    profile,
    { ORG_NAME: 'Organisatie Test', ORG_URA: '03000009', APPLICATION_ID: '300009' },
    {
      db,
      lsp: createSwitchPointClient(client, 'http://127.0.0.1:9'),
      cards: createCredentialDirectory(cardsDir),
      kit: { logLevel: 'silent' },
    },
  );
  apps.push(built);
  return asFrontOfficeUser(built, await frontOfficeLogin(built, db, { uziNumber: '900000001', roleCode: '01.015' }));
}

describe('a consumer built from its profile', () => {
  it('keeps a patient register only when the profile says so', async () => {
    const withRegister = await build(WITH_REGISTER);
    const patient = { name: 'Els', birthDate: '1970-07-07' };
    expect(
      (await withRegister.inject({ method: 'PUT', url: '/patients/999900146', payload: patient })).statusCode,
    ).toBe(201);
    expect((await withRegister.inject('/patients/999900146')).json()).toEqual({ bsn: '999900146', ...patient });

    const without = await build(BASE);
    expect((await without.inject({ method: 'PUT', url: '/patients/999900146', payload: patient })).statusCode).toBe(
      404,
    );
    expect(without.routeTable().some((r) => r.url.startsWith('/patients'))).toBe(false);
  });

  it('names the organisation and its kind in its API description, and opens consults either way', async () => {
    const app = await build(BASE);
    expect((await app.inject('/openapi.json')).json().info).toMatchObject({
      title: 'Organisatie Test (test consumer)',
      description: 'A consumer built in a test',
    });
    const opened = await app.inject({
      method: 'POST',
      url: '/consults',
      payload: { bsn: '999900146', professional: { uziNumber: '900000001', roleCode: '01.015' } },
    });
    expect(opened.statusCode, opened.body).toBe(201);
    expect(opened.json()).toMatchObject({
      bsn: '999900146',
      situation: 'regular',
      patientCannotConsent: false,
      queries: [],
    });
  });

  it('uses the migration names existing stores applied', () => {
    expect(Object.keys(consumerMigrations(BASE))).toEqual(['001-consults', '002-reports', '003-front-office']);
    expect(Object.keys(consumerMigrations(WITH_REGISTER))).toEqual([
      '001-patients',
      '002-consults',
      '003-reports',
      '004-front-office',
    ]);
  });
});
