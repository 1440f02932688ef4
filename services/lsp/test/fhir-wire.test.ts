import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodeOf, type OperationOutcome } from '@schakel/fhir';
import { startSwitchPoint, type TestSwitchPoint } from './helpers.js';

let sp: TestSwitchPoint;
beforeAll(async () => {
  sp = await startSwitchPoint();
});
afterAll(async () => sp.close());

const FHIR = { 'content-type': 'application/fhir+json' };
const codeOf = (json: unknown) => errorCodeOf(json as OperationOutcome);

describe('the FHIR wire at the switch point (/fhir)', () => {
  it('answers GET /fhir/metadata with a CapabilityStatement as application/fhir+json, over mutual TLS', async () => {
    const r = await sp.hap.http('GET', '/fhir/metadata');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(r.json).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', kind: 'instance' });
    expect(r.headers['aorta-id']).toMatch(/^initialRequestID=/);
  });

  it('refuses a caller without a system certificate with an OperationOutcome carrying the error code', async () => {
    const r = await sp.anonymous().http('GET', '/fhir/metadata');
    expect(r.status).toBe(401);
    expect(r.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(r.json.resourceType).toBe('OperationOutcome');
    expect(r.json.issue[0]).toMatchObject({ severity: 'error', code: 'login' });
    expect(codeOf(r.json)).toBe('CLIENT_CERT_REQUIRED');
  });

  it('answers an unknown path under /fhir with 404 ROUTE_NOT_FOUND as an OperationOutcome', async () => {
    const r = await sp.hap.http('GET', '/fhir/NoSuchResource');
    expect(r.status).toBe(404);
    expect(codeOf(r.json)).toBe('ROUTE_NOT_FOUND');
    expect(r.json.issue[0].code).toBe('not-found');
  });

  it('answers a known path with the wrong method with 405 and Allow, as an OperationOutcome', async () => {
    const r = await sp.hap.http('DELETE', '/fhir/metadata');
    expect(r.status).toBe(405);
    expect(r.headers.allow).toContain('GET');
    expect(codeOf(r.json)).toBe('METHOD_NOT_ALLOWED');
  });

  it('refuses a body that is not FHIR JSON with 415, and a body over 1 MiB with 413', async () => {
    const plain = await sp.hap.http('POST', '/fhir', undefined, { 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
    expect(codeOf(plain.json)).toBe('UNSUPPORTED_MEDIA_TYPE');
    const big = await sp.hap.http('POST', '/fhir', { resourceType: 'Bundle', pad: 'x'.repeat(1_100_000) }, FHIR);
    expect(big.status).toBe(413);
    expect(codeOf(big.json)).toBe('BODY_TOO_LARGE');
  });

  it('refuses a transaction that is not a Bundle with 400 and the field, and a bad AORTA-ID with 400', async () => {
    const r = await sp.hap.http('POST', '/fhir', { resourceType: 'Patient' }, FHIR);
    expect(r.status).toBe(400);
    expect(r.json.resourceType).toBe('OperationOutcome');
    expect(r.json.issue[0].diagnostics).toContain('body.resourceType');
    const bad = await sp.hap.http('GET', '/fhir/metadata', undefined, { 'aorta-id': 'nonsense' });
    expect(bad.status).toBe(400);
    expect(codeOf(bad.json)).toBe('INVALID_AORTA_ID');
  });

  it('keeps the problem+json answers outside /fhir as they were', async () => {
    const r = await sp.hap.http('GET', '/no-such-thing');
    expect(r.status).toBe(404);
    expect(r.json.code).toBe('ROUTE_NOT_FOUND');
  });
});
