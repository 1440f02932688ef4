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

describe('the GP record front office', () => {
  it('keeps episodes with ICPC codes and closes one with an end date', async () => {
    const bsn = freshBsn();
    await newPatient(app, bsn);
    const e = await post(app, `/patients/${bsn}/episodes`, {
      title: 'Lage rugpijn',
      icpc: { code: 'L03', title: 'Lage rugklachten' },
      startDate: '2026-09-01',
    });
    expect(e).toMatchObject({ status: 'open', shielded: false, attention: false });
    const closed = await app.inject({
      method: 'PATCH',
      url: `/patients/${bsn}/episodes/${e.id}`,
      payload: { endDate: '2026-11-01' },
    });
    expect(closed.json()).toMatchObject({ status: 'closed', endDate: '2026-11-01', title: 'Lage rugpijn' });
    const reopened = await app.inject({
      method: 'PATCH',
      url: `/patients/${bsn}/episodes/${e.id}`,
      payload: { endDate: null },
    });
    expect(reopened.json().status).toBe('open');
    const early = await app.inject({
      method: 'PATCH',
      url: `/patients/${bsn}/episodes/${e.id}`,
      payload: { endDate: '2026-01-01' },
    });
    expect(early.statusCode).toBe(409);
  });

  it('refuses a malformed ICPC code and a journal entry without any SOEP line, with the field', async () => {
    const bsn = freshBsn();
    await newPatient(app, bsn);
    const icpc = await app.inject({
      method: 'POST',
      url: `/patients/${bsn}/episodes`,
      payload: { title: 'X', icpc: { code: 'K8', title: 'X' }, startDate: '2026-01-01' },
    });
    expect(icpc.statusCode).toBe(400);
    expect(icpc.json()).toMatchObject({ field: 'body.icpc.code', expected: expect.stringContaining('ICPC') });
    const soep = await app.inject({ method: 'POST', url: `/patients/${bsn}/journal`, payload: { date: '2026-01-01' } });
    expect(soep.statusCode).toBe(400);
    expect(soep.json().field).toBe('body.S');
  });

  it('links items to an episode of the same patient only', async () => {
    const bsn = freshBsn();
    const other = freshBsn();
    await newPatient(app, bsn);
    await newPatient(app, other);
    const e = await post(app, `/patients/${other}/episodes`, {
      title: 'Astma',
      icpc: { code: 'R96', title: 'Astma' },
      startDate: '2020-01-01',
    });
    const r = await app.inject({
      method: 'POST',
      url: `/patients/${bsn}/journal`,
      payload: { date: '2026-01-01', episodeId: e.id, S: 'benauwd' },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().field).toBe('body.episodeId');
  });

  it('answers 404 for the record of a patient the practice does not know', async () => {
    const r = await app.inject({
      method: 'POST',
      url: `/patients/${freshBsn()}/allergies`,
      payload: { kind: 'allergy', substance: 'Noten', recordedOn: '2026-01-01' },
    });
    expect(r.statusCode).toBe(404);
    expect(r.json().code).toBe('NOT_FOUND');
  });

  it('lists each kind newest first and keeps the address with the patient', async () => {
    const bsn = freshBsn();
    const address = { street: 'Lindelaan', houseNumber: '12a', postalCode: '3512 AB', city: 'Utrecht' };
    expect(
      (
        await app.inject({
          method: 'PUT',
          url: `/patients/${bsn}`,
          payload: { name: 'Henk Mulder', birthDate: '1944-01-01', address },
        })
      ).statusCode,
    ).toBe(201);
    expect((await app.inject(`/patients/${bsn}`)).json()).toEqual({
      bsn,
      name: 'Henk Mulder',
      birthDate: '1944-01-01',
      address,
    });
    await post(app, `/patients/${bsn}/measurements`, {
      date: '2026-01-01',
      name: 'Gewicht',
      loinc: '29463-7',
      value: 81,
      unit: 'kg',
    });
    await post(app, `/patients/${bsn}/measurements`, {
      date: '2026-06-01',
      name: 'Gewicht',
      loinc: '29463-7',
      value: 79.5,
      unit: 'kg',
    });
    const list = (await app.inject(`/patients/${bsn}/measurements`)).json().items;
    expect(list.map((m: { value: number }) => m.value)).toEqual([79.5, 81]);
  });
});

describe('PUT /patients/:bsn/consent', () => {
  it('changes nothing locally when the switch point cannot be reached, so the call can be repeated', async () => {
    const bsn = freshBsn();
    await newPatient(app, bsn);
    const r = await app.inject({ method: 'PUT', url: `/patients/${bsn}/consent`, payload: { state: 'consent' } });
    expect(r.statusCode).toBe(502);
    expect(r.json().code).toBe('UPSTREAM_UNREACHABLE');
    expect((await app.inject(`/patients/${bsn}/consent`)).json()).toMatchObject({
      bsn,
      state: 'no-choice',
      recordedAt: null,
    });
  });
});

describe('GET /openapi.json', () => {
  it('documents the record, the summary leg and the disclosure register from their schemas', async () => {
    const r = await app.inject('/openapi.json');
    expect(r.statusCode).toBe(200);
    const doc = r.json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/patients/{bsn}/episodes',
        '/patients/{bsn}/journal',
        '/patients/{bsn}/treatment-limits',
        '/lsp/summary-queries',
        '/patients/{bsn}/disclosure-requests',
        '/disclosure-requests/{id}/disclosure',
      ]),
    );
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        'ProfessionalSummary',
        'SourceSummaryAnswer',
        'NewJournalEntryInput',
        'Disclosure',
        'DisclosureBasis',
      ]),
    );
    expect(JSON.stringify(doc)).toContain('QUPC_IN990001NL');
  });
});
