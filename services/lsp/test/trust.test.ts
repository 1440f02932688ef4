import { X509Certificate } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshBsn } from '@schakel/topology';
import { startSwitchPointInProcess } from '@schakel/testkit/in-process';
import { openPki } from '@schakel/trust/pki';
import { GP_AT_HAP, HAP, startSwitchPoint, type TestSwitchPoint } from './helpers.js';

let sp: TestSwitchPoint;
let pharmacy: Awaited<ReturnType<TestSwitchPoint['pharmacy']>>;
let bsn: string;
const PROFESSIONAL = { ...GP_AT_HAP, ura: HAP.ura };
const body = (b: string) => ({
  bsn: b,
  requester: { applicationId: HAP.applicationId, professional: GP_AT_HAP },
  treatmentRelation: true,
});

beforeAll(async () => {
  sp = await startSwitchPoint();
  pharmacy = await sp.pharmacy('200001', '02000001', 'Apotheek A');
  bsn = freshBsn();
  await pharmacy.app.inject({
    method: 'PUT',
    url: `/patients/${bsn}`,
    payload: { name: 'A', birthDate: '1950-01-01' },
  });
  await pharmacy.app.inject({ method: 'PUT', url: `/patients/${bsn}/consent`, payload: { state: 'consent' } });
});
afterAll(async () => sp.close());

async function newestLogEntry() {
  const entries = (await sp.admin.http('GET', '/access-log?limit=1')).json.entries;
  return entries.at(-1);
}

describe('mutual TLS at the switch point', () => {
  it('answers a query from the HAP with its own certificate and a signed assertion', async () => {
    const r = await sp.hap.http('POST', '/queries/medication', body(bsn), await sp.assertion(PROFESSIONAL, bsn));
    expect(r.status).toBe(200);
    expect(r.json.sources[0].status).toBe('no-data');
  });

  const certificateCases: [string, () => Promise<{ http: (typeof sp)['hap']['http'] }>, string, number][] = [
    ['no client certificate', async () => sp.anonymous(), 'CLIENT_CERT_REQUIRED', 401],
    [
      'a certificate from another CA',
      async () => {
        const other = await openPki(mkdtempSync(join(tmpdir(), 'schakel-other-ca-')));
        const pair = await other.issueSystem({
          id: 'imposter',
          name: 'Imposter',
          ura: HAP.ura,
          applicationId: HAP.applicationId,
          organisationType: 'N6',
        });
        rmSync(other.dir, { recursive: true, force: true });
        // It trusts our root (so the handshake completes) but presents a certificate we never issued.
        return sp.callerWith({ ...pair, ca: sp.pki.rootPem });
      },
      'CLIENT_CERT_UNTRUSTED',
      401,
    ],
    [
      'an expired certificate',
      async () =>
        sp.system(HAP, {
          notBefore: new Date(Date.now() - 3 * 86_400_000),
          notAfter: new Date(Date.now() - 86_400_000),
        }),
      'CLIENT_CERT_EXPIRED',
      401,
    ],
  ];
  for (const [what, make, code, status] of certificateCases) {
    it(`refuses ${what} with ${code} and logs the refusal`, async () => {
      const caller = await make();
      const r = await caller.http('POST', '/queries/medication', body(bsn), await sp.assertion(PROFESSIONAL, bsn));
      expect(r.status).toBe(status);
      expect(r.json.code).toBe(code);
      expect(await newestLogEntry()).toMatchObject({ outcome: 'refused', code, interaction: 'QURX_IN990011NL' });
    });
  }

  it('refuses a revoked system certificate once the operator put it on the revocation list', async () => {
    const revokedHap = await sp.system(HAP);
    const serial = await serialOf(revokedHap.tls.cert);
    const revoked = await sp.admin.http('POST', '/admin/revocations', {
      serialNumber: serial,
      reason: 'key compromised',
    });
    expect(revoked.status).toBe(201);
    const r = await revokedHap.http('POST', '/queries/medication', body(bsn), await sp.assertion(PROFESSIONAL, bsn));
    expect(r.status).toBe(401);
    expect(r.json.code).toBe('CLIENT_CERT_REVOKED');
    expect(await newestLogEntry()).toMatchObject({
      outcome: 'refused',
      code: 'CLIENT_CERT_REVOKED',
      requesterApplicationId: HAP.applicationId,
    });
    // The HAP's other certificate is unaffected.
    expect(
      (await sp.hap.http('POST', '/queries/medication', body(bsn), await sp.assertion(PROFESSIONAL, bsn))).status,
    ).toBe(200);
  });

  it('leaves /health and the docs open without a certificate', async () => {
    const anon = sp.anonymous();
    expect((await anon.http('GET', '/health')).status).toBe(200);
    expect((await anon.http('GET', '/openapi.json')).status).toBe(200);
  });

  it('lets only the operator read the access log', async () => {
    const r = await sp.hap.http('GET', `/access-log?bsn=${bsn}`);
    expect(r.status).toBe(403);
    expect(r.json.code).toBe('CLIENT_NOT_ALLOWED');
  });
});

async function serialOf(pem: string): Promise<string> {
  return new X509Certificate(pem).serialNumber;
}

describe('signed professional assertions at the switch point', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const refusalCases: [string, () => Promise<Record<string, string>>, string][] = [
    ['no assertion', async () => ({}), 'ASSERTION_MISSING'],
    ['a stale assertion', () => sp.assertion(PROFESSIONAL, bsn, { notBefore: now() - 900 }), 'ASSERTION_EXPIRED'],
    [
      'a future assertion',
      () => sp.assertion(PROFESSIONAL, bsn, { notBefore: now() + 900 }),
      'ASSERTION_NOT_YET_VALID',
    ],
    [
      'an assertion valid for more than 5 minutes',
      () => sp.assertion(PROFESSIONAL, bsn, { lifetimeSeconds: 3600 }),
      'ASSERTION_TOO_LONG',
    ],
    ['an assertion for another BSN', () => sp.assertion(PROFESSIONAL, freshBsn()), 'ASSERTION_MISMATCH'],
    [
      'an assertion for another interaction',
      () => sp.assertion(PROFESSIONAL, bsn, { interaction: 'QUPC_IN990001NL' }),
      'ASSERTION_MISMATCH',
    ],
    [
      'an assertion from a professional of another organisation',
      () => sp.assertion({ ...PROFESSIONAL, ura: '02000001' }, bsn),
      'ASSERTION_MISMATCH',
    ],
    [
      'an assertion by another professional than the request names',
      () => sp.assertion({ ...PROFESSIONAL, uziNumber: '900000077' }, bsn),
      'ASSERTION_MISMATCH',
    ],
    ['garbage', async () => ({ authorization: 'Bearer abc.def.ghi' }), 'ASSERTION_MALFORMED'],
  ];
  for (const [what, headers, code] of refusalCases) {
    it(`refuses ${what} with ${code} and logs it against the patient`, async () => {
      const r = await sp.hap.http('POST', '/queries/medication', body(bsn), await headers());
      expect(r.status).toBeGreaterThanOrEqual(401);
      expect(r.json.code).toBe(code);
      expect(r.json.decision.rule).toMatch(/^TRUST-/);
      expect(await newestLogEntry()).toMatchObject({ outcome: 'refused', code, bsn, requesterUra: HAP.ura });
    });
  }

  it('refuses a replayed message id', async () => {
    const headers = await sp.assertion(PROFESSIONAL, bsn);
    expect((await sp.hap.http('POST', '/queries/medication', body(bsn), headers)).status).toBe(200);
    const again = await sp.hap.http('POST', '/queries/medication', body(bsn), headers);
    expect(again.status).toBe(401);
    expect(again.json.code).toBe('ASSERTION_REPLAYED');
    expect(await newestLogEntry()).toMatchObject({ code: 'ASSERTION_REPLAYED', bsn });
  });

  it('refuses an assertion signed with a revoked UZI card', async () => {
    const card = await sp.credential({ ...PROFESSIONAL, uziNumber: '900000055', name: 'Dr. Revoked' });
    await sp.admin.http('POST', '/admin/revocations', { serialNumber: await serialOf(card.cert), reason: 'card lost' });
    const r = await sp.hap.http(
      'POST',
      '/queries/medication',
      {
        ...body(bsn),
        requester: {
          applicationId: HAP.applicationId,
          professional: { uziNumber: '900000055', roleCode: GP_AT_HAP.roleCode },
        },
      },
      await sp.assertion({ ...PROFESSIONAL, uziNumber: '900000055', name: 'Dr. Revoked' }, bsn),
    );
    expect(r.json.code).toBe('CREDENTIAL_REVOKED');
  });
});

describe('replay protection across switch-point processes sharing a store', () => {
  it('refuses at the second switch point a message id the first already accepted, and after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'schakel-shared-'));
    const database = join(dir, 'lsp.sqlite');
    const first = await startSwitchPointInProcess({ database, pkiDir: join(dir, 'pki') });
    const second = await startSwitchPointInProcess({ database, pkiDir: join(dir, 'pki') });
    try {
      await first.admin.lsp.registerSystem(HAP.applicationId, {
        ura: HAP.ura,
        organisationName: HAP.name,
        organisationType: 'N6',
        baseUrl: 'https://127.0.0.1:9',
        provides: [],
      });
      const hap1 = await first.system(HAP);
      const hap2 = await second.system(HAP);
      const b = freshBsn();
      const headers = await first.assertion(PROFESSIONAL, b);
      // Nobody registered this BSN: the query passes every trust check and is then refused KEY204.
      expect((await hap1.http('POST', '/queries/medication', body(b), headers)).json.code).toBe('UNKNOWN_PATIENT');
      expect((await hap2.http('POST', `${second.url}/queries/medication`, body(b), headers)).json.code).toBe(
        'ASSERTION_REPLAYED',
      );
      await first.close();
      const restarted = await startSwitchPointInProcess({ database, pkiDir: join(dir, 'pki') });
      const hap3 = await restarted.system(HAP);
      expect((await hap3.http('POST', '/queries/medication', body(b), headers)).json.code).toBe('ASSERTION_REPLAYED');
      await restarted.close();
    } finally {
      await second.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('TLS versions and suites', () => {
  const handshake = (options: {
    ciphers?: string;
    maxVersion?: 'TLSv1.2' | 'TLSv1.3';
    minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2';
  }) =>
    new Promise<string>((resolve) => {
      const { port } = new URL(sp.url);
      const socket = tlsConnect({ host: '127.0.0.1', port: Number(port), ...sp.hap.tls, ...options }, () => {
        const cipher = socket.getCipher().name;
        socket.end();
        resolve(cipher);
      });
      socket.on('error', (err) => resolve(`refused: ${err.message}`));
    });

  it('refuses TLS 1.2 with CBC-SHA1 suites at the handshake', async () => {
    expect(
      await handshake({
        maxVersion: 'TLSv1.2',
        ciphers: 'ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:AES128-SHA:AES256-SHA',
      }),
    ).toMatch(/^refused/);
  });

  it('accepts TLS 1.2 with an AEAD suite, and TLS 1.3', async () => {
    expect(await handshake({ maxVersion: 'TLSv1.2' })).toMatch(/GCM|CHACHA20/);
    expect(await handshake({})).toMatch(/^TLS_/);
  });
});
