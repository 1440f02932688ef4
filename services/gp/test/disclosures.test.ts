import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshBsn } from '@schakel/topology';
import type { App } from '@schakel/service-kit';
import { gpApp, newPatient, post } from './helpers.js';

let gp: Awaited<ReturnType<typeof gpApp>>;
let app: App;
beforeAll(async () => {
  gp = await gpApp();
  app = gp.app;
});
afterAll(async () => gp.close());

const written = (questions = [{ text: 'Welke diagnose is bij betrokkene gesteld?', kind: 'diagnosis' }]) => ({
  form: 'written',
  receivedOn: '2026-11-20',
  requester: { name: 'M. Jansen', organisation: 'Gemeente Utrecht, sociaal wijkteam', kind: 'gemeente' },
  purpose: 'Beoordeling aanvraag huishoudelijke hulp (Wmo)',
  questions,
});
const consent = {
  type: 'consent',
  explicit: true,
  informed: true,
  targeted: true,
  givenOn: '2026-11-21',
  formReference: 'scan-2026-118',
};
/** The five conditions of a conflict of duties, each recorded as holding. */
const allFive = {
  consentSought: { met: true, how: 'Twee gesprekken; de patiënt weigert' },
  distressOfConscience: { met: true, how: 'Zwijgen laat een kind in gevaar' },
  noOtherWay: { met: true, how: 'Veilig Thuis kan zonder deze gegevens niet handelen' },
  seriousHarmToAnother: { met: true, how: 'Ernstige mishandeling van het kind' },
  harmPreventedNearlyCertain: { met: true, how: 'Melding leidt direct tot bescherming' },
};
const answer = (questionId = 'q1') => ({
  medicalNecessity: 'Alleen de diagnose is nodig om de aanvraag te beoordelen; verder niets.',
  disclosedBy: 'Dr. P. de Graaf',
  answers: [{ questionId, answer: 'Artrose van beide knieën (L90), sinds 2019.', data: ['episode L90 Artrose knie'] }],
});

async function requestFor(bsn: string, body: unknown = written()) {
  const r = await app.inject({ method: 'POST', url: `/patients/${bsn}/disclosure-requests`, payload: body as object });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

describe('the register of disclosures to non-care providers', () => {
  it('refuses an oral request with a stable reason and registers nothing', async () => {
    const bsn = freshBsn();
    await newPatient(app, bsn);
    const r = await app.inject({
      method: 'POST',
      url: `/patients/${bsn}/disclosure-requests`,
      payload: { ...written(), form: 'telephone' },
    });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({
      code: 'NOT_AUTHORISED',
      decision: { code: 'REQUEST_NOT_WRITTEN', rule: expect.stringMatching(/^DR-FORM-1/) },
    });
    expect((await app.inject(`/patients/${bsn}/disclosure-requests`)).json().requests).toEqual([]);
  });

  it('lets the GP decline a whole request despite valid consent, with a reason, after which nothing can be disclosed (DR-DECLINE-1)', async () => {
    const bsn = freshBsn();
    await newPatient(app, bsn);
    const req = await requestFor(bsn);
    expect(
      (await app.inject({ method: 'PUT', url: `/disclosure-requests/${req.id}/basis`, payload: consent })).statusCode,
    ).toBe(200);
    const reason =
      'Het wijkteam vraagt meer dan voor de Wmo-aanvraag nodig is; patiënte is in crisis en wordt eerst zelf gehoord.';
    const d = await app.inject({
      method: 'POST',
      url: `/disclosure-requests/${req.id}/decline`,
      payload: { reason, declinedBy: 'Dr. P. de Graaf' },
    });
    expect(d.statusCode, d.body).toBe(200);
    expect(d.json()).toMatchObject({
      status: 'declined',
      basis: { type: 'consent' },
      declined: {
        reason,
        declinedBy: 'Dr. P. de Graaf',
        decision: { code: 'GP_DECLINED', rule: expect.stringMatching(/^DR-DECLINE-1/) },
      },
    });
    const r = await app.inject({ method: 'POST', url: `/disclosure-requests/${req.id}/disclosure`, payload: answer() });
    expect(r.statusCode).toBe(403);
    expect(r.json().decision).toMatchObject({ code: 'GP_DECLINED', explanation: expect.stringContaining(reason) });
    expect(
      (await app.inject({ method: 'PUT', url: `/disclosure-requests/${req.id}/basis`, payload: consent })).statusCode,
    ).toBe(409);
    expect((await app.inject(`/patients/${bsn}/disclosures`)).json().disclosures).toEqual([]);
  });

  it('refuses to answer a request without consent or legal ground', async () => {
    const bsn = freshBsn();
    await newPatient(app, bsn);
    const req = await requestFor(bsn);
    const r = await app.inject({ method: 'POST', url: `/disclosure-requests/${req.id}/disclosure`, payload: answer() });
    expect(r.statusCode).toBe(403);
    expect(r.json().decision.code).toBe('NO_CONSENT_OR_LEGAL_GROUND');
    expect((await app.inject(`/patients/${bsn}/disclosures`)).json().disclosures).toEqual([]);
  });

  it('refuses consent that is not explicit, informed and targeted, and a conflict of duties without its five conditions', async () => {
    const bsn = freshBsn();
    await newPatient(app, bsn);
    const req = await requestFor(bsn);
    const vague = await app.inject({
      method: 'PUT',
      url: `/disclosure-requests/${req.id}/basis`,
      payload: { ...consent, targeted: false },
    });
    expect(vague.statusCode).toBe(403);
    expect(vague.json().decision).toMatchObject({
      code: 'CONSENT_NOT_VALID',
      explanation: expect.stringContaining('targeted'),
    });
    const conflictOfDuties = await app.inject({
      method: 'PUT',
      url: `/disclosure-requests/${req.id}/basis`,
      payload: {
        type: 'legal-ground',
        ground: 'conflict-of-duties',
        explanation: 'Dreiging richting derden',
        conflictOfDuties: { ...allFive, noOtherWay: { met: false, how: 'De politie kan het zelf navragen' } },
      },
    });
    expect(conflictOfDuties.statusCode).toBe(403);
    expect(conflictOfDuties.json().decision).toMatchObject({
      code: 'CONFLICT_OF_DUTIES_CONDITIONS_UNMET',
      explanation: expect.stringContaining('noOtherWay'),
    });
    expect((await app.inject(`/disclosure-requests/${req.id}`)).json().status).toBe('received');
  });

  it('marks a prognosis question as not answerable and refuses an answer to it', async () => {
    const bsn = freshBsn();
    await newPatient(app, bsn);
    const req = await requestFor(
      bsn,
      written([
        { text: 'Welke diagnose is gesteld?', kind: 'diagnosis' },
        { text: 'Wat is de prognose; zal betrokkene binnen een jaar herstellen?', kind: 'prognosis' },
      ]),
    );
    expect(
      req.questions.map((q: { answerable: boolean; assessment: { code: string } }) => [
        q.answerable,
        q.assessment.code,
      ]),
    ).toEqual([
      [true, 'TARGETED_FACTUAL_QUESTION'],
      [false, 'PROGNOSIS_NOT_ANSWERED'],
    ]);
    expect(
      (await app.inject({ method: 'PUT', url: `/disclosure-requests/${req.id}/basis`, payload: consent })).statusCode,
    ).toBe(200);
    const r = await app.inject({
      method: 'POST',
      url: `/disclosure-requests/${req.id}/disclosure`,
      payload: answer('q2'),
    });
    expect(r.statusCode).toBe(403);
    expect(r.json().decision.code).toBe('PROGNOSIS_NOT_ANSWERED');

    // Answering the factual question records the prognosis question as refused, with its reason.
    const ok = await app.inject({
      method: 'POST',
      url: `/disclosure-requests/${req.id}/disclosure`,
      payload: answer('q1'),
    });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().refusedQuestions).toMatchObject([
      { questionId: 'q2', reason: { code: 'PROGNOSIS_NOT_ANSWERED' } },
    ]);
  });

  it('records every disclosure in the patient’s record: which data, purpose, to whom, when, basis, necessity; and that the patient was informed', async () => {
    const bsn = freshBsn();
    await newPatient(app, bsn);
    const req = await requestFor(bsn);
    await app.inject({ method: 'PUT', url: `/disclosure-requests/${req.id}/basis`, payload: consent });
    const d = await post(app, `/disclosure-requests/${req.id}/disclosure`, answer());
    expect(d).toMatchObject({
      requestId: req.id,
      bsn,
      to: { organisation: 'Gemeente Utrecht, sociaal wijkteam', kind: 'gemeente' },
      purpose: 'Beoordeling aanvraag huishoudelijke hulp (Wmo)',
      basis: { type: 'consent', formReference: 'scan-2026-118' },
      medicalNecessity: expect.stringContaining('Alleen de diagnose'),
      answers: [{ questionId: 'q1', data: ['episode L90 Artrose knie'] }],
      disclosedBy: 'Dr. P. de Graaf',
    });
    expect(d.disclosedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(d.patientInformed).toBeUndefined();
    expect(
      (await app.inject({ method: 'POST', url: `/disclosure-requests/${req.id}/disclosure`, payload: answer() }))
        .statusCode,
    ).toBe(409);

    const informed = await app.inject({
      method: 'PUT',
      url: `/disclosures/${d.id}/patient-informed`,
      payload: { on: '2026-11-25', how: 'brief' },
    });
    expect(informed.json().patientInformed).toMatchObject({ on: '2026-11-25', how: 'brief' });
    const list = (await app.inject(`/patients/${bsn}/disclosures`)).json().disclosures;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: d.id, patientInformed: { how: 'brief' } });
    expect((await app.inject(`/disclosure-requests/${req.id}`)).json()).toMatchObject({
      status: 'answered',
      disclosureId: d.id,
    });
  });

  it('answers on a legal ground such as a notifiable infectious disease, and still records it', async () => {
    const bsn = freshBsn();
    await newPatient(app, bsn);
    const req = await requestFor(bsn, {
      ...written([{ text: 'Is bij betrokkene tuberculose vastgesteld, en wanneer?', kind: 'factual' }]),
      requester: { name: 'Arts infectieziektebestrijding', organisation: 'GGD Regio Utrecht', kind: 'overig' },
      purpose: 'Bron- en contactonderzoek',
    });
    const basis = await app.inject({
      method: 'PUT',
      url: `/disclosure-requests/${req.id}/basis`,
      payload: {
        type: 'legal-ground',
        ground: 'statutory-duty',
        explanation: 'Meldingsplicht groep B1-infectieziekte, Wet publieke gezondheid art. 22',
      },
    });
    expect(basis.json()).toMatchObject({ status: 'basis-recorded', basis: { ground: 'statutory-duty' } });
    const d = await post(app, `/disclosure-requests/${req.id}/disclosure`, {
      ...answer(),
      patientInformed: { on: '2026-11-22', how: 'telefonisch' },
    });
    expect(d.basis).toMatchObject({ type: 'legal-ground', ground: 'statutory-duty' });
    expect(d.patientInformed.how).toBe('telefonisch');
  });

  describe('legal grounds that break secrecy', () => {
    async function basisFor(payload: object) {
      const bsn = freshBsn();
      await newPatient(app, bsn);
      const req = await requestFor(bsn);
      const r = await app.inject({ method: 'PUT', url: `/disclosure-requests/${req.id}/basis`, payload });
      return { req, r };
    }
    const conflict = (conditions: object) => ({
      type: 'legal-ground',
      ground: 'conflict-of-duties',
      explanation: 'Vermoeden van kindermishandeling',
      conflictOfDuties: conditions,
    });

    it('accepts a conflict of duties when all five conditions hold, and keeps each as recorded', async () => {
      const { r } = await basisFor(conflict(allFive));
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().basis.conflictOfDuties).toEqual(allFive);
    });

    for (const [key, words] of [
      ['consentSought', 'consent first'],
      ['distressOfConscience', 'distress of conscience'],
      ['noOtherWay', 'no other way'],
      ['seriousHarmToAnother', 'serious harm to another'],
      ['harmPreventedNearlyCertain', 'near-certain'],
    ] as const) {
      it(`refuses a conflict of duties when “${words}” is not met, and when it is not recorded at all (${key})`, async () => {
        const notMet = await basisFor(conflict({ ...allFive, [key]: { met: false, how: 'nee' } }));
        expect(notMet.r.statusCode).toBe(403);
        expect(notMet.r.json()).toMatchObject({
          code: 'NOT_AUTHORISED',
          decision: { code: 'CONFLICT_OF_DUTIES_CONDITIONS_UNMET', rule: expect.stringMatching(/^DR-BASIS-2/) },
        });
        expect(notMet.r.json().decision.explanation).toContain(words);
        const { [key]: _left, ...four } = allFive;
        const missing = await basisFor(conflict(four));
        expect(missing.r.statusCode).toBe(403);
        expect(missing.r.json().decision.explanation).toContain(key);
        expect((await app.inject(`/disclosure-requests/${missing.req.id}`)).json().status).toBe('received');
      });
    }

    const weighty = {
      type: 'legal-ground',
      ground: 'weighty-interest',
      explanation: 'Gevaar voor een medeweggebruiker',
      weightyInterest: {
        interest: 'De veiligheid van een ander in het verkeer',
        weighing: 'Het belang van die veiligheid weegt hier zwaarder dan het beroepsgeheim',
        consentSought: { met: true, how: 'Gevraagd op het spreekuur; geweigerd' },
      },
    };
    it('accepts a weighty interest weighed against secrecy, without the serious-harm criterion (DR-BASIS-3)', async () => {
      const { r } = await basisFor(weighty);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().basis).toMatchObject({ ground: 'weighty-interest', weightyInterest: weighty.weightyInterest });
    });
    for (const [what, change] of [
      ['unnamed', { interest: undefined }],
      ['not weighed', { weighing: ' ' }],
      ['without consent sought first', { consentSought: { met: false, how: 'niet gevraagd' } }],
    ] as const) {
      it(`refuses a weighty interest ${what} (WEIGHTY_INTEREST_NOT_WEIGHED)`, async () => {
        const { r } = await basisFor({ ...weighty, weightyInterest: { ...weighty.weightyInterest, ...change } });
        expect(r.statusCode).toBe(403);
        expect(r.json().decision).toMatchObject({
          code: 'WEIGHTY_INTEREST_NOT_WEIGHED',
          rule: expect.stringMatching(/^DR-BASIS-3/),
        });
      });
    }

    it('refuses to answer on a legal ground until the patient’s information is recorded, then names the data given', async () => {
      const { req, r } = await basisFor(weighty);
      expect(r.statusCode).toBe(200);
      const silent = await app.inject({
        method: 'POST',
        url: `/disclosure-requests/${req.id}/disclosure`,
        payload: answer(),
      });
      expect(silent.statusCode).toBe(403);
      expect(silent.json().decision).toMatchObject({
        code: 'PATIENT_INFORMATION_NOT_RECORDED',
        rule: expect.stringMatching(/^DR-INFORM-1/),
      });
      const d = await post(app, `/disclosure-requests/${req.id}/disclosure`, {
        ...answer(),
        patientNotInformed: { reason: 'Informeren brengt de ander in gevaar' },
      });
      expect(d.patientNotInformed).toEqual({ reason: 'Informeren brengt de ander in gevaar' });
      expect(d.answers[0].data).toEqual(['episode L90 Artrose knie']);
    });
  });
});
