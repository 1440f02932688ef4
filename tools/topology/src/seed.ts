import type { DispenseInput, NewCio } from '@schakel/contracts';
import type { ServiceClient } from '@schakel/service-kit';
import type { RunningProcess } from './launcher.js';
import { frontOfficeClient, type FrontOfficeTarget } from './front-office-login.js';

/**
 * What the demo seed needs of a running Schakel: where each organisation is and the root to trust. A
 * topology started by this process is one; the CLI's `seed` verb builds one for a stack started elsewhere
 * (docker compose, another terminal).
 */
export type SeedTarget = FrontOfficeTarget & {
  processes: ReadonlyMap<string, Pick<RunningProcess, 'id' | 'service' | 'url' | 'applicationId'>>;
};

/** Demo patients, all with test BSNs from docs/domain.md. */
export const DEMO_PATIENTS = [
  {
    bsn: '999900146',
    name: 'Jan Jansen',
    birthDate: '1948-03-12',
    story: 'consented at both pharmacies and De Linde: medication from two sources, a rich GP summary',
  },
  {
    bsn: '999900523',
    name: 'Fatima el Amrani',
    birthDate: '1979-11-02',
    story:
      'consented at Apotheek De Vijzel, objected at Apotheek Zuid: only De Vijzel is asked; referred by De Linde to Ziekenhuis Midden, her miscarriage left out of the letter',
  },
  {
    bsn: '999901199',
    name: 'Kees de Vries',
    birthDate: '1990-06-25',
    story:
      'never chose: no pharmacy registered him (UNKNOWN_PATIENT); De Linde made his summary findable for the corona opt-in',
  },
] as const;

const prescriber = { name: 'Dr. A. Bakker', agb: '01012345' };
const product = (name: string, atc: string, gpk: string, zi: string, strength: string) => ({
  name,
  atc,
  gpk,
  prk: String(Number(gpk) + 1000),
  zi,
  strength,
});

const DISPENSES: Record<string, Record<string, DispenseInput[]>> = {
  '999900146': {
    a: [
      {
        product: product(
          'Metoprolol succinaat 47,5 mg tablet met gereguleerde afgifte',
          'C07AB02',
          '68756',
          '14212595',
          '47,5 mg',
        ),
        amount: { value: 90, unit: 'stuk' },
        dosageInstruction: '1 maal per dag 1 tablet',
        dispensedOn: '2026-10-02',
        prescriber,
      },
      {
        product: product('Simvastatine 40 mg tablet', 'C10AA01', '56065', '13520733', '40 mg'),
        amount: { value: 90, unit: 'stuk' },
        dosageInstruction: '1 maal per dag 1 tablet, ’s avonds',
        dispensedOn: '2026-10-02',
        prescriber,
      },
    ],
    b: [
      {
        product: product('Paracetamol 500 mg tablet', 'N02BE01', '2194', '12345678', '500 mg'),
        amount: { value: 20, unit: 'stuk' },
        dosageInstruction: 'zo nodig 4 maal per dag 2 tabletten',
        dispensedOn: '2026-11-20',
        prescriber: { name: 'Dr. S. Visser' },
      },
    ],
  },
  '999900523': {
    a: [
      {
        product: product('Omeprazol 20 mg capsule maagsapresistent', 'A02BC01', '15954', '14401223', '20 mg'),
        amount: { value: 30, unit: 'stuk' },
        dosageInstruction: '1 maal per dag 1 capsule voor het ontbijt',
        dispensedOn: '2026-11-01',
        prescriber,
      },
    ],
    b: [
      {
        product: product('Amlodipine 5 mg tablet', 'C08CA01', '45446', '14058642', '5 mg'),
        amount: { value: 30, unit: 'stuk' },
        dosageInstruction: '1 maal per dag 1 tablet',
        dispensedOn: '2026-09-15',
        prescriber,
      },
    ],
  },
};
/** Older refills, so "most recent dispense per product" has something to choose from. */
DISPENSES['999900146']?.a?.push(
  ...(['2026-07-03', '2026-04-02'] as const).flatMap((dispensedOn) =>
    (DISPENSES['999900146']?.a ?? []).slice(0, 2).map((d) => ({ ...d, dispensedOn })),
  ),
);
DISPENSES['999900523']?.a?.push({ ...(DISPENSES['999900523'].a[0] as DispenseInput), dispensedOn: '2026-08-01' });

/** Contra-indications and intolerances (CiO) the pharmacies know. */
const CIO: Record<string, Record<string, NewCio[]>> = {
  '999900146': {
    a: [
      { kind: 'intolerance', name: 'Overgevoeligheid penicillines', atc: 'J01C', recordedOn: '2012-03-01' },
      { kind: 'contra-indication', name: 'Nierfunctiestoornis (eGFR 30-45)', recordedOn: '2026-06-10' },
    ],
  },
  '999900523': {
    a: [{ kind: 'intolerance', name: 'Overgevoeligheid codeïne', atc: 'R05DA04', recordedOn: '2019-09-09' }],
  },
};

const CONSENT: Record<string, { a: 'consent' | 'objection' | 'no-choice'; b: 'consent' | 'objection' | 'no-choice' }> =
  {
    '999900146': { a: 'consent', b: 'consent' },
    '999900523': { a: 'consent', b: 'objection' },
    '999901199': { a: 'no-choice', b: 'no-choice' },
  };

/**
 * Seeds the demo data through the services' own APIs, as their front offices would: logged in as each
 * organisation's first test user (the practice's GP, the pharmacist), so every entry is some local user's
 * and lands in that organisation's front-office log. It skips patients a pharmacy already knows, so a
 * restart on the same data folder does not duplicate anything.
 */
export async function seedDemo(topology: SeedTarget): Promise<{ seeded: boolean }> {
  const pharmacies = [...topology.processes.values()].filter((p) => p.service === 'pharmacy');
  const gps = [...topology.processes.values()].filter((p) => p.service === 'gp');
  const [a, b] = pharmacies;
  if (a === undefined || b === undefined) throw new Error('The demo data needs two pharmacies in the topology');
  // No certificate opens a front office (not even the operator's): the seed logs in as the organisations' people.
  const clients = new Map<string, Awaited<ReturnType<typeof frontOfficeClient>>>();
  for (const p of [...gps.slice(0, 1), a, b]) clients.set(p.id, await frontOfficeClient(topology, p.id));
  const client = (id: string) => {
    const c = clients.get(id);
    if (c === undefined) throw new Error(`No front-office client for ${id}`);
    return c;
  };
  let seeded = false;
  try {
    for (const patient of DEMO_PATIENTS) {
      const demographics = { name: patient.name, birthDate: patient.birthDate };
      const gp = gps[0];
      if (gp !== undefined) {
        await client(gp.id).call(gp.url, {
          method: 'PUT',
          path: `/patients/${patient.bsn}`,
          body: { ...demographics, address: GP_RECORDS[patient.bsn]?.address },
        });
        if (await seedGpRecord(client(gp.id), gp.url, patient.bsn)) seeded = true;
      }
      for (const [key, pharmacy] of [
        ['a', a],
        ['b', b],
      ] as const) {
        const desk = client(pharmacy.id);
        const known = await desk.call(pharmacy.url, { path: `/patients/${patient.bsn}` }).then(
          () => true,
          () => false,
        );
        if (known) continue;
        seeded = true;
        await desk.call(pharmacy.url, { method: 'PUT', path: `/patients/${patient.bsn}`, body: demographics });
        for (const d of DISPENSES[patient.bsn]?.[key] ?? [])
          await desk.call(pharmacy.url, { method: 'POST', path: `/patients/${patient.bsn}/dispenses`, body: d });
        for (const c of CIO[patient.bsn]?.[key] ?? [])
          await desk.call(pharmacy.url, {
            method: 'POST',
            path: `/patients/${patient.bsn}/contra-indications`,
            body: c,
          });
        const state = CONSENT[patient.bsn]?.[key] ?? 'no-choice';
        if (state !== 'no-choice')
          await desk.call(pharmacy.url, { method: 'PUT', path: `/patients/${patient.bsn}/consent`, body: { state } });
      }
    }
    // The first practice takes part in the corona opt-in: it registers the summary of its no-choice patients
    // (Kees de Vries) itself, so the covering GP can ask for verbal consent on the spot (idempotent).
    const practice = gps[0];
    if (practice !== undefined)
      await client(practice.id).call(practice.url, { method: 'PUT', path: '/corona-opt-in', body: { joined: true } });
    // A referral letter with an item left out: De Linde refers Fatima el Amrani to the internist at the
    // hospital; she objects to her miscarriage going with it, so the letter goes without it (decisions.md 28).
    const hospital = [...topology.processes.values()].find((p) => p.service === 'hospital');
    if (practice !== undefined && hospital?.applicationId !== undefined)
      if (await seedReferral(client(practice.id), practice.url, hospital.applicationId)) seeded = true;
  } finally {
    for (const c of clients.values()) await c.close();
  }
  return { seeded };
}

/** YYYY-MM-DD, `days` before today: the GP journal moves with the calendar so the four-month window always has content. */
function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

const gp = { name: 'Dr. A. Bakker', agb: '01012345' };
type Item = Record<string, unknown>;
interface DemoEpisode {
  episode: Item;
  journal?: Item[];
  measurements?: Item[];
  prescriptions?: Item[];
}
interface DemoRecord {
  address: { street: string; houseNumber: string; postalCode: string; city: string };
  consent?: 'consent' | 'objection';
  episodes: DemoEpisode[];
  allergies?: Item[];
  contraIndications?: Item[];
  coveringNotes?: Item[];
  treatmentLimits?: Item[];
}
const icpc = (code: string, title: string) => ({ code, title });

/** The demo patients' records at the first GP practice (Huisartsenpraktijk De Linde in the default topology). */
const GP_RECORDS: Record<string, DemoRecord> = {
  '999900146': {
    address: { street: 'Lindelaan', houseNumber: '14', postalCode: '3581 KD', city: 'Utrecht' },
    consent: 'consent',
    episodes: [
      {
        episode: {
          title: 'Hypertensie',
          icpc: icpc('K86', 'Hypertensie zonder orgaanbeschadiging'),
          startDate: '2009-05-12',
          attention: true,
        },
        journal: [
          {
            date: daysAgo(70),
            S: 'Controle bloeddruk. Geen klachten, trouw medicatie.',
            O: 'RR 148/86 mmHg, pols 64 regulair.',
            E: 'Hypertensie, redelijk ingesteld',
            P: 'Beleid ongewijzigd, controle over 3 maanden.',
          },
        ],
        measurements: [
          { date: daysAgo(70), name: 'RR systolisch', loinc: '8480-6', value: 148, unit: 'mm[Hg]' },
          { date: daysAgo(70), name: 'RR diastolisch', loinc: '8462-4', value: 86, unit: 'mm[Hg]' },
        ],
        prescriptions: [
          {
            product: DISPENSES['999900146']?.a?.[0]?.product,
            dosageInstruction: '1 maal per dag 1 tablet',
            startDate: '2009-06-01',
            prescriber: gp,
          },
        ],
      },
      {
        episode: {
          title: 'Diabetes mellitus type 2',
          icpc: icpc('T90.02', 'Diabetes mellitus type 2'),
          startDate: '2015-02-20',
          attention: true,
        },
        journal: [
          {
            date: daysAgo(20),
            contactType: 'consult',
            author: 'POH J. Willems',
            S: 'DM-kwartaalcontrole. Voelt zich goed, geen hypo’s.',
            O: 'Voeten: sensibiliteit intact. Gewicht 84 kg.',
            E: 'DM2, HbA1c licht gestegen; nierfunctie verder gedaald',
            P: 'Metformine verlaagd naar 2 dd 500 mg i.v.m. eGFR; controle over 3 maanden.',
          },
          {
            date: daysAgo(200),
            S: 'Jaarcontrole DM.',
            O: 'Fundusfoto zonder afwijkingen.',
            E: 'DM2 stabiel',
            P: 'Beleid ongewijzigd.',
          },
        ],
        measurements: [
          { date: daysAgo(20), name: 'HbA1c', loinc: '4548-4', value: 56, unit: 'mmol/mol' },
          { date: daysAgo(20), name: 'eGFR (CKD-EPI)', loinc: '62238-1', value: 41, unit: 'ml/min/1,73m2' },
          { date: daysAgo(20), name: 'Gewicht', loinc: '29463-7', value: 84, unit: 'kg' },
          { date: daysAgo(200), name: 'HbA1c', loinc: '4548-4', value: 52, unit: 'mmol/mol' },
        ],
        prescriptions: [
          {
            product: { name: 'Metformine 500 mg tablet', atc: 'A10BA02', strength: '500 mg' },
            dosageInstruction: '2 maal per dag 1 tablet bij de maaltijd',
            startDate: '2015-03-01',
            prescriber: gp,
          },
        ],
      },
      {
        episode: { title: 'Hypercholesterolemie', icpc: icpc('T93', 'Lipidenstoornis'), startDate: '2012-01-10' },
        prescriptions: [
          {
            product: DISPENSES['999900146']?.a?.[1]?.product,
            dosageInstruction: '1 maal per dag 1 tablet, ’s avonds',
            startDate: '2012-01-10',
            prescriber: gp,
          },
        ],
      },
      {
        episode: {
          title: 'Acute bronchitis',
          icpc: icpc('R78', 'Acute bronchitis/bronchiolitis'),
          startDate: daysAgo(100),
          endDate: daysAgo(85),
        },
        journal: [
          {
            date: daysAgo(100),
            contactType: 'telefonisch',
            S: 'Hoest sinds 10 dagen, geen koorts, niet benauwd.',
            E: 'Acute bronchitis',
            P: 'Uitleg natuurlijk beloop; terugbellen bij koorts of benauwdheid.',
          },
        ],
      },
    ],
    allergies: [
      {
        kind: 'allergy',
        substance: 'Penicillines',
        atc: 'J01C',
        reaction: 'Urticaria over romp en armen',
        severity: 'moderate',
        recordedOn: '2012-03-01',
      },
    ],
    contraIndications: [
      {
        description: 'Verminderde nierfunctie (eGFR 41): geen NSAID’s, metformine max. 1000 mg/dag',
        icpc: icpc('U99', 'Nierfunctiestoornis'),
        recordedOn: daysAgo(20),
      },
    ],
    coveringNotes: [
      {
        text: 'Woont met echtgenote (mantelzorger); zoon Peter is contactpersoon. Wens: niet meer naar het ziekenhuis tenzij voor comfort.',
        recordedOn: daysAgo(150),
      },
    ],
    treatmentLimits: [
      {
        kind: 'niet-reanimeren',
        agreedOn: '2025-10-01',
        agreedWith: 'patiënt zelf, in bijzijn van zoon',
        note: 'Niet-reanimerenverklaring getekend; penning aanwezig.',
      },
      { kind: 'geen-ic-opname', agreedOn: '2025-10-01', agreedWith: 'patiënt zelf' },
    ],
  },
  '999900523': {
    address: { street: 'Kanaalstraat', houseNumber: '201', postalCode: '3531 CJ', city: 'Utrecht' },
    consent: 'consent',
    episodes: [
      {
        episode: { title: 'Refluxklachten', icpc: icpc('D84', 'Ziekte slokdarm'), startDate: '2024-02-02' },
        journal: [
          {
            date: daysAgo(40),
            S: 'Zuurbranden grotendeels weg met omeprazol.',
            O: 'Buik soepel, geen drukpijn.',
            E: 'Refluxziekte, goed onder controle',
            P: 'Omeprazol continueren; proberen af te bouwen over 3 maanden.',
          },
        ],
        prescriptions: [
          {
            product: DISPENSES['999900523']?.a?.[0]?.product,
            dosageInstruction: '1 maal per dag 1 capsule voor het ontbijt',
            startDate: '2024-02-02',
            prescriber: gp,
          },
        ],
      },
      {
        episode: {
          title: 'Hypertensie',
          icpc: icpc('K86', 'Hypertensie zonder orgaanbeschadiging'),
          startDate: '2023-05-15',
        },
        measurements: [
          { date: daysAgo(60), name: 'RR systolisch', loinc: '8480-6', value: 136, unit: 'mm[Hg]' },
          { date: daysAgo(60), name: 'RR diastolisch', loinc: '8462-4', value: 84, unit: 'mm[Hg]' },
        ],
        prescriptions: [
          {
            product: DISPENSES['999900523']?.b?.[0]?.product,
            dosageInstruction: '1 maal per dag 1 tablet',
            startDate: '2023-05-15',
            prescriber: gp,
          },
        ],
      },
      {
        episode: { title: 'Migraine', icpc: icpc('N89', 'Migraine'), startDate: '2010-09-01' },
        journal: [
          {
            date: daysAgo(30),
            S: 'Twee aanvallen per maand, sumatriptan helpt.',
            E: 'Migraine zonder aura',
            P: 'Hoofdpijndagboek bijhouden.',
          },
        ],
      },
      {
        // Shielded at the patient's request: it stays in the practice and never appears in a summary.
        episode: {
          title: 'Miskraam',
          icpc: icpc('W82', 'Miskraam'),
          startDate: daysAgo(110),
          endDate: daysAgo(80),
          shielded: true,
        },
        journal: [
          {
            date: daysAgo(110),
            S: 'Bloedverlies bij 9 weken amenorroe.',
            O: 'Echo: geen hartactie.',
            E: 'Miskraam',
            P: 'Expectatief beleid, nacontrole.',
          },
        ],
      },
    ],
    allergies: [
      {
        kind: 'intolerance',
        substance: 'Codeïne',
        atc: 'R05DA04',
        reaction: 'Misselijkheid en braken',
        severity: 'mild',
        recordedOn: '2019-09-09',
      },
    ],
  },
  '999901199': {
    address: { street: 'Oudegracht', houseNumber: '88bis', postalCode: '3511 AV', city: 'Utrecht' },
    episodes: [
      {
        episode: {
          title: 'Lage rugpijn',
          icpc: icpc('L03', 'Lage rugklachten'),
          startDate: daysAgo(45),
          endDate: daysAgo(15),
        },
        journal: [
          {
            date: daysAgo(45),
            S: 'Rugpijn na verhuizing, geen uitstraling.',
            O: 'Lasègue negatief, geen uitval.',
            E: 'Aspecifieke lage rugpijn',
            P: 'Blijven bewegen, paracetamol zo nodig.',
          },
        ],
      },
    ],
  },
};

/** The demo patient's GP record and consent, once: a record that already has episodes is left alone. */
async function seedGpRecord(client: Pick<ServiceClient, 'call'>, url: string, bsn: string): Promise<boolean> {
  const demo = GP_RECORDS[bsn];
  if (demo === undefined) return false;
  const existing = await client.call(url, { path: `/patients/${bsn}/episodes` });
  if (((existing.body as { items?: unknown[] }).items ?? []).length > 0) return false;
  const post = async (path: string, body: unknown) =>
    (await client.call(url, { method: 'POST', path: `/patients/${bsn}/${path}`, body })).body as { id: string };
  for (const e of demo.episodes) {
    const { id: episodeId } = await post('episodes', e.episode);
    const shielded = e.episode['shielded'] === true;
    for (const j of e.journal ?? []) await post('journal', { ...j, episodeId, icpc: e.episode['icpc'] });
    for (const m of e.measurements ?? []) await post('measurements', { ...m, episodeId });
    for (const p of e.prescriptions ?? []) await post('prescriptions', { ...p, episodeId, shielded });
  }
  for (const a of demo.allergies ?? []) await post('allergies', a);
  for (const c of demo.contraIndications ?? []) await post('contra-indications', c);
  for (const n of demo.coveringNotes ?? []) await post('covering-notes', n);
  for (const t of demo.treatmentLimits ?? []) await post('treatment-limits', t);
  if (demo.consent !== undefined)
    await client.call(url, { method: 'PUT', path: `/patients/${bsn}/consent`, body: { state: demo.consent } });
  return true;
}

/** The demo referral, once: Fatima el Amrani to the hospital, her miscarriage left out at her request. */
async function seedReferral(
  client: Pick<ServiceClient, 'call'>,
  gpUrl: string,
  hospitalApplicationId: string,
): Promise<boolean> {
  const bsn = REFERRAL_DEMO.bsn;
  const existing = (await client.call(gpUrl, { path: `/patients/${bsn}/referrals` })).body as { referrals: unknown[] };
  if (existing.referrals.length > 0) return false;
  const episodes = (
    (await client.call(gpUrl, { path: `/patients/${bsn}/episodes` })).body as { items: { id: string; title: string }[] }
  ).items;
  const id = (title: string) => episodes.find((e) => e.title === title)?.id;
  const items = REFERRAL_DEMO.items.map(id).filter((x): x is string => x !== undefined);
  const objected = id(REFERRAL_DEMO.objected);
  if (objected === undefined || items.length !== REFERRAL_DEMO.items.length) return false;
  await client.call(gpUrl, {
    method: 'POST',
    path: `/patients/${bsn}/referrals`,
    body: {
      to: { applicationId: hospitalApplicationId },
      referrer: REFERRAL_DEMO.referrer,
      reason: REFERRAL_DEMO.reason,
      question: REFERRAL_DEMO.question,
      items,
      objectedItems: [objected],
    },
  });
  return true;
}

/** What the demo referral carries; README.md shows it. */
export const REFERRAL_DEMO = {
  bsn: '999900523',
  referrer: { uziNumber: '900000021', roleCode: '01.015', name: 'Dr. M. Jansen-Smit' },
  reason: 'Hypertensie op jonge leeftijd, onvoldoende ingesteld op twee middelen',
  question: 'Graag analyse op secundaire hypertensie',
  items: ['Hypertensie', 'Migraine', 'Miskraam'],
  objected: 'Miskraam',
};
