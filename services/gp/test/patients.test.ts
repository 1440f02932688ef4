import { describe, expect, it } from 'vitest';
import {
  createReadiness,
  createServiceClient,
  createSwitchPointClient,
  openStore,
  asFrontOfficeUser,
  frontOfficeLogin,
} from '@schakel/service-kit';
import { freshBsn } from '@schakel/topology';
import { buildApp, migrations, type GpDatabase } from '../src/index.js';
import { PRACTICE } from './helpers.js';

describe('GP system', () => {
  it('keeps its own patient register and is not ready before it is in the address book', async () => {
    const client = createServiceClient();
    const ready = createReadiness();
    const db = await openStore<GpDatabase>({ database: ':memory:', migrations });
    const built = await buildApp(PRACTICE, {
      db,
      lsp: createSwitchPointClient(client, 'http://127.0.0.1:9'),
      kit: { logLevel: 'silent', readiness: ready.readiness },
    });
    const app = asFrontOfficeUser(
      built,
      await frontOfficeLogin(built, db, { uziNumber: '900000021', roleCode: '01.015' }),
    );
    expect((await app.inject('/ready')).statusCode).toBe(503);
    ready.enrolled = true;
    expect((await app.inject('/ready')).statusCode).toBe(200);
    const bsn = freshBsn();
    expect(
      (await app.inject({ method: 'PUT', url: `/patients/${bsn}`, payload: { name: 'Els', birthDate: '1970-07-07' } }))
        .statusCode,
    ).toBe(201);
    expect(
      (
        await app.inject({
          method: 'PUT',
          url: `/patients/${bsn}`,
          payload: { name: 'Els B.', birthDate: '1970-07-07' },
        })
      ).statusCode,
    ).toBe(200);
    expect((await app.inject(`/patients/${bsn}`)).json()).toEqual({ bsn, name: 'Els B.', birthDate: '1970-07-07' });
    expect((await app.inject(`/patients/${freshBsn()}`)).statusCode).toBe(404);
    await app.close();
    await client.close();
  });
});
