import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshBsn } from '@schakel/topology';
import { GP_AT_HAP, HAP, startSwitchPoint, type TestSwitchPoint } from './helpers.js';

// Localisation is an access: where a patient is in care is personal data (issue #10, item 2).
let sp: TestSwitchPoint;
let bsn: string;
const GP = { ...GP_AT_HAP, ura: HAP.ura };
const INSURANCE_DOCTOR = { uziNumber: '900000070', roleCode: '01.048', name: 'Verzekeringsarts', ura: HAP.ura };

beforeAll(async () => {
  sp = await startSwitchPoint();
  const pharmacy = await sp.pharmacy('200071', '02000071', 'Apotheek Lokaal');
  bsn = freshBsn();
  await pharmacy.app.inject({
    method: 'PUT',
    url: `/patients/${bsn}`,
    payload: { name: 'L', birthDate: '1950-01-01' },
  });
  await pharmacy.app.inject({ method: 'PUT', url: `/patients/${bsn}/consent`, payload: { state: 'consent' } });
});
afterAll(async () => sp.close());

const lastEntry = async (b: string) => (await sp.admin.http('GET', `/access-log?bsn=${b}`)).json.entries.at(-1);
const lookup = (b: string, headers?: Record<string, string>) =>
  sp.hap.http('GET', `/reference-index/${b}`, undefined, headers);

describe('GET /reference-index/{bsn} (QUMT_IN020010)', () => {
  it('is refused to a system without a signed professional assertion, and logged for the patient', async () => {
    const r = await lookup(bsn);
    expect(r.status).toBe(401);
    expect(r.json.code).toBe('ASSERTION_MISSING');
    expect(await lastEntry(bsn)).toMatchObject({
      interaction: 'QUMT_IN020010',
      outcome: 'refused',
      code: 'ASSERTION_MISSING',
    });
  });

  it('answers a professional the protocol allows, and the lookup is in the patient’s log and portal', async () => {
    const r = await lookup(bsn, await sp.assertion(GP, bsn, { interaction: 'QUMT_IN020010' }));
    expect(r.status).toBe(200);
    expect(r.json.entries).toMatchObject([{ category: 'MEDVERSTREKKING', organisationName: 'Apotheek Lokaal' }]);
    expect(await lastEntry(bsn)).toMatchObject({
      interaction: 'QUMT_IN020010',
      outcome: 'permitted',
      actingUzi: GP.uziNumber,
      actingRole: '01.015',
    });
    const login = await sp.anonymous().http('POST', '/portal/login', { bsn, code: '123456' });
    const portal = await sp
      .anonymous()
      .http('GET', '/portal/access-log', undefined, { authorization: `Bearer ${login.json.token}` });
    expect(
      portal.json.entries.some(
        (e: { interaction: string; outcome: string }) => e.interaction === 'QUMT_IN020010' && e.outcome === 'permitted',
      ),
    ).toBe(true);
  });

  it('refuses an insurance doctor whether or not the patient is known, so a refusal tells nothing', async () => {
    for (const b of [bsn, freshBsn()]) {
      const r = await lookup(b, await sp.assertion(INSURANCE_DOCTOR, b, { interaction: 'QUMT_IN020010' }));
      expect(r.status).toBe(403);
      expect(r.json).toMatchObject({ code: 'NOT_AUTHORISED', decision: { code: 'PROTOCOL_DENY' } });
      expect(await lastEntry(b)).toMatchObject({ outcome: 'refused', code: 'PROTOCOL_DENY' });
    }
  });

  it('refuses an assertion signed for another interaction or patient', async () => {
    const other = await lookup(bsn, await sp.assertion(GP, bsn));
    expect(other.json.code).toBe('ASSERTION_MISMATCH');
    const wrongPatient = await lookup(bsn, await sp.assertion(GP, freshBsn(), { interaction: 'QUMT_IN020010' }));
    expect(wrongPatient.json.code).toBe('ASSERTION_MISMATCH');
  });

  it('answers the operator, and logs that too', async () => {
    const r = await sp.admin.http('GET', `/reference-index/${bsn}`);
    expect(r.status).toBe(200);
    expect(await lastEntry(bsn)).toMatchObject({
      interaction: 'QUMT_IN020010',
      outcome: 'permitted',
      code: 'OPERATOR',
    });
  });
});
