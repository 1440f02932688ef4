import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Bsn } from '@schakel/contracts';
import {
  audience,
  createFrontOfficeStore,
  createServiceApp,
  frontOfficeMigration,
  frontOfficeOf,
  frontOfficeUser,
  hashPassword,
  openStore,
  setUpFrontOffice,
  type App,
  type Kysely,
} from '../src/index.js';

const URA = '01000099';
const GP = { uziNumber: '900000021', roleCode: '01.015', name: 'Dr. M. Jansen-Smit' };
let app: App;
let db: Kysely<unknown>;

beforeAll(async () => {
  db = await openStore<unknown>({ database: ':memory:', migrations: { '001-front-office': frontOfficeMigration } });
  await createFrontOfficeStore(db).provision([
    { username: 'mjansen', professional: GP, passwordHash: await hashPassword('mjansen-test') },
  ]);
  app = await createServiceApp({ service: 'test', title: 'Test', description: 'Test' }, { logLevel: 'silent' });
  await setUpFrontOffice(app, { db, ura: URA, limits: { perAccount: 3, perClient: 100, windowMs: 60_000 } });
  // A patient's record, as a practice's front office would have it.
  await audience(app, 'front-office', frontOfficeOf(URA), (front) => {
    front.get('/patients/:bsn/record', { schema: { params: z.object({ bsn: Bsn }) } }, async (request) => ({
      bsn: request.params.bsn,
      readBy: frontOfficeUser(request).username,
    }));
  });
});
afterAll(async () => {
  await app.close();
  await db.destroy();
});

const login = (username: string, password: string) =>
  app.inject({ method: 'POST', url: '/front-office/login', payload: { username, password } });
const log = async (bsn: string, authorization: string) =>
  (await app.inject({ url: `/front-office/access-log?bsn=${bsn}`, headers: { authorization } })).json().entries;

describe('a front office', () => {
  it('refuses a read of a patient without a session, as problem+json, and logs the refusal once', async () => {
    const r = await app.inject('/patients/999900146/record');
    expect(r.statusCode).toBe(401);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.json().code).toBe('FRONT_OFFICE_LOGIN_REQUIRED');
    const bad = await app.inject({ url: '/patients/999900146/record', headers: { authorization: 'Bearer forged' } });
    expect(bad.json().code).toBe('FRONT_OFFICE_LOGIN_REQUIRED');
    const { token } = (await login('mjansen', 'mjansen-test')).json();
    expect(await log('999900146', `Bearer ${token}`)).toMatchObject([
      { user: null, method: 'GET', route: '/patients/:bsn/record', outcome: '401 FRONT_OFFICE_LOGIN_REQUIRED' },
      { user: null, outcome: '401 FRONT_OFFICE_LOGIN_REQUIRED' },
    ]);
  });

  it('lets a local user in with a password, logs each read with the user, and ends the session at logout', async () => {
    const ok = await login('mjansen', 'mjansen-test');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().user).toEqual({ username: 'mjansen', professional: GP });
    const authorization = `Bearer ${ok.json().token}`;
    const read = await app.inject({ url: '/patients/999900523/record', headers: { authorization } });
    expect(read.json()).toEqual({ bsn: '999900523', readBy: 'mjansen' });
    expect(await log('999900523', authorization)).toMatchObject([
      { user: { username: 'mjansen', professional: GP }, route: '/patients/:bsn/record', outcome: '200' },
    ]);
    expect((await app.inject({ url: '/front-office/session', headers: { authorization } })).json().user.username).toBe(
      'mjansen',
    );
    expect(
      (await app.inject({ method: 'POST', url: '/front-office/logout', headers: { authorization } })).statusCode,
    ).toBe(204);
    const after = await app.inject({ url: '/patients/999900523/record', headers: { authorization } });
    expect(after.json().code).toBe('FRONT_OFFICE_LOGIN_REQUIRED');
  });

  it('refuses a wrong password or an unknown user alike, and answers 429 with Retry-After past the limit', async () => {
    for (const [u, p] of [
      ['nobody', 'mjansen-test'],
      ['mjansen', 'wrong'],
    ]) {
      const r = await login(u ?? '', p ?? '');
      expect(r.statusCode).toBe(401);
      expect(r.json().code).toBe('FRONT_OFFICE_LOGIN_FAILED');
    }
    await login('mjansen', 'wrong');
    await login('mjansen', 'wrong');
    const blocked = await login('mjansen', 'mjansen-test');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().code).toBe('TOO_MANY_ATTEMPTS');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });
});
