import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshBsn, loadTopology, seedDemo } from '@schakel/topology';
import { dispense, http, startTestTopology } from './helpers.js';

// The default topology as separate processes: the GP practice as a source (issue #5), and the boundary
// between the switch point and the GP's register of disclosures to non-care providers.
let t: Awaited<ReturnType<typeof startTestTopology>>;
const GP = 'gp-de-linde';
const PHARMACY = 'apotheek-de-vijzel';
const HAP = 'hap-midden';
const INSURANCE_DOCTOR = { uziNumber: '900000048', roleCode: '01.048', name: 'Dr. V. Verzekeringsarts' };

beforeAll(async () => {
  // The default topology, with an insurance doctor given a UZI card at the post: a role the authorisation
  // protocol denies everything, whoever employs it.
  const topology = loadTopology();
  const hap = topology.organisations.find((o) => o.id === HAP);
  hap?.professionals?.push(INSURANCE_DOCTOR);
  hap?.users.push({ username: 'vverzekering', password: 'vverzekering-test', uziNumber: INSURANCE_DOCTOR.uziNumber });
  t = await startTestTopology({ topology });
});
afterAll(async () => t?.cleanup());

async function patientAtGp(bsn: string) {
  const url = t.url(GP);
  expect(
    (await http(`${url}/patients/${bsn}`, { method: 'PUT', body: { name: 'Wim de Groot', birthDate: '1952-08-08' } }))
      .status,
  ).toBe(201);
  const episode = await http(`${url}/patients/${bsn}/episodes`, {
    body: {
      title: 'Hypertensie',
      icpc: { code: 'K86', title: 'Hypertensie zonder orgaanbeschadiging' },
      startDate: '2020-01-01',
    },
  });
  expect(episode.status, episode.text).toBe(201);
  const hidden = await http(`${url}/patients/${bsn}/episodes`, {
    body: {
      title: 'Alcoholmisbruik-AFGESCHERMD',
      icpc: { code: 'P15', title: 'Chronisch alcoholmisbruik' },
      startDate: '2024-01-01',
      shielded: true,
    },
  });
  expect(hidden.status).toBe(201);
}

describe('the GP practice as a source of the professional summary', () => {
  it('is in the address book as providing WAARNEEMGEGEVENS', async () => {
    const systems = (await http(`${t.switchPoint.url}/address-book/systems`)).json.systems;
    expect(systems.find((s: any) => s.applicationId === t.get(GP).applicationId).provides).toEqual([
      'WAARNEEMGEGEVENS',
    ]);
  });

  it('registers the patient in the reference index on consent and deregisters on objection', async () => {
    const bsn = freshBsn();
    await patientAtGp(bsn);
    const given = await http(`${t.url(GP)}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'consent' } });
    expect(given.status, given.text).toBe(200);
    expect((await http(`${t.switchPoint.url}/reference-index/${bsn}`)).json.entries).toMatchObject([
      { category: 'WAARNEEMGEGEVENS', applicationId: t.get(GP).applicationId },
    ]);
    expect(
      (await http(`${t.url(GP)}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'objection' } })).status,
    ).toBe(200);
    expect((await http(`${t.switchPoint.url}/reference-index/${bsn}`)).json.entries).toEqual([]);
  });
});

describe('non-care providers', () => {
  it('never get data through the switch point, but a formal written request is handled at the GP and recorded', async () => {
    const bsn = freshBsn();
    await patientAtGp(bsn);
    expect(
      (await http(`${t.url(GP)}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'consent' } })).status,
    ).toBe(200);
    const pharmacy = t.url(PHARMACY);
    await http(`${pharmacy}/patients/${bsn}`, {
      method: 'PUT',
      body: { name: 'Wim de Groot', birthDate: '1952-08-08' },
    });
    await http(`${pharmacy}/patients/${bsn}/dispenses`, { body: dispense('Amlodipine 5 mg') });
    expect(
      (await http(`${pharmacy}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'consent' } })).status,
    ).toBe(200);

    // An insurance doctor asks through a connected system: the authorisation protocol refuses (AP-DENY-1).
    const asInsuranceDoctor = await t.frontOffice(HAP, { uziNumber: INSURANCE_DOCTOR.uziNumber });
    const consult = await http(`${t.url(HAP)}/consults`, {
      body: { bsn, professional: INSURANCE_DOCTOR },
      headers: asInsuranceDoctor,
    });
    expect(consult.status, consult.text).toBe(201);
    const refused = await http(`${t.url(HAP)}/consults/${consult.json.id}/medication`, {
      body: {},
      headers: asInsuranceDoctor,
    });
    expect(refused.status, refused.text).toBe(403);
    expect(refused.json).toMatchObject({
      code: 'NOT_AUTHORISED',
      decision: { code: 'PROTOCOL_DENY', rule: expect.stringMatching(/^AP-DENY-1/) },
    });
    expect((await http(`${pharmacy}/query-log?bsn=${bsn}`)).json.entries).toEqual([]);

    // The insurer's formal written request, with the patient's targeted consent, is answered at the GP.
    const request = await http(`${t.url(GP)}/patients/${bsn}/disclosure-requests`, {
      body: {
        form: 'written',
        receivedOn: '2026-11-20',
        requester: { name: INSURANCE_DOCTOR.name, organisation: 'Zorgverzekeraar Midden', kind: 'verzekeringsarts' },
        purpose: 'Beoordeling aanvraag aanvullende verzekering',
        questions: [
          { text: 'Is bij betrokkene hypertensie vastgesteld?', kind: 'diagnosis' },
          { text: 'Wat is de verwachte levensduur?', kind: 'prognosis' },
        ],
      },
    });
    expect(request.status, request.text).toBe(201);
    const id = request.json.id;
    expect(
      (
        await http(`${t.url(GP)}/disclosure-requests/${id}/basis`, {
          method: 'PUT',
          body: { type: 'consent', explicit: true, informed: true, targeted: true, givenOn: '2026-11-21' },
        })
      ).status,
    ).toBe(200);
    const disclosure = await http(`${t.url(GP)}/disclosure-requests/${id}/disclosure`, {
      body: {
        medicalNecessity: 'Alleen de diagnose is nodig voor de beoordeling.',
        disclosedBy: 'Dr. A. Bakker',
        answers: [{ questionId: 'q1', answer: 'Ja, sinds 2020 (K86).', data: ['episode K86 Hypertensie'] }],
      },
    });
    expect(disclosure.status, disclosure.text).toBe(201);
    expect(disclosure.json.refusedQuestions).toMatchObject([
      { questionId: 'q2', reason: { code: 'PROGNOSIS_NOT_ANSWERED' } },
    ]);
    expect((await http(`${t.url(GP)}/patients/${bsn}/disclosures`)).json.disclosures).toHaveLength(1);
  });
});

describe('the demo seed', () => {
  it('gives the README’s patients rich records at the GP, consent where the story has it, and adds nothing the second time', async () => {
    expect((await seedDemo(t)).seeded).toBe(true);
    const jan = (await http(`${t.url(GP)}/patients/999900146/record`)).json;
    expect(jan.episodes.length).toBeGreaterThanOrEqual(4);
    expect(jan.journal.length).toBeGreaterThanOrEqual(3);
    expect(jan.treatmentLimits.map((l: any) => l.kind)).toContain('niet-reanimeren');
    expect(jan.coveringNotes).toHaveLength(1);
    const fatima = (await http(`${t.url(GP)}/patients/999900523/record`)).json;
    expect(fatima.episodes.some((e: any) => e.shielded)).toBe(true);
    const index = (await http(`${t.switchPoint.url}/reference-index/999900146`)).json.entries
      .map((e: any) => e.category)
      .sort();
    expect(index).toEqual(['MEDVERSTREKKING', 'MEDVERSTREKKING', 'WAARNEEMGEGEVENS']);
    // Kees never chose: no pharmacy registered him, his practice did for the corona opt-in.
    expect((await http(`${t.switchPoint.url}/reference-index/999901199`)).json.entries).toMatchObject([
      { category: 'WAARNEEMGEGEVENS', applicationId: t.get(GP).applicationId, reason: 'corona-opt-in' },
    ]);
    const cio = (await http(`${t.url(PHARMACY)}/patients/999900146/contra-indications`)).json.contraIndications;
    expect(cio).toHaveLength(2);
    // Fatima's referral to the hospital reaches it without the item she objected to (her miscarriage).
    const [referral] = (await http(`${t.url(GP)}/patients/999900523/referrals`)).json.referrals;
    expect(referral.letter.items.map((i: any) => i.fields.title)).toEqual(['Hypertensie', 'Migraine']);
    expect(referral.objectedItems).toHaveLength(1);
    let letters: any[] = [];
    for (let i = 0; i < 50 && letters.length === 0; i++) {
      letters = (await http(`${t.url('ziekenhuis-midden')}/referral-letters?bsn=999900523`)).json.letters;
      if (letters.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(letters).toHaveLength(1);
    expect(JSON.stringify(letters)).not.toContain('Miskraam');
    expect((await seedDemo(t)).seeded).toBe(false);
    expect((await http(`${t.url(GP)}/patients/999900523/referrals`)).json.referrals).toHaveLength(1);
    expect((await http(`${t.url(GP)}/patients/999900146/episodes`)).json.items).toHaveLength(jan.episodes.length);
  });
});

describe('the front offices keep who is registered secret (issue #12)', () => {
  it('refuses a read of a patient without a local user, whatever certificate comes with it, and logs it once at the holder', async () => {
    const bsn = freshBsn();
    await patientAtGp(bsn);
    const { Agent } = await import('undici');
    const operatorOnly = new Agent({ connect: { ca: t.admin.ca, cert: t.admin.cert, key: t.admin.key } });
    try {
      for (const [who, dispatcher] of [
        ['nobody', t.nobody],
        ['the operator’s certificate', operatorOnly],
      ] as const) {
        const r = await http(`${t.url(GP)}/patients/${bsn}/record`, { dispatcher });
        expect(r.status, who).toBe(401);
        expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(r.json.code, who).toBe('FRONT_OFFICE_LOGIN_REQUIRED');
        expect(r.text).not.toContain('Wim de Groot');
      }
      const refused = await http(`${t.url(PHARMACY)}/patients/${bsn}/dispenses`, { dispatcher: t.nobody });
      expect(refused.json.code).toBe('FRONT_OFFICE_LOGIN_REQUIRED');
    } finally {
      await operatorOnly.close();
    }
    // Logged in as the practice's GP (the test's default session), the record is there, and the log shows both.
    expect((await http(`${t.url(GP)}/patients/${bsn}/record`)).status).toBe(200);
    const log = (await http(`${t.url(GP)}/front-office/access-log?bsn=${bsn}`)).json.entries;
    const reads = log.filter((e: { route: string }) => e.route === '/patients/:bsn/record');
    expect(
      reads.map((e: { user: { username: string } | null; outcome: string }) => [e.user?.username ?? null, e.outcome]),
    ).toEqual([
      [null, '401 FRONT_OFFICE_LOGIN_REQUIRED'],
      [null, '401 FRONT_OFFICE_LOGIN_REQUIRED'],
      ['mjansen', '200'],
    ]);
    expect(reads[2].user.professional).toMatchObject({ uziNumber: '900000021', roleCode: '01.015' });
    const atPharmacy = (await http(`${t.url(PHARMACY)}/front-office/access-log?bsn=${bsn}`)).json.entries;
    expect(atPharmacy).toMatchObject([
      { user: null, route: '/patients/:bsn/dispenses', outcome: '401 FRONT_OFFICE_LOGIN_REQUIRED' },
    ]);
  });

  it('lets the post act only as the logged-in professional: a query is signed with that user’s card', async () => {
    const named = await http(`${t.url(HAP)}/consults`, {
      body: { bsn: freshBsn(), professional: { uziNumber: '900000002', roleCode: '01.015', name: 'Dr. R. Peters' } },
    });
    expect(named.status).toBe(403);
    expect(named.json.code).toBe('FRONT_OFFICE_USER_MISMATCH');
    const bsn = freshBsn();
    const asPeters = await t.frontOffice(HAP, { username: 'rpeters' });
    const consult = await http(`${t.url(HAP)}/consults`, { body: { bsn }, headers: asPeters });
    expect(consult.status, consult.text).toBe(201);
    expect(consult.json.professional).toEqual({ uziNumber: '900000002', roleCode: '01.015', name: 'Dr. R. Peters' });
    await http(`${t.url(HAP)}/consults/${consult.json.id}/medication`, { body: {}, headers: asPeters });
    const entry = (await http(`${t.switchPoint.url}/access-log?bsn=${bsn}`)).json.entries.at(-1);
    expect(entry).toMatchObject({ actingUzi: '900000002', requesterUra: t.get(HAP).ura });
  });
});
