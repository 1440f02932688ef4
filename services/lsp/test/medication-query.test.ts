import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryBatch } from '@schakel/contracts';
import { freshBsn } from '@schakel/topology';
import { GP_AT_HAP, HAP, startSwitchPoint } from './helpers.js';

let sp: Awaited<ReturnType<typeof startSwitchPoint>>;
let a: Awaited<ReturnType<typeof sp.pharmacy>>;
let b: Awaited<ReturnType<typeof sp.pharmacy>>;

/** The HAP's query, signed by the professional it names (unless `as` names another signer). */
async function query(
  bsn: string,
  over: {
    requester?: { applicationId: string; professional: { uziNumber: string; roleCode: string } };
    treatmentRelation?: boolean;
    from?: string;
  } = {},
) {
  const requester = over.requester ?? { applicationId: HAP.applicationId, professional: GP_AT_HAP };
  const headers = await sp.assertion({ ...requester.professional, ura: HAP.ura, name: 'Test' }, bsn);
  const r = await sp.hap.http(
    'POST',
    '/queries/medication',
    { bsn, requester, treatmentRelation: true, ...over },
    headers,
  );
  return { statusCode: r.status, json: () => r.json };
}

async function patientAt(pharmacy: typeof a, bsn: string, consent?: 'consent' | 'objection') {
  await pharmacy.app.inject({
    method: 'PUT',
    url: `/patients/${bsn}`,
    payload: { name: 'Test Patiënt', birthDate: '1950-01-01' },
  });
  await pharmacy.app.inject({
    method: 'POST',
    url: `/patients/${bsn}/dispenses`,
    payload: {
      product: { name: 'Metoprolol 50 mg tablet', atc: 'C07AB02' },
      amount: { value: 30, unit: 'stuk' },
      dosageInstruction: '1x per dag 1 tablet',
      dispensedOn: '2026-11-01',
      prescriber: { name: 'Dr. X' },
    },
  });
  if (consent !== undefined) {
    const r = await pharmacy.app.inject({
      method: 'PUT',
      url: `/patients/${bsn}/consent`,
      payload: { state: consent },
    });
    expect(r.statusCode).toBe(200);
  }
}

async function lastLog(bsn: string) {
  return (await sp.admin.http('GET', `/access-log?bsn=${bsn}`)).json.entries.at(-1);
}

beforeAll(async () => {
  sp = await startSwitchPoint();
  a = await sp.pharmacy('200001', '02000001', 'Apotheek A');
  b = await sp.pharmacy('200002', '02000002', 'Apotheek B');
});
afterAll(async () => sp.close());

describe('POST /queries/medication', () => {
  it('returns one batch with the dispenses of every consented pharmacy', async () => {
    const bsn = freshBsn();
    await patientAt(a, bsn, 'consent');
    await patientAt(b, bsn, 'consent');
    const r = await query(bsn);
    expect(r.statusCode).toBe(200);
    const batch = r.json();
    expect(batch).toMatchObject({ interaction: 'QURX_IN990013NL', batch: 'MCCI_IN200101', bsn, complete: true });
    expect(batch.sources.map((s: { status: string }) => s.status)).toEqual(['ok', 'ok']);
    expect(batch.sources[0].dispenses[0].product.name).toBe('Metoprolol 50 mg tablet');
    // Serialized without zod at run time: the batch must be exactly what the contract says, no more.
    expect(QueryBatch.parse(batch)).toStrictEqual(batch);
    expect(await lastLog(bsn)).toMatchObject({
      outcome: 'permitted',
      code: 'PROTOCOL_ALLOW',
      actingUzi: GP_AT_HAP.uziNumber,
      actingRole: '01.015',
      requesterUra: HAP.ura,
    });
  });

  it('does not ask a registered pharmacy the patient never gave consent to, and says why', async () => {
    const bsn = freshBsn();
    await patientAt(a, bsn, 'consent');
    await patientAt(b, bsn);
    // B registered without a consent record at the switch point (a holder that skipped the consent step)
    await b.me.lsp.register(bsn, 'MEDVERSTREKKING', '200002');
    const batch = (await query(bsn)).json();
    const entryB = batch.sources.find((s: { applicationId: string }) => s.applicationId === '200002');
    expect(entryB).toMatchObject({ status: 'refused', contacted: false, decision: { code: 'NO_CONSENT_RECORD' } });
    const log = (await b.app.inject({ url: `/query-log?bsn=${bsn}` })).json();
    expect(log.entries).toEqual([]);
  });

  it('refuses a pharmacy with an objection recorded at the switch point even while it is still registered', async () => {
    const bsn = freshBsn();
    await patientAt(a, bsn, 'consent');
    await patientAt(b, bsn, 'consent');
    const objection = await sp.admin.lsp.recordConsent(bsn, '02000002', {
      state: 'objection',
      recordedBy: '200002',
      channel: 'portal',
    });
    const batch = (await query(bsn)).json();
    const entryB = batch.sources.find((s: { applicationId: string }) => s.applicationId === '200002');
    expect(entryB).toMatchObject({
      status: 'refused',
      contacted: false,
      decision: { code: 'CONSENT_OBJECTION', consentRecordId: objection.id },
    });
    expect((await lastLog(bsn)).sources).toContainEqual({
      applicationId: '200002',
      status: 'refused',
      code: 'CONSENT_OBJECTION',
    });
  });

  it('answers no-data for a consented pharmacy without dispenses in the period', async () => {
    const bsn = freshBsn();
    await patientAt(a, bsn, 'consent');
    const batch = (await query(bsn, { from: '2026-11-02' })).json();
    expect(batch.sources[0]).toMatchObject({ status: 'no-data', contacted: true });
  });

  it('refuses a system with a valid certificate that is not in the address book, and logs it', async () => {
    const bsn = freshBsn();
    const stranger = await sp.system({
      id: 'stranger',
      name: 'Onbekend',
      ura: '09000009',
      applicationId: '999999',
      organisationType: 'N6',
    });
    const headers = await sp.assertion({ ...GP_AT_HAP, ura: '09000009' }, bsn);
    const r = await stranger.http(
      'POST',
      '/queries/medication',
      { bsn, requester: { applicationId: '999999', professional: GP_AT_HAP }, treatmentRelation: true },
      headers,
    );
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({ code: 'UNKNOWN_SYSTEM', hl7: 'NAT', decision: { code: 'UNKNOWN_SYSTEM' } });
    expect(await lastLog(bsn)).toMatchObject({
      outcome: 'refused',
      code: 'UNKNOWN_SYSTEM',
      requesterApplicationId: '999999',
    });
  });

  it('refuses a query in the name of another system than the client certificate', async () => {
    const bsn = freshBsn();
    const r = await query(bsn, { requester: { applicationId: '200001', professional: GP_AT_HAP } });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({
      code: 'CLIENT_NOT_ALLOWED',
      decision: { rule: expect.stringMatching(/^TRUST-1/) },
    });
    expect((await lastLog(bsn)).code).toBe('CLIENT_NOT_ALLOWED');
  });

  it('refuses a request without a treatment relation', async () => {
    const bsn = freshBsn();
    const r = await query(bsn, { treatmentRelation: false });
    expect(r.statusCode).toBe(403);
    expect(r.json().decision.code).toBe('NO_TREATMENT_RELATION');
    expect((await lastLog(bsn)).code).toBe('NO_TREATMENT_RELATION');
  });

  it('refuses an occupational doctor whatever the organisation, naming the protocol row', async () => {
    const bsn = freshBsn();
    const r = await query(bsn, {
      requester: { applicationId: HAP.applicationId, professional: { uziNumber: '900000002', roleCode: '01.008' } },
    });
    expect(r.statusCode).toBe(403);
    expect(r.json().decision).toMatchObject({ code: 'PROTOCOL_DENY', rule: expect.stringMatching(/^AP-DENY-1/) });
    expect(await lastLog(bsn)).toMatchObject({ outcome: 'refused', code: 'PROTOCOL_DENY', actingRole: '01.008' });
  });

  it('refuses a role no protocol row allows', async () => {
    const bsn = freshBsn();
    const r = await query(bsn, {
      requester: { applicationId: HAP.applicationId, professional: { uziNumber: '900000003', roleCode: '30.000' } },
    });
    expect(r.statusCode).toBe(403);
    expect(r.json().decision.code).toBe('PROTOCOL_NO_ROW');
  });

  it('answers UNKNOWN_PATIENT (KEY204) for a BSN nobody registered, and logs the refusal', async () => {
    const bsn = freshBsn();
    const r = await query(bsn);
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ code: 'UNKNOWN_PATIENT', hl7: 'KEY204' });
    expect(await lastLog(bsn)).toMatchObject({ outcome: 'refused', code: 'NOT_IN_INDEX' });
  });
});
