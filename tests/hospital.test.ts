import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshBsn } from '@schakel/topology';
import { dispense, http, startTestTopology } from './helpers.js';

// The default topology with its hospital (Ziekenhuis Midden, V4), each organisation its own process.
let t: Awaited<ReturnType<typeof startTestTopology>>;
const HOSPITAL = 'ziekenhuis-midden';
const PHARMACY = 'apotheek-de-vijzel';
const GP = 'gp-de-linde';
const INTERNIST = { uziNumber: '900000051', roleCode: '01.016', name: 'Dr. E. Verbeek (internist)' };

beforeAll(async () => {
  t = await startTestTopology();
});
afterAll(async () => t?.cleanup());

async function consultAtHospital(bsn: string) {
  const consult = await http(`${t.url(HOSPITAL)}/consults`, { body: { bsn, professional: INTERNIST } });
  expect(consult.status, consult.text).toBe(201);
  return consult.json.id as string;
}

describe('the co-treating medical specialist at the hospital', () => {
  it('is in the address book as a hospital (V4)', async () => {
    const entry = (await http(`${t.switchPoint.url}/address-book/systems/${t.get(HOSPITAL).applicationId}`)).json;
    expect(entry).toMatchObject({ organisationType: 'V4', organisationName: 'Ziekenhuis Midden' });
  });

  it('gets the medication of a patient with consent at the pharmacy, under AP-MED-3', async () => {
    const bsn = freshBsn();
    const pharmacy = t.url(PHARMACY);
    await http(`${pharmacy}/patients/${bsn}`, { method: 'PUT', body: { name: 'P. Smits', birthDate: '1950-02-02' } });
    await http(`${pharmacy}/patients/${bsn}/dispenses`, { body: dispense('Metformine') });
    expect(
      (await http(`${pharmacy}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'consent' } })).status,
    ).toBe(200);
    const id = await consultAtHospital(bsn);
    const r = await http(`${t.url(HOSPITAL)}/consults/${id}/medication`, { body: {} });
    expect(r.status, r.text).toBe(200);
    expect(r.json.sources[0]).toMatchObject({ status: 'ok', decision: { code: 'CONSENT_GIVEN' } });
    const entry = (await http(`${t.switchPoint.url}/access-log?bsn=${bsn}`)).json.entries.at(-1);
    expect(entry).toMatchObject({ outcome: 'permitted', actingUzi: INTERNIST.uziNumber });
    expect(entry.explanation).toContain('AP-MED-3');
  });

  it('is refused the GP’s professional summary (no protocol row), even with consent at the GP', async () => {
    const bsn = freshBsn();
    const gp = t.url(GP);
    await http(`${gp}/patients/${bsn}`, { method: 'PUT', body: { name: 'P. Smits', birthDate: '1950-02-02' } });
    expect((await http(`${gp}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'consent' } })).status).toBe(
      200,
    );
    const id = await consultAtHospital(bsn);
    const r = await http(`${t.url(HOSPITAL)}/consults/${id}/summary`, { body: {} });
    expect(r.status, r.text).toBe(403);
    expect(r.json).toMatchObject({ code: 'NOT_AUTHORISED', decision: { code: 'PROTOCOL_NO_ROW' } });
  });
});
