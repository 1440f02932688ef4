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

describe('a referral from the GP to the hospital specialist', () => {
  const REFERRING_GP = { uziNumber: '900000021', roleCode: '01.015', name: 'Dr. M. Jansen-Smit' };

  async function until<T>(what: () => Promise<T>, done: (v: T) => boolean, ms = 15_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await what();
      if (done(v) || Date.now() > end) return v;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('delivers the letter once, without the item the patient objected to, which never leaves the GP', async () => {
    const bsn = freshBsn();
    const gp = t.url(GP);
    await http(`${gp}/patients/${bsn}`, { method: 'PUT', body: { name: 'J. Bakker', birthDate: '1958-07-14' } });
    const episode = await http(`${gp}/patients/${bsn}/episodes`, {
      body: {
        title: 'Diabetes mellitus type 2',
        icpc: { code: 'T90', title: 'Diabetes mellitus' },
        startDate: '2015-03-01',
      },
    });
    expect(episode.status, episode.text).toBe(201);
    const objected = await http(`${gp}/patients/${bsn}/episodes`, {
      body: { title: 'Depressie', icpc: { code: 'P76', title: 'Depressie' }, startDate: '2019-10-01' },
    });
    expect(objected.status, objected.text).toBe(201);

    const r = await http(`${gp}/patients/${bsn}/referrals`, {
      body: {
        to: { applicationId: t.get(HOSPITAL).applicationId },
        referrer: REFERRING_GP,
        reason: 'HbA1c stijgt ondanks maximale orale therapie',
        question: 'Graag instellen op insuline',
        items: [episode.json.id, objected.json.id],
        objectedItems: [objected.json.id],
      },
    });
    expect(r.status, r.text).toBe(202);
    expect(r.json.letter.items.map((i: any) => i.id)).toEqual([episode.json.id]);
    expect(r.json.objectedItems).toEqual([objected.json.id]);

    const sent = await until(
      async () => (await http(`${gp}/referrals/${r.json.id}`)).json,
      (v: any) => v.state === 'delivered' || v.state === 'rejected',
    );
    expect(sent).toMatchObject({
      state: 'delivered',
      attempts: 1,
      acknowledgement: {
        acknowledgement: 'AA',
        duplicate: false,
        deliveredTo: { organisationName: 'Ziekenhuis Midden' },
      },
    });

    const received = (await http(`${t.url(HOSPITAL)}/referral-letters?bsn=${bsn}`)).json.letters;
    expect(received).toHaveLength(1);
    expect(received[0].letter).toMatchObject({
      messageId: r.json.letter.messageId,
      from: { organisationName: 'Huisartsenpraktijk De Linde', referrer: { uziNumber: REFERRING_GP.uziNumber } },
      question: 'Graag instellen op insuline',
      withheldAtPatientsRequest: true,
    });
    expect(received[0].letter.items.map((i: any) => i.fields.title)).toEqual(['Diabetes mellitus type 2']);
    // The objected item is nowhere in what the hospital holds: not its id, not its content.
    const all = JSON.stringify(received);
    expect(all).not.toContain(objected.json.id);
    expect(all).not.toContain('Depressie');
  });

  it('refuses an objected item that was not chosen for the letter', async () => {
    const bsn = freshBsn();
    const gp = t.url(GP);
    await http(`${gp}/patients/${bsn}`, { method: 'PUT', body: { name: 'J. Bakker', birthDate: '1958-07-14' } });
    const episode = await http(`${gp}/patients/${bsn}/episodes`, {
      body: { title: 'Artrose', icpc: { code: 'L90', title: 'Artrose knie' }, startDate: '2020-01-01' },
    });
    const r = await http(`${gp}/patients/${bsn}/referrals`, {
      body: {
        to: { applicationId: t.get(HOSPITAL).applicationId },
        referrer: REFERRING_GP,
        reason: 'Pijn',
        question: 'Beoordeling',
        items: [episode.json.id],
        objectedItems: ['some-other-item'],
      },
    });
    expect(r.status, r.text).toBe(400);
    expect(r.json).toMatchObject({ code: 'VALIDATION_ERROR', field: 'body.objectedItems' });
  });
});
