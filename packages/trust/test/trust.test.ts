import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFromSubjectAltName } from '@schakel/contracts';
import { createAssertionVerifier, openPki, signAssertion, type Pki } from '../src/index.js';

let dir: string;
let pki: Pki;
const GP = { uziNumber: '900000001', roleCode: '01.015', ura: '03000001', name: 'Dr. H. de Wit' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'schakel-pki-'));
  pki = await openPki(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('test PKI', () => {
  it('issues a system certificate that carries URA, application id and organisation type', async () => {
    const { certFile } = await pki.ensureSystem({
      id: 'apotheek-a',
      name: 'Apotheek A',
      ura: '02000001',
      applicationId: '200001',
      organisationType: 'J8',
    });
    const cert = new X509Certificate(readFileSync(certFile));
    expect(identityFromSubjectAltName(cert.subjectAltName)).toEqual({
      ura: '02000001',
      applicationId: '200001',
      organisationType: 'J8',
      roles: [],
    });
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.checkIssued(new X509Certificate(pki.serverCaPem))).toBe(true);
  });

  it('reuses a certificate while its identity holds, and issues a new one when the topology changed it', async () => {
    const rav = { id: 'rav-a', name: 'RAV A', ura: '05000001', applicationId: '500001', organisationType: 'A1' };
    const first = readFileSync((await pki.ensureSystem(rav)).certFile, 'utf8');
    expect(readFileSync((await pki.ensureSystem(rav)).certFile, 'utf8')).toBe(first);
    const changed = readFileSync(
      (await pki.ensureSystem({ ...rav, organisationType: 'SCHAKEL-RAV' })).certFile,
      'utf8',
    );
    expect(identityFromSubjectAltName(new X509Certificate(changed).subjectAltName).organisationType).toBe(
      'SCHAKEL-RAV',
    );
    const nurse = { uziNumber: '900000041', roleCode: '80.000', ura: '05000001', name: 'M. de Jong' };
    await pki.ensureProfessional(nurse);
    const card = readFileSync((await pki.ensureProfessional({ ...nurse, roleCode: '30.000' })).certFile, 'utf8');
    expect(identityFromSubjectAltName(new X509Certificate(card).subjectAltName).roleCode).toBe('30.000');
  });

  it('keeps its CAs across a reopen, so certificates issued before stay valid', async () => {
    const again = await openPki(dir);
    expect(again.rootPem).toBe(pki.rootPem);
    expect(again.cardCaPem).toBe(pki.cardCaPem);
  });
});

describe('signed professional assertions', () => {
  it('verifies a fresh assertion and reads the professional from the certificate', async () => {
    const credential = await pki.issueProfessional(GP);
    const jws = await signAssertion(credential, { interaction: 'QURX_IN990011NL', bsn: '999900146' });
    const result = await createAssertionVerifier({ cardCaPem: pki.cardCaPem }).verify(jws);
    expect(result).toMatchObject({
      ok: true,
      claims: { sub: GP.uziNumber, role: GP.roleCode, ura: GP.ura, bsn: '999900146' },
      professionalName: GP.name,
    });
  });

  it('refuses stale, future, too long, foreign and expired-credential assertions with their own codes', async () => {
    const verifier = createAssertionVerifier({ cardCaPem: pki.cardCaPem, clockSkewSeconds: 30 });
    const credential = await pki.issueProfessional(GP);
    const now = Math.floor(Date.now() / 1000);
    const code = async (jws: string) => {
      const r = await verifier.verify(jws);
      return r.ok ? 'ok' : r.code;
    };
    expect(
      await code(
        await signAssertion(credential, { interaction: 'QURX_IN990011NL', bsn: '999900146', notBefore: now - 600 }),
      ),
    ).toBe('ASSERTION_EXPIRED');
    expect(
      await code(
        await signAssertion(credential, { interaction: 'QURX_IN990011NL', bsn: '999900146', notBefore: now + 600 }),
      ),
    ).toBe('ASSERTION_NOT_YET_VALID');
    expect(
      await code(
        await signAssertion(credential, { interaction: 'QURX_IN990011NL', bsn: '999900146', lifetimeSeconds: 3600 }),
      ),
    ).toBe('ASSERTION_TOO_LONG');
    const foreign = await openPki(mkdtempSync(join(tmpdir(), 'schakel-pki-other-')));
    expect(
      await code(
        await signAssertion(await foreign.issueProfessional(GP), { interaction: 'QURX_IN990011NL', bsn: '999900146' }),
      ),
    ).toBe('ASSERTION_UNTRUSTED');
    rmSync(foreign.dir, { recursive: true, force: true });
    const expired = await pki.issueProfessional(GP, {
      notBefore: new Date(Date.now() - 3 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    expect(await code(await signAssertion(expired, { interaction: 'QURX_IN990011NL', bsn: '999900146' }))).toBe(
      'CREDENTIAL_EXPIRED',
    );
    expect(await code('not.a.jws')).toBe('ASSERTION_MALFORMED');
  });

  it('refuses an assertion whose payload was changed after signing', async () => {
    const jws = await signAssertion(await pki.issueProfessional(GP), {
      interaction: 'QURX_IN990011NL',
      bsn: '999900146',
    });
    const [h, p, s] = jws.split('.');
    const claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, bsn: '999900523' })).toString('base64url')}.${s}`;
    const r = await createAssertionVerifier({ cardCaPem: pki.cardCaPem }).verify(forged);
    expect(r).toMatchObject({ ok: false, code: 'ASSERTION_BAD_SIGNATURE' });
  });

  it('refuses a cut signature, a header with critical extensions and a part that is not base64url', async () => {
    const verifier = createAssertionVerifier({ cardCaPem: pki.cardCaPem });
    const jws = await signAssertion(await pki.issueProfessional(GP), {
      interaction: 'QURX_IN990011NL',
      bsn: '999900146',
    });
    const [h, p, s] = jws.split('.') as [string, string, string];
    const code = async (token: string) => {
      const r = await verifier.verify(token);
      return r.ok ? 'ok' : r.code;
    };
    expect(await code(jws)).toBe('ok');
    expect(await code(`${h}.${p}.${s.slice(0, -4)}`)).toBe('ASSERTION_BAD_SIGNATURE');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
    const crit = Buffer.from(JSON.stringify({ ...header, crit: ['exp'] })).toString('base64url');
    expect(await code(`${crit}.${p}.${s}`)).toBe('ASSERTION_MALFORMED');
    expect(await code(`${h}.${p}+.${s}`)).toBe('ASSERTION_MALFORMED');
    expect(await code(`${h}.${p}`)).toBe('ASSERTION_MALFORMED');
  });
});
