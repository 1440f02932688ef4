import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshBsn } from '@schakel/topology';
import { COVERING_GP, dispense, http, startTestTopology, storeTables } from './helpers.js';

// The default topology (switch point, 2 GP practices, 2 pharmacies, HAP, SEH), each its own process.
let t: Awaited<ReturnType<typeof startTestTopology>>;
const SOURCE_TIMEOUT_MS = 1_500;
const A = 'apotheek-de-vijzel';
const B = 'apotheek-zuid';
const HAP = 'hap-midden';

beforeAll(async () => {
  t = await startTestTopology({ sourceTimeoutMs: SOURCE_TIMEOUT_MS });
});
afterAll(async () => t?.cleanup());

/** A patient at a pharmacy with one dispense and (optionally) a consent choice, all through its own API. */
async function patientAt(pharmacy: string, bsn: string, productName: string, consent?: 'consent' | 'objection') {
  const url = t.url(pharmacy);
  expect(
    (await http(`${url}/patients/${bsn}`, { method: 'PUT', body: { name: 'Anna de Boer', birthDate: '1961-04-30' } }))
      .status,
  ).toBe(201);
  expect((await http(`${url}/patients/${bsn}/dispenses`, { body: dispense(productName) })).status).toBe(201);
  if (consent !== undefined) {
    const r = await http(`${url}/patients/${bsn}/consent`, { method: 'PUT', body: { state: consent } });
    expect(r.status, r.text).toBe(200);
  }
}

async function lookupAtHap(bsn: string) {
  const consult = await http(`${t.url(HAP)}/consults`, { body: { bsn, professional: COVERING_GP } });
  expect(consult.status, consult.text).toBe(201);
  return http(`${t.url(HAP)}/consults/${consult.json.id}/medication`, { body: {} });
}

const sourceOf = (batch: any, pharmacy: string) =>
  batch.sources.find((s: any) => s.applicationId === t.get(pharmacy).applicationId);

describe('consent-gated medication lookup from the HAP, across separate processes', () => {
  it('gives only the dispenses of the pharmacy with consent, and never contacts the one with an objection', async () => {
    const bsn = freshBsn();
    await patientAt(A, bsn, 'Metoprolol A', 'consent');
    await patientAt(B, bsn, 'Amlodipine B', 'consent');
    // The patient then objects at pharmacy B: B records it at the switch point and deregisters.
    expect(
      (await http(`${t.url(B)}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'objection' } })).status,
    ).toBe(200);

    const r = await lookupAtHap(bsn);
    expect(r.status, r.text).toBe(200);
    expect(r.json.complete).toBe(true);
    expect(sourceOf(r.json, A)).toMatchObject({ status: 'ok', contacted: true, decision: { code: 'CONSENT_GIVEN' } });
    expect(sourceOf(r.json, A).dispenses.map((d: any) => d.product.name)).toEqual(['Metoprolol A']);
    expect(sourceOf(r.json, B)).toMatchObject({
      status: 'refused',
      contacted: false,
      decision: { code: 'CONSENT_OBJECTION' },
    });
    expect(JSON.stringify(r.json)).not.toContain('Amlodipine B');

    // B's own access log shows it was never asked about this patient; A's shows exactly one query.
    expect((await http(`${t.url(B)}/query-log?bsn=${bsn}`)).json.entries).toEqual([]);
    const logA = (await http(`${t.url(A)}/query-log?bsn=${bsn}`)).json.entries;
    expect(logA).toHaveLength(1);
    // One conversation: the AORTA-ID's initial request id is the same at the switch point and at A.
    const lspLog = (await http(`${t.switchPoint.url}/access-log?bsn=${bsn}`)).json.entries;
    expect(lspLog.at(-1)).toMatchObject({
      outcome: 'permitted',
      requesterApplicationId: t.get(HAP).applicationId,
      actingUzi: COVERING_GP.uziNumber,
    });
    expect(logA[0].initialRequestId).toBe(lspLog.at(-1).initialRequestId);
  });

  it('gives a partial batch with "unreachable" when a pharmacy is down, and recovers when it is back', async () => {
    const bsn = freshBsn();
    await patientAt(A, bsn, 'Metoprolol A', 'consent');
    await patientAt(B, bsn, 'Amlodipine B', 'consent');
    await t.stop(B);
    try {
      const r = await lookupAtHap(bsn);
      expect(r.status, r.text).toBe(200);
      expect(r.json.complete).toBe(false);
      expect(sourceOf(r.json, A).status).toBe('ok');
      expect(sourceOf(r.json, B)).toMatchObject({ status: 'unreachable', contacted: true });
      expect((await http(`${t.switchPoint.url}/access-log?bsn=${bsn}`)).json.entries.at(-1).outcome).toBe('partial');
    } finally {
      await t.restart(B);
    }
    const again = await lookupAtHap(bsn);
    expect(sourceOf(again.json, B).status).toBe('ok');
  });

  it('gives a partial batch with "timeout" when a pharmacy hangs, once the per-source time-out has passed', async () => {
    const bsn = freshBsn();
    await patientAt(A, bsn, 'Metoprolol A', 'consent');
    await patientAt(B, bsn, 'Amlodipine B', 'consent');
    t.pause(B); // SIGSTOP: B keeps its port open but answers nothing
    let r;
    try {
      r = await lookupAtHap(bsn);
    } finally {
      t.resume(B);
    }
    expect(r.status, r.text).toBe(200);
    expect(r.json.complete).toBe(false);
    expect(sourceOf(r.json, A).status).toBe('ok');
    const entryB = sourceOf(r.json, B);
    expect(entryB.status).toBe('timeout');
    // The switch point waited for the configured time-out, not for the hung pharmacy.
    expect(entryB.durationMs).toBeGreaterThanOrEqual(SOURCE_TIMEOUT_MS - 50);
    expect(entryB.durationMs).toBeLessThan(SOURCE_TIMEOUT_MS + 5_000);
  });

  it('passes "most recent dispense per product" through the switch point to the pharmacies', async () => {
    const bsn = freshBsn();
    await patientAt(A, bsn, 'Metoprolol A', 'consent');
    expect(
      (await http(`${t.url(A)}/patients/${bsn}/dispenses`, { body: dispense('Metoprolol A', '2026-11-15') })).status,
    ).toBe(201);
    const consult = await http(`${t.url(HAP)}/consults`, { body: { bsn, professional: COVERING_GP } });
    const all = await http(`${t.url(HAP)}/consults/${consult.json.id}/medication`, { body: {} });
    expect(sourceOf(all.json, A).dispenses).toHaveLength(2);
    const latest = await http(`${t.url(HAP)}/consults/${consult.json.id}/medication`, {
      body: { latestPerProduct: true },
    });
    expect(sourceOf(latest.json, A).dispenses.map((d: any) => d.dispensedOn)).toEqual(['2026-11-15']);
  });

  it('keeps no dispense data in the switch point’s store after lookups', async () => {
    const bsn = freshBsn();
    const marker = `Uniekmiddel-${bsn}`;
    await patientAt(A, bsn, marker, 'consent');
    const r = await lookupAtHap(bsn);
    expect(JSON.stringify(r.json)).toContain(marker);

    const tables = await storeTables(t, t.switchPoint.id);
    expect(tables.size).toBeGreaterThan(5);
    expect([...tables.keys()]).not.toContain('dispenses');
    for (const [name, rows] of tables) {
      const text = JSON.stringify(rows);
      expect(text, `table ${name}`).not.toContain(marker);
      expect(text, `table ${name}`).not.toContain('1 maal per dag');
      expect(text, `table ${name}`).not.toContain('Dr. A. Bakker');
    }
  });
});

describe('bad requests get a 4xx problem+json with a clear code', () => {
  it('answers UNKNOWN_PATIENT for a BSN no pharmacy registered', async () => {
    const r = await lookupAtHap(freshBsn());
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.json).toMatchObject({ code: 'UNKNOWN_PATIENT', hl7: 'KEY204' });
  });

  it('answers INVALID_BSN for a BSN failing the 11-proef, at the HAP and at the switch point', async () => {
    const atHap = await http(`${t.url(HAP)}/consults`, { body: { bsn: '999900147', professional: COVERING_GP } });
    expect(atHap.status).toBe(400);
    expect(atHap.json).toMatchObject({
      code: 'INVALID_BSN',
      field: 'body.bsn',
      expected: '9 digits passing the 11-proef',
    });
    const atLsp = await http(`${t.switchPoint.url}/queries/medication`, {
      body: {
        bsn: '123456789',
        requester: { applicationId: t.get(HAP).applicationId, professional: COVERING_GP },
        treatmentRelation: true,
      },
    });
    expect(atLsp.status).toBe(400);
    expect(atLsp.json).toMatchObject({ code: 'INVALID_BSN', field: 'body.bsn' });
  });

  it('answers MALFORMED_BODY for a body that is not JSON and VALIDATION_ERROR for a wrong shape', async () => {
    const broken = await http(`${t.switchPoint.url}/queries/medication`, {
      raw: '{"bsn": "999900146",',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.json.code).toBe('MALFORMED_BODY');
    const shape = await http(`${t.switchPoint.url}/queries/medication`, {
      body: { bsn: '999900146', requester: 'me' },
    });
    expect(shape.status).toBe(400);
    expect(shape.json).toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'body.requester',
      errors: expect.arrayContaining([
        expect.objectContaining({ code: 'MISSING_FIELD', field: 'body.treatmentRelation' }),
      ]),
    });
  });

  it('leaves the processes running after bad input', async () => {
    for (const p of t.processes.values()) expect((await http(`${p.url}/health`)).status).toBe(200);
  });
});

describe('every service', () => {
  it('serves /openapi.json generated from its schemas, and /ready', async () => {
    for (const p of t.processes.values()) {
      const doc = await http(`${p.url}/openapi.json`);
      expect(doc.status, p.id).toBe(200);
      expect(doc.json.openapi).toBe('3.1.0');
      const own = {
        lsp: '/queries/medication',
        pharmacy: '/lsp/medication-queries',
        hap: '/consults/{id}/medication',
        gp: '/patients/{bsn}',
        seh: '/patients/{bsn}',
        ambulance: '/consults/{id}/summary',
        hospital: '/consults/{id}/medication',
      }[p.service];
      expect(Object.keys(doc.json.paths), p.id).toEqual(expect.arrayContaining(['/health', '/ready', own]));
      expect((await http(`${p.url}/ready`)).json.status).toBe('ready');
    }
    const lspDoc = JSON.stringify((await http(`${t.switchPoint.url}/openapi.json`)).json);
    for (const name of ['QURX_IN990011NL', 'MFMT_IN002101', 'MFMT_IN002103', 'QUMT_IN020010', 'MCCI_IN200101'])
      expect(lspDoc).toContain(name);
  });

  it('entered itself in the switch point’s address book', async () => {
    const systems = (await http(`${t.switchPoint.url}/address-book/systems`)).json.systems;
    for (const o of t.topology.organisations)
      expect(systems.map((s: any) => s.applicationId)).toContain(o.applicationId);
  });
});

describe('the covering pharmacist (waarnemend apotheker) asks the other pharmacies from the front office', () => {
  const COVERING_PHARMACIST = {
    uziNumber: '900000034',
    roleCode: '17.000',
    name: 'Apr. F. Kok (waarnemend apotheker)',
  };

  it('gets the dispenses of the other pharmacy with consent, under AP-MED-1, and never asks its own', async () => {
    const bsn = freshBsn();
    await patientAt(A, bsn, 'Metoprolol A', 'consent');
    await patientAt(B, bsn, 'Amlodipine B', 'consent');

    const r = await http(`${t.url(B)}/covering/medication`, {
      body: { bsn, professional: COVERING_PHARMACIST },
      headers: await t.frontOffice(B, { uziNumber: COVERING_PHARMACIST.uziNumber }),
    });
    expect(r.status, r.text).toBe(200);
    expect(r.json.sources.map((s: any) => s.applicationId)).toEqual([t.get(A).applicationId]);
    expect(sourceOf(r.json, A)).toMatchObject({ status: 'ok', contacted: true, decision: { code: 'CONSENT_GIVEN' } });
    expect(sourceOf(r.json, A).dispenses.map((d: any) => d.product.name)).toEqual(['Metoprolol A']);
    // Its own pharmacy was not asked through the switch point: B's leg log has nothing for this patient.
    expect((await http(`${t.url(B)}/query-log?bsn=${bsn}`)).json.entries).toEqual([]);
    const entry = (await http(`${t.switchPoint.url}/access-log?bsn=${bsn}`)).json.entries.at(-1);
    expect(entry).toMatchObject({
      outcome: 'permitted',
      requesterApplicationId: t.get(B).applicationId,
      actingUzi: COVERING_PHARMACIST.uziNumber,
    });
    expect(entry.explanation).toContain('AP-MED-1');
    expect(entry.explanation).toContain('waarnemend apotheker');
  });

  it('applies consent per holder: a pharmacy the patient objected to is listed as refused and not contacted', async () => {
    const bsn = freshBsn();
    await patientAt(A, bsn, 'Metoprolol A', 'objection');
    await patientAt(B, bsn, 'Amlodipine B', 'consent');
    const r = await http(`${t.url(B)}/covering/medication`, {
      body: { bsn, professional: COVERING_PHARMACIST },
      headers: await t.frontOffice(B, { uziNumber: COVERING_PHARMACIST.uziNumber }),
    });
    expect(r.status, r.text).toBe(200);
    expect(r.json.sources).toHaveLength(1);
    expect(sourceOf(r.json, A)).toMatchObject({
      status: 'refused',
      contacted: false,
      decision: { code: 'CONSENT_OBJECTION' },
    });
    expect((await http(`${t.url(A)}/query-log?bsn=${bsn}`)).json.entries).toEqual([]);
  });

  it('answers UNKNOWN_PATIENT (LSP-OWN-1) when only its own pharmacy registered the patient', async () => {
    const bsn = freshBsn();
    await patientAt(B, bsn, 'Amlodipine B', 'consent');
    const r = await http(`${t.url(B)}/covering/medication`, {
      body: { bsn, professional: COVERING_PHARMACIST },
      headers: await t.frontOffice(B, { uziNumber: COVERING_PHARMACIST.uziNumber }),
    });
    expect(r.status, r.text).toBe(404);
    expect(r.json).toMatchObject({ code: 'UNKNOWN_PATIENT', decision: { rule: expect.stringContaining('LSP-OWN-1') } });
  });

  it('asks as the logged-in pharmacist only: naming another professional is refused (FRONT_OFFICE_USER_MISMATCH)', async () => {
    const r = await http(`${t.url(B)}/covering/medication`, {
      body: { bsn: freshBsn(), professional: { uziNumber: '900000033', roleCode: '17.000' } },
      headers: await t.frontOffice(B, { uziNumber: COVERING_PHARMACIST.uziNumber }),
    });
    expect(r.status, r.text).toBe(403);
    expect(r.json.code).toBe('FRONT_OFFICE_USER_MISMATCH');
  });
});
