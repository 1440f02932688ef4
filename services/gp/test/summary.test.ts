import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshBsn } from '@schakel/topology';
import type { App } from '@schakel/service-kit';
import { gpApp, newPatient, post, REQUESTER } from './helpers.js';

// The practice's clock is pinned, so the four-month window is exact.
const TODAY = '2026-11-29';
let gp: Awaited<ReturnType<typeof gpApp>>;
let app: App;
beforeAll(async () => {
  gp = await gpApp({ now: () => new Date(`${TODAY}T10:00:00Z`) });
  app = gp.app;
});
afterAll(async () => gp.close());

const summaryOf = async (bsn: string) => {
  const r = await app.inject({ method: 'POST', url: '/lsp/summary-queries', payload: { bsn, requester: REQUESTER } });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
};
const prescriber = { name: 'Dr. P. de Graaf', agb: '01099999' };

describe('POST /lsp/summary-queries (QUPC_IN990001NL)', () => {
  it('answers the professional summary: open episodes, current medication, allergies, notes and treatment limits', async () => {
    const bsn = freshBsn();
    await newPatient(app, bsn);
    const dm = await post(app, `/patients/${bsn}/episodes`, {
      title: 'Diabetes mellitus type 2',
      icpc: { code: 'T90.02', title: 'Diabetes mellitus type 2' },
      startDate: '2019-04-01',
    });
    await post(app, `/patients/${bsn}/episodes`, {
      title: 'Acute bronchitis',
      icpc: { code: 'R78', title: 'Acute bronchitis/bronchiolitis' },
      startDate: '2025-01-10',
      endDate: '2025-02-01',
    });
    await post(app, `/patients/${bsn}/prescriptions`, {
      episodeId: dm.id,
      product: { name: 'Metformine 500 mg tablet', atc: 'A10BA02' },
      dosageInstruction: '2 maal per dag 1 tablet',
      startDate: '2019-04-01',
      prescriber,
    });
    await post(app, `/patients/${bsn}/prescriptions`, {
      product: { name: 'Amoxicilline 500 mg' },
      dosageInstruction: '3 maal per dag',
      startDate: '2025-01-10',
      endDate: '2025-01-17',
      prescriber,
    });
    await post(app, `/patients/${bsn}/allergies`, {
      kind: 'allergy',
      substance: 'Penicillines',
      atc: 'J01C',
      reaction: 'urticaria',
      severity: 'moderate',
      recordedOn: '2010-05-05',
    });
    await post(app, `/patients/${bsn}/contra-indications`, {
      description: 'Verminderde nierfunctie (eGFR 40)',
      recordedOn: '2026-03-01',
    });
    await post(app, `/patients/${bsn}/covering-notes`, {
      text: 'Woont alleen; dochter is contactpersoon (06-12345678).',
      recordedOn: '2026-06-01',
    });
    await post(app, `/patients/${bsn}/covering-notes`, {
      text: 'Verlopen notitie',
      recordedOn: '2025-01-01',
      validUntil: '2025-12-31',
    });
    await post(app, `/patients/${bsn}/treatment-limits`, {
      kind: 'niet-reanimeren',
      agreedOn: '2026-02-14',
      agreedWith: 'patiënt zelf',
    });

    const r = await summaryOf(bsn);
    expect(r.interaction).toBe('QUPC_IN990002NL');
    const s = r.summary;
    expect(s).toMatchObject({
      bsn,
      patient: { name: 'Gerda Smit' },
      practice: { ura: '01000009', name: 'Praktijk Test' },
      journalFrom: '2026-07-29',
    });
    expect(s.openEpisodes.map((e: { icpc: { code: string } }) => e.icpc.code)).toEqual(['T90.02']);
    expect(s.medication.map((p: { product: { name: string } }) => p.product.name)).toEqual([
      'Metformine 500 mg tablet',
    ]);
    expect(s.allergies[0]).toMatchObject({ substance: 'Penicillines', kind: 'allergy' });
    expect(s.contraIndications).toHaveLength(1);
    expect(s.coveringNotes.map((n: { text: string }) => n.text)).toEqual([
      'Woont alleen; dochter is contactpersoon (06-12345678).',
    ]);
    expect(s.treatmentLimits).toMatchObject([{ kind: 'niet-reanimeren' }]);
  });

  it('gives the journal of the last four months only, and the latest measurement of each kind even when older', async () => {
    const bsn = freshBsn();
    await newPatient(app, bsn);
    for (const date of ['2026-07-28', '2026-07-29', '2026-10-01', '2026-11-29'])
      await post(app, `/patients/${bsn}/journal`, { date, S: `klachten ${date}`, E: 'stabiel' });
    await post(app, `/patients/${bsn}/measurements`, {
      date: '2025-06-01',
      name: 'eGFR',
      loinc: '62238-1',
      value: 55,
      unit: 'ml/min/1,73m2',
    });
    await post(app, `/patients/${bsn}/measurements`, {
      date: '2026-01-01',
      name: 'eGFR',
      loinc: '62238-1',
      value: 48,
      unit: 'ml/min/1,73m2',
    });
    await post(app, `/patients/${bsn}/measurements`, {
      date: '2026-09-01',
      name: 'RR systolisch',
      loinc: '8480-6',
      value: 150,
      unit: 'mm[Hg]',
    });
    await post(app, `/patients/${bsn}/measurements`, {
      date: '2026-11-01',
      name: 'RR systolisch',
      loinc: '8480-6',
      value: 138,
      unit: 'mm[Hg]',
    });

    const s = (await summaryOf(bsn)).summary;
    expect(s.journal.map((j: { date: string }) => j.date)).toEqual(['2026-11-29', '2026-10-01', '2026-07-29']);
    expect(s.measurements.map((m: { date: string; value: number }) => `${m.date} ${m.value}`)).toEqual([
      '2026-11-01 138',
      '2026-09-01 150',
      '2026-01-01 48',
    ]);
  });

  it('follows a configured journal period', async () => {
    const short = await gpApp({ now: () => new Date(`${TODAY}T10:00:00Z`), journalMonths: 1 });
    try {
      const bsn = freshBsn();
      await newPatient(short.app, bsn);
      for (const date of ['2026-10-28', '2026-10-29', '2026-11-20'])
        await post(short.app, `/patients/${bsn}/journal`, { date, P: 'controle' });
      const r = await short.app.inject({
        method: 'POST',
        url: '/lsp/summary-queries',
        payload: { bsn, requester: REQUESTER },
      });
      expect(r.json().summary.journalFrom).toBe('2026-10-29');
      expect(r.json().summary.journal).toHaveLength(2);
    } finally {
      await short.close();
    }
  });

  it('never releases a shielded item, nor anything linked to a shielded episode', async () => {
    const bsn = freshBsn();
    await newPatient(app, bsn);
    const secret = await post(app, `/patients/${bsn}/episodes`, {
      title: 'Depressie',
      icpc: { code: 'P76', title: 'Depressie' },
      startDate: '2026-08-01',
      shielded: true,
    });
    await post(app, `/patients/${bsn}/journal`, {
      date: '2026-10-01',
      episodeId: secret.id,
      S: 'Somber-GEHEIM',
      P: 'sertraline',
    });
    await post(app, `/patients/${bsn}/prescriptions`, {
      episodeId: secret.id,
      product: { name: 'Sertraline-GEHEIM 50 mg', atc: 'N06AB06' },
      dosageInstruction: '1 maal per dag',
      startDate: '2026-08-01',
      prescriber,
    });
    await post(app, `/patients/${bsn}/allergies`, {
      kind: 'intolerance',
      substance: 'Latex-GEHEIM',
      recordedOn: '2020-01-01',
      shielded: true,
    });
    const note = await post(app, `/patients/${bsn}/covering-notes`, {
      text: 'Huiselijk geweld-GEHEIM',
      recordedOn: '2026-09-01',
    });
    // The patient asks to shield a note that was recorded open.
    const shield = await app.inject({
      method: 'PUT',
      url: `/patients/${bsn}/record-items/${note.id}/shielding`,
      payload: { shielded: true },
    });
    expect(shield.json()).toEqual({ id: note.id, kind: 'covering-note', shielded: true });
    await post(app, `/patients/${bsn}/journal`, { date: '2026-11-01', S: 'Verkouden', E: 'virale infectie' });

    const r = await app.inject({ method: 'POST', url: '/lsp/summary-queries', payload: { bsn, requester: REQUESTER } });
    expect(r.body).not.toContain('GEHEIM');
    expect(r.body).not.toContain(secret.id);
    expect(r.json().summary.journal.map((j: { S: string }) => j.S)).toEqual(['Verkouden']);
    // The practice itself still sees everything.
    const own = (await app.inject(`/patients/${bsn}/record`)).json();
    expect(JSON.stringify(own).match(/GEHEIM/g)).toHaveLength(4);
  });

  it('passes on the observation reports the GP processed, and the treatment limits they carry (Met spoed beschikbaar)', async () => {
    const bsn = freshBsn();
    await newPatient(app, bsn);
    const seh = {
      applicationId: '400001',
      ura: '04000001',
      organisationName: 'SEH Sint Anna Ziekenhuis',
      organisationType: 'V4',
    };
    const deliver = async (messageId: string, at: string, extra: object = {}) => {
      const body = {
        messageId,
        bsn,
        sender: seh,
        author: { uziNumber: '900000011', roleCode: '01.071', name: 'Dr. S. Yilmaz' },
        situation: 'acute',
        encounter: { at, complaint: `Gevallen ${messageId}`, actions: 'Heupfractuur uitgesloten', ...extra },
        writtenAt: at,
      };
      const r = await app.inject({ method: 'POST', url: '/lsp/observation-reports', payload: body });
      expect(r.json().acknowledgement, r.body).toBe('AA');
    };
    const processed = '8f0c2a52-6a34-4d8e-9d62-1c0f1a7b0001';
    const unprocessed = '8f0c2a52-6a34-4d8e-9d62-1c0f1a7b0002';
    const old = '8f0c2a52-6a34-4d8e-9d62-1c0f1a7b0003';
    await deliver(processed, '2026-11-20T23:10:00.000Z', {
      treatmentLimits: [{ kind: 'geen-ic-opname', agreedOn: '2026-11-20', agreedWith: 'patiënt zelf, op de SEH' }],
    });
    await deliver(unprocessed, '2026-11-25T02:00:00.000Z', {
      treatmentLimits: [{ kind: 'geen-beademing', agreedOn: '2026-11-25' }],
    });
    await deliver(old, '2025-03-01T12:00:00.000Z', {
      treatmentLimits: [{ kind: 'niet-reanimeren', agreedOn: '2025-03-01' }],
    });
    expect((await summaryOf(bsn)).summary).toMatchObject({ acuteCareFeedback: [], treatmentLimits: [] });

    for (const id of [processed, old])
      expect((await app.inject({ method: 'POST', url: `/inbox/${id}/processed` })).statusCode).toBe(200);
    const s = (await summaryOf(bsn)).summary;
    // The report of the journal period whole; its limits, and those of older processed reports, beside the GP's own.
    expect(s.acuteCareFeedback).toMatchObject([
      {
        messageId: processed,
        from: { organisationName: 'SEH Sint Anna Ziekenhuis', organisationType: 'V4' },
        situation: 'acute',
        encounter: { complaint: `Gevallen ${processed}` },
      },
    ]);
    expect(s.treatmentLimits).toMatchObject([
      {
        kind: 'geen-ic-opname',
        agreedWith: 'patiënt zelf, op de SEH',
        reportedIn: { messageId: processed, organisationName: 'SEH Sint Anna Ziekenhuis' },
      },
      { kind: 'niet-reanimeren', reportedIn: { messageId: old } },
    ]);
    expect(JSON.stringify(s)).not.toContain(unprocessed);
  });

  it('declines to share despite consent when the GP decided so, for one kind of requester or all, with the reason (GP-SHARE-1)', async () => {
    const bsn = freshBsn();
    await newPatient(app, bsn);
    await post(app, `/patients/${bsn}/episodes`, {
      title: 'Depressie',
      icpc: { code: 'P76', title: 'Depressie' },
      startDate: '2026-08-01',
    });
    const ask = async (requester: object) =>
      (await app.inject({ method: 'POST', url: '/lsp/summary-queries', payload: { bsn, requester } })).json();
    const seh = {
      ura: '04000001',
      organisationName: 'SEH Sint Anna Ziekenhuis',
      organisationType: 'V4',
      professional: { uziNumber: '900000011', roleCode: '01.071' },
    };

    const reason = 'Patiënt is in een psychose; overleg eerst telefonisch met de eigen huisarts (06-11112222).';
    const forSeh = await post(app, `/patients/${bsn}/sharing-declines`, {
      scope: { organisationType: 'V4' },
      reason,
      decidedBy: 'Dr. P. de Graaf',
    });
    expect(forSeh).toMatchObject({ bsn, scope: { organisationType: 'V4' }, withdrawnAt: null });
    const refused = await ask(seh);
    expect(refused).toEqual({
      interaction: 'QUPC_IN990002NL',
      summary: null,
      declined: {
        code: 'HOLDER_DECLINED',
        rule: expect.stringMatching(/^GP-SHARE-1/),
        explanation: expect.stringContaining(reason),
      },
    });
    // The covering GP at the post still gets it.
    expect((await ask({ ...REQUESTER, organisationType: 'N6' })).summary.openEpisodes).toHaveLength(1);

    // For everyone, then withdrawn both: shared again.
    const all = await post(app, `/patients/${bsn}/sharing-declines`, {
      scope: { all: true },
      reason: 'Tijdelijk niet delen',
      decidedBy: 'Dr. P. de Graaf',
    });
    expect((await ask(REQUESTER)).declined.explanation).toContain('Tijdelijk niet delen');
    for (const id of [forSeh.id, all.id])
      expect(
        (await app.inject({ method: 'DELETE', url: `/patients/${bsn}/sharing-declines/${id}` })).json().withdrawnAt,
      ).not.toBeNull();
    expect((await ask(seh)).summary.openEpisodes).toHaveLength(1);
    expect((await app.inject(`/patients/${bsn}/sharing-declines`)).json().declines).toHaveLength(2);
    expect(
      (await app.inject(`/query-log?bsn=${bsn}`))
        .json()
        .entries.map((e: { result: string }) => e.result)
        .filter((r: string) => r.startsWith('declined')),
    ).toHaveLength(2);
  });

  it('answers summary null for a patient it does not know, and logs every query', async () => {
    const bsn = freshBsn();
    expect((await summaryOf(bsn)).summary).toBeNull();
    const log = (await app.inject(`/query-log?bsn=${bsn}`)).json().entries;
    expect(log).toMatchObject([
      {
        interaction: 'QUPC_IN990001NL',
        requesterUra: '03000001',
        actingUzi: '900000001',
        actingRole: '01.015',
        result: 'unknown patient',
      },
    ]);
  });
});
