import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres } from '@schakel/service-kit';
import { freshBsn, loadTopology } from '@schakel/topology';
import { COVERING_GP, dispense, http, startTestTopology } from './helpers.js';

// Consent and authorisation across the real processes (issue #4): the profile model, the policies, the
// emergency procedure, the portal and the tamper-evident access log.
let t: Awaited<ReturnType<typeof startTestTopology>>;
const A = 'apotheek-de-vijzel';
const B = 'apotheek-zuid';
const GP = 'gp-de-linde';
const HAP = 'hap-midden';
const SEH = 'seh-st-anna';
const SEH_DOCTOR = { uziNumber: '900000011', roleCode: '01.071', name: 'Dr. S. Yilmaz' };
const RAV = 'rav-midden';
const AMBULANCE_NURSE = { uziNumber: '900000041', roleCode: '30.000', name: 'M. de Jong' };
const PARAMEDIC = { uziNumber: '900000042', roleCode: '80.000', name: 'T. Visser' };
const INSURANCE_DOCTOR = { uziNumber: '900000048', roleCode: '01.048', name: 'Dr. V. Verzekeringsarts' };

const OTHER_GP = 'gp-het-anker';

beforeAll(async () => {
  const topology = loadTopology();
  const post = topology.organisations.find((o) => o.id === HAP);
  post?.professionals.push(INSURANCE_DOCTOR);
  post?.users.push({ username: 'vverzekering', password: 'vverzekering-test', uziNumber: INSURANCE_DOCTOR.uziNumber });
  t = await startTestTopology({ topology });
  // De Linde takes part in the corona opt-in: its no-choice patients are findable from the start (Het Anker joins in a test below).
  const joined = await http(`${t.url(GP)}/corona-opt-in`, { method: 'PUT', body: { joined: true } });
  expect(joined.status, joined.text).toBe(200);
});
afterAll(async () => t?.cleanup());

const lsp = (path: string) => `${t.switchPoint.url}${path}`;
const sourceOf = (batch: any, id: string) =>
  batch.sources.find((s: any) => s.applicationId === t.get(id).applicationId);

/**
 * A registration without a holder-side consent, done by the operator (standing in for the localisation of
 * the Mitz era): only for pharmacies below. The GP's no-choice patients are registered by the practice
 * itself, for the corona opt-in.
 */
async function registerAt(id: string, bsn: string, category: 'MEDVERSTREKKING' | 'WAARNEEMGEGEVENS') {
  const r = await http(lsp(`/reference-index/${bsn}/${category}/${t.get(id).applicationId}`), { method: 'PUT' });
  expect(r.status, r.text).toBeLessThan(300);
}
async function pharmacyPatient(id: string, bsn: string, product: string) {
  await http(`${t.url(id)}/patients/${bsn}`, { method: 'PUT', body: { name: 'Noor Visser', birthDate: '1970-05-05' } });
  await http(`${t.url(id)}/patients/${bsn}/dispenses`, { body: dispense(product) });
}
async function gpPatient(bsn: string, gp = GP) {
  expect(
    (
      await http(`${t.url(gp)}/patients/${bsn}`, {
        method: 'PUT',
        body: { name: 'Bram Smit', birthDate: '1944-03-03' },
      })
    ).status,
  ).toBe(201);
  const e = await http(`${t.url(gp)}/patients/${bsn}/episodes`, {
    body: {
      title: 'Atriumfibrilleren',
      icpc: { code: 'K78', title: 'Atriumfibrilleren/-fladderen' },
      startDate: '2019-06-01',
    },
  });
  expect(e.status, e.text).toBe(201);
}
/** The front-office session of this professional at this organisation (the consult's queries are signed with their card). */
const desk = (org: string, professional: { uziNumber: string }) =>
  t.frontOffice(org, { uziNumber: professional.uziNumber });
async function consult(org: string, bsn: string, professional: { uziNumber: string }, extra: object = {}) {
  const c = await http(`${t.url(org)}/consults`, {
    body: { bsn, professional, ...extra },
    headers: await desk(org, professional),
  });
  expect(c.status, c.text).toBe(201);
  return c.json.id as string;
}
async function portal(bsn: string) {
  const login = await http(lsp('/portal/login'), { body: { bsn, code: '123456' } });
  expect(login.status, login.text).toBe(200);
  const auth = { authorization: `Bearer ${login.json.token}` };
  return {
    get: (path: string) => http(lsp(path), { headers: auth }),
    post: (path: string, body: unknown) => http(lsp(path), { body, headers: auth }),
  };
}

describe('the consent profile across processes', () => {
  it('lets a named-organisation objection override a category-level consent', async () => {
    const bsn = freshBsn();
    await pharmacyPatient(A, bsn, 'Metformine A');
    await pharmacyPatient(B, bsn, 'Metformine B');
    await registerAt(A, bsn, 'MEDVERSTREKKING');
    await registerAt(B, bsn, 'MEDVERSTREKKING');
    const me = await portal(bsn);
    // Consent for all community pharmacies: in force at once (a category, no single holder to process it).
    const category = await me.post('/portal/choices', {
      state: 'consent',
      holder: { organisationType: 'J8' },
      category: 'MEDVERSTREKKING',
    });
    expect(category.status, category.text).toBe(201);
    const hap = await consult(HAP, bsn, COVERING_GP);
    let batch = (await http(`${t.url(HAP)}/consults/${hap}/medication`, { body: {} })).json;
    expect(sourceOf(batch, A)).toMatchObject({
      status: 'ok',
      decision: { code: 'CONSENT_GIVEN', consentRecordId: category.json.record.id },
    });
    expect(sourceOf(batch, B).status).toBe('ok');

    // Then an objection for pharmacy B: a request that B processes in its own system.
    const objection = await me.post('/portal/choices', { state: 'objection', holder: { ura: t.get(B).ura } });
    expect(objection.status).toBe(202);
    const pending = (await http(`${t.url(B)}/consent-requests`)).json.requests;
    expect(pending.map((r: any) => r.id)).toContain(objection.json.request.id);
    const processed = await http(`${t.url(B)}/consent-requests/${objection.json.request.id}/process`, {
      body: { accept: true },
    });
    expect(processed.status, processed.text).toBe(200);

    batch = (await http(`${t.url(HAP)}/consults/${hap}/medication`, { body: {} })).json;
    expect(sourceOf(batch, A)).toMatchObject({ status: 'ok', decision: { code: 'CONSENT_GIVEN' } });
    expect(sourceOf(batch, B)).toMatchObject({
      status: 'refused',
      contacted: false,
      decision: { code: 'CONSENT_OBJECTION', consentRecordId: processed.json.request.consentRecordId },
    });
    // The patient is told the holder changed the profile.
    expect((await me.get('/portal/profile')).json.notifications.map((n: any) => n.consentRecordId)).toContain(
      processed.json.request.consentRecordId,
    );
  });

  it('lets the GP process an online objection, after which the HAP no longer sees the summary', async () => {
    const bsn = freshBsn();
    await gpPatient(bsn);
    expect(
      (await http(`${t.url(GP)}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'consent' } })).status,
    ).toBe(200);
    const hap = await consult(HAP, bsn, COVERING_GP);
    expect(sourceOf((await http(`${t.url(HAP)}/consults/${hap}/summary`, { body: {} })).json, GP).status).toBe('ok');
    const objection = await (
      await portal(bsn)
    ).post('/portal/choices', { state: 'objection', holder: { ura: t.get(GP).ura }, category: 'WAARNEEMGEGEVENS' });
    expect(objection.status).toBe(202);
    const processed = await http(`${t.url(GP)}/consent-requests/${objection.json.request.id}/process`, {
      body: { accept: true },
    });
    expect(processed.status, processed.text).toBe(200);
    expect((await http(`${t.url(GP)}/patients/${bsn}/consent`)).json.state).toBe('objection');
    expect((await http(lsp(`/reference-index/${bsn}`))).json.entries).toEqual([]);
    expect(sourceOf((await http(`${t.url(HAP)}/consults/${hap}/summary`, { body: {} })).json, GP)).toMatchObject({
      status: 'refused',
      decision: { code: 'CONSENT_OBJECTION' },
    });
  });
});

describe('policies', () => {
  it('the stop button decides whether verbal consent on the spot shows the summary of a no-choice patient at the HAP', async () => {
    const bsn = freshBsn();
    await gpPatient(bsn);
    const hap = await consult(HAP, bsn, COVERING_GP);
    const summary = async (verbalConsent: boolean) =>
      (await http(`${t.url(HAP)}/consults/${hap}/summary`, { body: { verbalConsent } })).json;

    expect(sourceOf(await summary(true), GP)).toMatchObject({
      status: 'refused',
      contacted: false,
      decision: { code: 'CORONA_STOP_BUTTON' },
    });
    expect((await http(lsp('/admin/policies'), { method: 'PUT', body: { stopButton: false } })).json.stopButton).toBe(
      false,
    );
    try {
      const shown = sourceOf(await summary(true), GP);
      expect(shown).toMatchObject({ status: 'ok', decision: { code: 'CORONA_VERBAL_CONSENT' } });
      expect(shown.summary.openEpisodes.map((e: any) => e.icpc.code)).toContain('K78');
      expect(sourceOf(await summary(false), GP).decision.code).toBe('NO_CONSENT_RECORD');
    } finally {
      await http(lsp('/admin/policies'), { method: 'PUT', body: { stopButton: true } });
    }
    expect(sourceOf(await summary(true), GP).decision.code).toBe('CORONA_STOP_BUTTON');
    // The patient sees each of these requests in the portal, the refused ones included.
    const seen = (await (await portal(bsn)).get('/portal/access-log')).json.entries.map((e: any) => e.sources[0]?.code);
    expect(seen).toEqual(['CORONA_STOP_BUTTON', 'CORONA_VERBAL_CONSENT', 'NO_CONSENT_RECORD', 'CORONA_STOP_BUTTON']);
  });

  it('presumes consent at the SEH for an unconscious patient who never chose, and not for one who objected', async () => {
    const never = freshBsn();
    await gpPatient(never);
    // Findable through the practice's own opt-in registration, with no operator step.
    expect((await http(lsp(`/reference-index/${never}`))).json.entries).toMatchObject([
      { applicationId: t.get(GP).applicationId, reason: 'corona-opt-in' },
    ]);
    const c1 = await consult(SEH, never, SEH_DOCTOR, { situation: 'acute', patientCannotConsent: true });
    const b1 = (await http(`${t.url(SEH)}/consults/${c1}/summary`, { body: {} })).json;
    expect(sourceOf(b1, GP)).toMatchObject({ status: 'ok', decision: { code: 'PRESUMED_CONSENT' } });
    const log1 = (await http(lsp(`/access-log?bsn=${never}`))).json.entries.at(-1);
    expect(log1).toMatchObject({
      interaction: 'QUPC_IN990001NL',
      outcome: 'permitted',
      emergency: true,
      situation: 'acute',
      actingUzi: SEH_DOCTOR.uziNumber,
    });
    expect((await (await portal(never)).get('/portal/access-log')).json.entries.at(-1)).toMatchObject({
      emergency: true,
      requesterUra: t.get(SEH).ura,
    });

    const objected = freshBsn();
    await gpPatient(objected);
    expect(
      (await http(`${t.url(GP)}/patients/${objected}/consent`, { method: 'PUT', body: { state: 'objection' } })).status,
    ).toBe(200);
    const c2 = await consult(SEH, objected, SEH_DOCTOR, { situation: 'acute', patientCannotConsent: true });
    const b2 = (await http(`${t.url(SEH)}/consults/${c2}/summary`, { body: {} })).json;
    expect(sourceOf(b2, GP)).toMatchObject({
      status: 'refused',
      contacted: false,
      decision: { code: 'CONSENT_OBJECTION' },
    });
    const gpLog = await http(`${t.url(GP)}/query-log?bsn=${objected}`);
    expect(gpLog.status).toBe(200);
    expect(gpLog.json.entries).toEqual([]);
  });
});

describe('the corona opt-in at the practice', () => {
  it('makes a no-choice patient findable at the HAP only through the practice’s own opt-in registration, and withdraws it when the opt-in ends or the patient objects', async () => {
    const bsn = freshBsn();
    await gpPatient(bsn, OTHER_GP);
    const hap = await consult(HAP, bsn, COVERING_GP);
    const summary = (verbalConsent: boolean) =>
      http(`${t.url(HAP)}/consults/${hap}/summary`, { body: { verbalConsent } });
    // Het Anker has not joined: the patient never chose, so nobody registered them.
    expect((await summary(true)).json.code).toBe('UNKNOWN_PATIENT');

    const joined = await http(`${t.url(OTHER_GP)}/corona-opt-in`, { method: 'PUT', body: { joined: true } });
    expect(joined.json).toMatchObject({ joined: true, coronaOptIn: true, registered: 1 });
    expect((await http(lsp(`/reference-index/${bsn}`))).json.entries).toMatchObject([
      { applicationId: t.get(OTHER_GP).applicationId, reason: 'corona-opt-in' },
    ]);
    // Findable now, but shown only after verbal consent on the spot, and never with the stop button on (the default).
    expect(sourceOf((await summary(false)).json, OTHER_GP)).toMatchObject({
      status: 'refused',
      contacted: false,
      decision: { code: 'NO_CONSENT_RECORD' },
    });
    expect(sourceOf((await summary(true)).json, OTHER_GP)).toMatchObject({
      status: 'refused',
      contacted: false,
      decision: { code: 'CORONA_STOP_BUTTON' },
    });
    await http(lsp('/admin/policies'), { method: 'PUT', body: { stopButton: false } });
    try {
      expect(sourceOf((await summary(true)).json, OTHER_GP)).toMatchObject({
        status: 'ok',
        decision: { code: 'CORONA_VERBAL_CONSENT' },
      });
    } finally {
      await http(lsp('/admin/policies'), { method: 'PUT', body: { stopButton: true } });
    }

    // The operator ends the opt-in: the switch point tells the practices, which withdraw their entries.
    expect((await http(lsp('/admin/policies'), { method: 'PUT', body: { coronaOptIn: false } })).json.coronaOptIn).toBe(
      false,
    );
    try {
      expect((await http(lsp(`/reference-index/${bsn}`))).json.entries).toEqual([]);
      expect((await summary(true)).json.code).toBe('UNKNOWN_PATIENT');
    } finally {
      await http(lsp('/admin/policies'), { method: 'PUT', body: { coronaOptIn: true } });
    }
    expect((await http(lsp(`/reference-index/${bsn}`))).json.entries).toMatchObject([{ reason: 'corona-opt-in' }]);

    // The patient objects at the practice: withdrawn, and the batch says why.
    expect(
      (await http(`${t.url(OTHER_GP)}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'objection' } }))
        .status,
    ).toBe(200);
    expect((await http(lsp(`/reference-index/${bsn}`))).json.entries).toEqual([]);
    expect(sourceOf((await summary(true)).json, OTHER_GP)).toMatchObject({
      status: 'refused',
      decision: { code: 'CONSENT_OBJECTION' },
    });
    expect((await http(`${t.url(OTHER_GP)}/query-log?bsn=${bsn}`)).json.entries).toHaveLength(1);
  });
});

describe('consent does not oblige the GP to share (goed hulpverlenerschap)', () => {
  it('shows the SEH the practice as refused with the GP’s reason, while the post still gets the summary', async () => {
    const bsn = freshBsn();
    await gpPatient(bsn);
    expect(
      (await http(`${t.url(GP)}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'consent' } })).status,
    ).toBe(200);
    const reason = 'Lopend onderzoek naar huiselijk geweld; eerst contact met de eigen huisarts.';
    const decline = await http(`${t.url(GP)}/patients/${bsn}/sharing-declines`, {
      body: { scope: { organisationType: 'V4' }, reason, decidedBy: 'Dr. M. Jansen-Smit' },
    });
    expect(decline.status, decline.text).toBe(201);

    const seh = await consult(SEH, bsn, SEH_DOCTOR, { situation: 'acute' });
    const batch = (await http(`${t.url(SEH)}/consults/${seh}/summary`, { body: {} })).json;
    expect(sourceOf(batch, GP)).toMatchObject({
      status: 'refused',
      contacted: true,
      decision: {
        code: 'HOLDER_DECLINED',
        rule: expect.stringMatching(/^GP-SHARE-1/),
        explanation: expect.stringContaining(reason),
      },
    });
    expect(sourceOf(batch, GP).summary).toBeUndefined();
    expect(batch.complete).toBe(true);
    const hap = await consult(HAP, bsn, COVERING_GP);
    expect(sourceOf((await http(`${t.url(HAP)}/consults/${hap}/summary`, { body: {} })).json, GP)).toMatchObject({
      status: 'ok',
      decision: { code: 'CONSENT_GIVEN' },
    });
    // The patient sees the declined request too, with the practice's code.
    const seen = (await (await portal(bsn)).get('/portal/access-log')).json.entries;
    expect(seen[0].sources).toMatchObject([
      { applicationId: t.get(GP).applicationId, status: 'refused', code: 'HOLDER_DECLINED' },
    ]);
  });
});

describe('the ambulance service', () => {
  it('sees medication and the summary of an unconscious patient in acute care, nothing in regular care, and reports back to the GP', async () => {
    const bsn = freshBsn();
    await gpPatient(bsn);
    await pharmacyPatient(A, bsn, 'Acenocoumarol 1 mg');
    await registerAt(A, bsn, 'MEDVERSTREKKING');
    const acute = await consult(RAV, bsn, AMBULANCE_NURSE, { situation: 'acute', patientCannotConsent: true });
    const summary = (await http(`${t.url(RAV)}/consults/${acute}/summary`, { body: {} })).json;
    expect(sourceOf(summary, GP)).toMatchObject({ status: 'ok', decision: { code: 'PRESUMED_CONSENT' } });
    const medication = (await http(`${t.url(RAV)}/consults/${acute}/medication`, { body: {} })).json;
    expect(sourceOf(medication, A)).toMatchObject({ status: 'ok', decision: { code: 'PRESUMED_CONSENT' } });
    expect((await http(lsp(`/access-log?bsn=${bsn}`))).json.entries.at(-1)).toMatchObject({
      emergency: true,
      actingRole: '30.000',
      requesterUra: t.get(RAV).ura,
    });
    // The bachelor medisch hulpverlener of the same crew has the same acute-care rows.
    const byParamedic = await consult(RAV, bsn, PARAMEDIC, { situation: 'acute', patientCannotConsent: true });
    expect(
      sourceOf(
        (await http(`${t.url(RAV)}/consults/${byParamedic}/summary`, { body: {}, headers: await desk(RAV, PARAMEDIC) }))
          .json,
        GP,
      ),
    ).toMatchObject({ status: 'ok', decision: { rule: expect.stringMatching(/^POLICY-PRESUMED/) } });

    const regular = await consult(RAV, bsn, AMBULANCE_NURSE);
    const refused = await http(`${t.url(RAV)}/consults/${regular}/summary`, { body: {} });
    expect(refused.status).toBe(403);
    expect(refused.json.decision).toMatchObject({ code: 'PROTOCOL_NO_ROW' });

    // Feedback to the patient's own GP ("Met spoed beschikbaar"): the GP must have the patient registered.
    expect(
      (await http(`${t.url(GP)}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'consent' } })).status,
    ).toBe(200);
    const encounter = await http(`${t.url(RAV)}/consults/${acute}/encounter`, {
      method: 'PUT',
      body: {
        complaint: 'Bewusteloos aangetroffen',
        findings: 'EMV 3; INR onbekend',
        actions: 'Vervoerd naar SEH Sint Anna',
        handover: 'Antistolling: INR controleren',
      },
    });
    expect(encounter.status, encounter.text).toBe(200);
    const sent = await http(`${t.url(RAV)}/consults/${acute}/report`, { body: {} });
    expect(sent.status, sent.text).toBe(202);
    let state = '';
    for (let i = 0; i < 100 && state !== 'delivered'; i++) {
      state = (await http(`${t.url(RAV)}/reports/${sent.json.messageId}`)).json.state;
      if (state !== 'delivered') await new Promise((r) => setTimeout(r, 200));
    }
    expect(state).toBe('delivered');
    const inbox = (await http(`${t.url(GP)}/inbox`)).json;
    expect(JSON.stringify(inbox)).toContain(sent.json.messageId);
  });
});

describe('roles the protocol denies', () => {
  it('refuses an insurance doctor everything, and the patient sees the refusals in the portal', async () => {
    const bsn = freshBsn();
    await pharmacyPatient(A, bsn, 'Omeprazol');
    expect(
      (await http(`${t.url(A)}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'consent' } })).status,
    ).toBe(200);
    await gpPatient(bsn);
    expect(
      (await http(`${t.url(GP)}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'consent' } })).status,
    ).toBe(200);
    const c = await consult(HAP, bsn, INSURANCE_DOCTOR);
    for (const what of ['medication', 'summary']) {
      const r = await http(`${t.url(HAP)}/consults/${c}/${what}`, {
        body: {},
        headers: await desk(HAP, INSURANCE_DOCTOR),
      });
      expect(r.status, r.text).toBe(403);
      expect(r.json.decision).toMatchObject({ code: 'PROTOCOL_DENY', rule: expect.stringMatching(/^AP-DENY-1/) });
    }
    const covering = await consult(HAP, bsn, COVERING_GP);
    expect((await http(`${t.url(HAP)}/consults/${covering}/medication`, { body: {} })).status).toBe(200);

    const seen = (await (await portal(bsn)).get('/portal/access-log')).json.entries;
    expect(seen.map((e: any) => [e.interaction, e.outcome, e.code])).toEqual([
      ['QURX_IN990011NL', 'refused', 'PROTOCOL_DENY'],
      ['QUPC_IN990001NL', 'refused', 'PROTOCOL_DENY'],
      ['QURX_IN990011NL', 'permitted', 'PROTOCOL_ALLOW'],
    ]);
    expect(seen[0]).toMatchObject({
      actingUzi: INSURANCE_DOCTOR.uziNumber,
      actingRole: '01.048',
      requesterUra: t.get(HAP).ura,
    });
    expect(JSON.stringify(seen)).not.toContain('Omeprazol');
    const today = new Date().toISOString().slice(0, 10);
    expect((await (await portal(bsn)).get(`/portal/access-log?from=2000-01-01&to=2000-12-31`)).json.entries).toEqual(
      [],
    );
    expect((await (await portal(bsn)).get(`/portal/access-log?from=${today}&to=${today}`)).json.entries).toHaveLength(
      3,
    );
  });

  it('refuses an insurance doctor’s observation report with the rule, and logs it', async () => {
    const bsn = freshBsn();
    await gpPatient(bsn);
    expect(
      (await http(`${t.url(GP)}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'consent' } })).status,
    ).toBe(200);
    const c = await consult(HAP, bsn, INSURANCE_DOCTOR);
    expect(
      (
        await http(`${t.url(HAP)}/consults/${c}/encounter`, {
          method: 'PUT',
          headers: await desk(HAP, INSURANCE_DOCTOR),
          body: { complaint: 'Keuring', findings: '-', actions: '-' },
        })
      ).status,
    ).toBe(200);
    const sent = await http(`${t.url(HAP)}/consults/${c}/report`, {
      body: {},
      headers: await desk(HAP, INSURANCE_DOCTOR),
    });
    expect(sent.status, sent.text).toBe(202);
    let report: any;
    for (let i = 0; i < 60 && report?.state !== 'rejected'; i++) {
      report = (await http(`${t.url(HAP)}/reports/${sent.json.messageId}`)).json;
      if (report.state !== 'rejected') await new Promise((r) => setTimeout(r, 250));
    }
    expect(report).toMatchObject({ state: 'rejected', rejection: { code: 'PROTOCOL_DENY' } });
    const logged = (await http(lsp(`/access-log?bsn=${bsn}`))).json.entries.at(-1);
    expect(logged).toMatchObject({
      interaction: 'REPC_IN990003NL',
      outcome: 'refused',
      code: 'PROTOCOL_DENY',
      actingRole: '01.048',
    });
    expect(logged.explanation).toContain('AP-DENY-1');
    expect((await http(`${t.url(GP)}/inbox?bsn=${bsn}`)).json.reports).toEqual([]);
  });

  it('does not let the portal in without the test code, nor another patient’s session', async () => {
    const r = await http(lsp('/portal/login'), { body: { bsn: freshBsn(), code: 'wrong' } });
    expect(r.status).toBe(401);
    expect(r.json.code).toBe('PORTAL_LOGIN_FAILED');
    expect((await http(lsp('/portal/profile'))).json.code).toBe('PORTAL_LOGIN_REQUIRED');
  });
});

describe('the access log', () => {
  it('reports the first entry whose content was changed after it was written', async () => {
    expect((await http(lsp('/admin/access-log/verify'))).json).toMatchObject({ ok: true, firstBrokenId: null });
    const entries = (await http(lsp('/access-log?limit=5'))).json.entries;
    const victim = entries[1].id as number;
    const tamper = `UPDATE access_log SET outcome = 'permitted', code = 'PROTOCOL_ALLOW' WHERE id = ${victim}`;
    if (t.databaseUrl !== undefined) {
      // The PostgreSQL run: the switch point's schema in this topology's database.
      await onPostgres(t.databaseUrl, (query) => query(`SET search_path = ${t.switchPoint.id}; ${tamper}`));
    } else {
      const db = new Database(join(t.dataDir, `${t.switchPoint.id}.sqlite`));
      try {
        db.prepare(tamper).run();
      } finally {
        db.close();
      }
    }
    const verdict = (await http(lsp('/admin/access-log/verify'))).json;
    expect(verdict).toMatchObject({ ok: false, firstBrokenId: victim, reason: expect.stringContaining('changed') });
  });
});
