import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshBsn } from '@schakel/topology';
import { HAP, startSwitchPoint } from './helpers.js';

const put = (path: string, body?: unknown) => sp.admin.http('PUT', path, body);

let sp: Awaited<ReturnType<typeof startSwitchPoint>>;
beforeAll(async () => {
  sp = await startSwitchPoint();
});
afterAll(async () => sp.close());

describe('address book', () => {
  it('creates an entry once and updates it after', async () => {
    const body = {
      ura: '05000001',
      organisationName: 'Apotheek Test',
      organisationType: 'J8',
      baseUrl: 'https://127.0.0.1:1/',
      provides: ['MEDVERSTREKKING'],
    };
    const first = await put('/address-book/systems/500001', body);
    expect(first.status).toBe(201);
    expect(first.json.baseUrl).toBe('https://127.0.0.1:1');
    const again = await put('/address-book/systems/500001', { ...body, organisationName: 'Apotheek Test 2' });
    expect(again.status).toBe(200);
    expect((await sp.admin.http('GET', '/address-book/systems/500001')).json.organisationName).toBe('Apotheek Test 2');
  });

  it('refuses an unknown organisation type with the allowed values', async () => {
    const r = await put('/address-book/systems/500002', {
      ura: '05000002',
      organisationName: 'X',
      organisationType: 'ZZ',
      baseUrl: 'https://127.0.0.1:1',
    });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ field: 'body.organisationType', expected: expect.stringContaining('"J8"') });
  });
});

describe('reference index', () => {
  it('registers (MFMT_IN002101) idempotently and deregisters (MFMT_IN002103)', async () => {
    const bsn = freshBsn();
    await put('/address-book/systems/500003', {
      ura: '05000003',
      organisationName: 'Apotheek Index',
      organisationType: 'J8',
      baseUrl: 'https://127.0.0.1:1',
      provides: ['MEDVERSTREKKING'],
    });
    const holder = await sp.system({
      id: 'apotheek-index',
      name: 'Apotheek Index',
      ura: '05000003',
      applicationId: '500003',
      organisationType: 'J8',
    });
    const url = `/reference-index/${bsn}/MEDVERSTREKKING/500003`;
    expect((await holder.http('PUT', url)).status).toBe(201);
    expect((await holder.http('PUT', url)).status).toBe(200);
    expect((await sp.admin.http('GET', `/reference-index/${bsn}`)).json.entries).toHaveLength(1);
    expect((await holder.http('DELETE', url)).status).toBe(204);
    expect((await holder.http('DELETE', url)).status).toBe(204);
    expect((await sp.admin.http('GET', `/reference-index/${bsn}`)).json.entries).toEqual([]);
  });

  it('records why a holder registered: consent by default, or the corona opt-in, and the newest registration’s reason holds', async () => {
    const bsn = freshBsn();
    await put('/address-book/systems/500004', {
      ura: '05000004',
      organisationName: 'Praktijk Index',
      organisationType: 'Z3',
      baseUrl: 'https://127.0.0.1:1',
      provides: ['WAARNEEMGEGEVENS'],
    });
    const holder = await sp.system({
      id: 'praktijk-index',
      name: 'Praktijk Index',
      ura: '05000004',
      applicationId: '500004',
      organisationType: 'Z3',
    });
    const url = `/reference-index/${bsn}/WAARNEEMGEGEVENS/500004`;
    expect((await holder.http('PUT', url, { reason: 'corona-opt-in' })).json).toMatchObject({
      reason: 'corona-opt-in',
    });
    expect((await sp.admin.http('GET', `/reference-index/${bsn}`)).json.entries).toMatchObject([
      { reason: 'corona-opt-in' },
    ]);
    // The patient consented later: the same entry, now for consent.
    expect((await holder.http('PUT', url)).json).toMatchObject({ reason: 'consent' });
    expect((await sp.admin.http('GET', `/reference-index/${bsn}`)).json.entries).toMatchObject([{ reason: 'consent' }]);
    const bad = await holder.http('PUT', url, { reason: 'because' });
    expect(bad.status).toBe(400);
    expect(bad.json.field).toBe('body.reason');
  });

  it('lets a connected system read the policies in force', async () => {
    const r = await sp.hap.http('GET', '/policies');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ coronaOptIn: true, stopButton: true, presumedConsent: true });
  });

  it('refuses a registration by a system that is not in the address book', async () => {
    const r = await put(`/reference-index/${freshBsn()}/MEDVERSTREKKING/424242`);
    expect(r.status).toBe(403);
    expect(r.json.code).toBe('UNKNOWN_SYSTEM');
  });

  it('refuses an index entry for a system the switch point could never reach (no base URL)', async () => {
    // The HAP is in the address book without a base URL: it consumes, it holds no data.
    const r = await sp.hap.http('PUT', `/reference-index/${freshBsn()}/MEDVERSTREKKING/${HAP.applicationId}`);
    expect(r.status).toBe(409);
    expect(r.json).toMatchObject({ code: 'CONFLICT', field: 'address-book.baseUrl' });
  });

  it('refuses a system that registers in the name of another system', async () => {
    const r = await sp.hap.http('PUT', `/reference-index/${freshBsn()}/MEDVERSTREKKING/200001`);
    expect(r.status).toBe(403);
    expect(r.json.code).toBe('CLIENT_NOT_ALLOWED');
  });

  it('refuses a BSN failing the 11-proef and an unknown data category', async () => {
    const bad = await sp.hap.http('PUT', `/reference-index/123456789/MEDVERSTREKKING/${HAP.applicationId}`);
    expect(bad.json).toMatchObject({ code: 'INVALID_BSN', field: 'params.bsn' });
    const cat = await sp.hap.http('PUT', `/reference-index/${freshBsn()}/RECEPTEN/${HAP.applicationId}`);
    expect(cat.json).toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'params.category',
      errors: [{ code: 'INVALID_VALUE' }],
    });
  });
});

describe('consent', () => {
  it('keeps the full history and puts the newest choice per holder in force', async () => {
    const bsn = freshBsn();
    await sp.admin.lsp.recordConsent(bsn, '02000001', { state: 'consent', recordedBy: '200001' });
    await sp.admin.lsp.recordConsent(bsn, '02000001', { state: 'objection', recordedBy: '200001', channel: 'paper' });
    await sp.admin.lsp.recordConsent(bsn, '02000002', { state: 'consent', recordedBy: '200002' });
    const r = (await sp.admin.http('GET', `/consents/${bsn}`)).json;
    expect(r.history).toHaveLength(3);
    expect(
      r.inForce.map((c: { holder: { ura: string }; state: string }) => `${c.holder.ura}:${c.state}`).sort(),
    ).toEqual(['02000001:objection', '02000002:consent']);
  });
});
