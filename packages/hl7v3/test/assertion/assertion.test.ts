import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssertionVerifier, signAssertion } from '@schakel/trust/assertion';
import { openPki, type PemPair, type Pki } from '@schakel/trust/pki';
import { audienceOf, type HeaderAssertionFailure } from '../../src/assertion/claims.js';
import { signAssertionHeader, signAssertionXml } from '../../src/assertion/sign.js';
import { verifyAssertionHeader } from '../../src/assertion/verify.js';
import { buildEnvelope, parseEnvelope } from '../../src/soap/envelope.js';
import { GP, JAN } from '../fixtures.js';

let dir: string;
let pki: Pki;
let card: PemPair;
const LSP_AUD = audienceOf('1');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hl7v3-pki-'));
  pki = await openPki(dir);
  card = await pki.issueProfessional(GP);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const envelopeWith = (header: string) =>
  buildEnvelope({
    action: 'urn:hl7-org:v3/QURX_IN990011NL',
    to: 'https://127.0.0.1:7000/aorta/query',
    headers: [header],
    body: '<QURX_IN990011NL xmlns="urn:hl7-org:v3"/>',
  });
const signed = (over: Partial<Parameters<typeof signAssertionHeader>[1]> = {}, c: PemPair = card) =>
  envelopeWith(signAssertionHeader(c, { interaction: 'QURX_IN990011NL', bsn: JAN, audience: LSP_AUD, ...over }));
const verify = (xml: string, opts: Partial<Parameters<typeof verifyAssertionHeader>[1]> = {}) =>
  verifyAssertionHeader(xml, { cardCaPem: pki.cardCaPem, ...opts });
const code = (
  xml: string,
  opts: Partial<Parameters<typeof verifyAssertionHeader>[1]> = {},
): 'ok' | HeaderAssertionFailure => {
  const r = verify(xml, opts);
  return r.ok ? 'ok' : r.code;
};

/** A hand-made assertion, signed with the card: for claims signAssertionHeader would never write. */
function craft(body: string, id = '_6b1d2c3e-4f50-4a61-8b72-9c8d7e6f5a4b'): string {
  const now = Math.floor(Date.now() / 1000);
  const t = (s: number) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const xml = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${t(now)}"><saml:Issuer>x</saml:Issuer>${body
    .replaceAll('{nbf}', t(now))
    .replaceAll('{exp}', t(now + 300))}</saml:Assertion>`;
  return envelopeWith(
    `<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">${signAssertionXml(card, xml)}</wsse:Security>`,
  );
}
const attr = (name: string, value: string) =>
  `<saml:Attribute Name="${name}"><saml:AttributeValue>${value}</saml:AttributeValue></saml:Attribute>`;
const conditions = `<saml:Conditions NotBefore="{nbf}" NotOnOrAfter="{exp}"><saml:AudienceRestriction><saml:Audience>${LSP_AUD}</saml:Audience></saml:AudienceRestriction></saml:Conditions>`;

describe('the signed professional assertion in the SOAP header', () => {
  it('verifies and yields the claims of the JWS assertion, plus the addressed party', async () => {
    const xml = signed({
      messageId: '0d8e4b1a-7c2f-4e3d-9a6b-5c4d3e2f1a0b',
      responsible: { uziNumber: '900000002', roleCode: '01.015' },
    });
    const result = verify(xml);
    expect(result).toMatchObject({
      ok: true,
      professionalName: GP.name,
      claims: {
        jti: '0d8e4b1a-7c2f-4e3d-9a6b-5c4d3e2f1a0b',
        interaction: 'QURX_IN990011NL',
        bsn: JAN,
        sub: GP.uziNumber,
        role: GP.roleCode,
        ura: GP.ura,
        aud: LSP_AUD,
        resp: { uziNumber: '900000002', roleCode: '01.015' },
      },
    });
    // Same shape as @schakel/trust's verifier, so the switch point's checks run on either.
    const jws = await createAssertionVerifier({ cardCaPem: pki.cardCaPem }).verify(
      await signAssertion(card, { interaction: 'QURX_IN990011NL', bsn: JAN }),
    );
    if (!result.ok || !jws.ok) throw new Error('expected both to verify');
    const { aud: _aud, resp: _resp, ...ours } = result.claims;
    expect(Object.keys(ours).sort()).toEqual(Object.keys(jws.claims).sort());
    expect(result.certificateSerial).toMatch(/^[0-9A-F]+$/);
  });

  it('verifies a parsed envelope, and an assertion whose namespaces are declared on the envelope', () => {
    const xml = signed();
    expect(verifyAssertionHeader(parseEnvelope(xml), { cardCaPem: pki.cardCaPem }).ok).toBe(true);
    const hoisted = xml
      .replace(
        '<soap:Envelope ',
        '<soap:Envelope xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ',
      )
      .replace(' xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID=', ' ID=')
      .replace('<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">', '<ds:Signature>');
    expect(hoisted).not.toContain('<saml:Assertion xmlns:saml');
    expect(code(hoisted)).toBe('ok');
  });

  it('refuses a header without an assertion: ASSERTION_MISSING', () => {
    expect(code(buildEnvelope({ action: 'urn:hl7-org:v3/QURX_IN990011NL', body: '<x xmlns="urn:hl7-org:v3"/>' }))).toBe(
      'ASSERTION_MISSING',
    );
  });

  it('refuses what is not a signed assertion: ASSERTION_MALFORMED', () => {
    const xml = signed();
    expect(code(xml.replace('</soap:Header>', '<broken></soap:Header>'))).toBe('ASSERTION_MALFORMED');
    expect(code(xml.replace(/<ds:X509Certificate>[^<]+/, '<ds:X509Certificate>bm90IGEgY2VydA=='))).toBe(
      'ASSERTION_MALFORMED',
    );
    expect(code(xml.replace(/<ds:KeyInfo>.*<\/ds:KeyInfo>/, ''))).toBe('ASSERTION_MALFORMED');
    expect(code(xml.replace('xmldsig-more#ecdsa-sha256', 'xmldsig#hmac-sha1'))).toBe('ASSERTION_MALFORMED');
    expect(code(xml.replace('xmlenc#sha256', 'xmldsig#sha1'))).toBe('ASSERTION_MALFORMED');
    // Signed, but without the co-signed trigger event and BSN, or without an addressed party.
    expect(
      code(
        craft(
          `<saml:Subject><saml:NameID NameQualifier="2.16.528.1.1007.3.1">${GP.uziNumber}</saml:NameID></saml:Subject>${conditions}<saml:AttributeStatement>${attr('urn:oid:2.16.840.1.113883.2.4.15.111', GP.roleCode)}${attr('urn:oid:2.16.528.1.1007.3.3', GP.ura)}</saml:AttributeStatement>`,
        ),
      ),
    ).toBe('ASSERTION_MALFORMED');
    expect(
      code(
        craft(
          `<saml:Subject><saml:NameID NameQualifier="2.16.528.1.1007.3.1">${GP.uziNumber}</saml:NameID></saml:Subject><saml:Conditions NotBefore="{nbf}" NotOnOrAfter="{exp}"/><saml:AttributeStatement>${attr('urn:oid:2.16.840.1.113883.2.4.15.111', GP.roleCode)}${attr('urn:oid:2.16.528.1.1007.3.3', GP.ura)}${attr('urn:oid:2.16.840.1.113883.1.6', 'QURX_IN990011NL')}${attr('urn:oid:2.16.840.1.113883.2.4.6.3', JAN)}</saml:AttributeStatement>`,
        ),
      ),
    ).toBe('ASSERTION_MALFORMED');
  });

  it('refuses a card not issued by the UZI card CA, and claims the card does not back: ASSERTION_UNTRUSTED', async () => {
    const foreign = await openPki(mkdtempSync(join(tmpdir(), 'hl7v3-pki-other-')));
    try {
      expect(code(signed({}, await foreign.issueProfessional(GP)))).toBe('ASSERTION_UNTRUSTED');
    } finally {
      rmSync(foreign.dir, { recursive: true, force: true });
    }
    // Signed with Dr. de Wit's card, claiming to be a cardiologist.
    const claimsRole = craft(
      `<saml:Subject><saml:NameID NameQualifier="2.16.528.1.1007.3.1">${GP.uziNumber}</saml:NameID></saml:Subject>${conditions}<saml:AttributeStatement>${attr('urn:oid:2.16.840.1.113883.2.4.15.111', '01.010')}${attr('urn:oid:2.16.528.1.1007.3.3', GP.ura)}${attr('urn:oid:2.16.840.1.113883.1.6', 'QURX_IN990011NL')}${attr('urn:oid:2.16.840.1.113883.2.4.6.3', JAN)}</saml:AttributeStatement>`,
    );
    expect(code(claimsRole)).toBe('ASSERTION_UNTRUSTED');
  });

  it('refuses an assertion changed after signing: ASSERTION_BAD_SIGNATURE', () => {
    const xml = signed();
    expect(code(xml.replace(`>${JAN}</saml:AttributeValue>`, '>999900523</saml:AttributeValue>'))).toBe(
      'ASSERTION_BAD_SIGNATURE',
    );
    expect(code(xml.replace('>QURX_IN990011NL</saml:AttributeValue>', '>QUPC_IN990001NL</saml:AttributeValue>'))).toBe(
      'ASSERTION_BAD_SIGNATURE',
    );
    expect(
      code(xml.replace(/<ds:SignatureValue>(.)/, (_m, c: string) => `<ds:SignatureValue>${c === 'A' ? 'B' : 'A'}`)),
    ).toBe('ASSERTION_BAD_SIGNATURE');
  });

  it('refuses stale, future and too long assertions with their own codes', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(code(signed({ notBefore: now - 600 }))).toBe('ASSERTION_EXPIRED');
    expect(code(signed({ notBefore: now + 600 }))).toBe('ASSERTION_NOT_YET_VALID');
    expect(code(signed({ lifetimeSeconds: 301 }))).toBe('ASSERTION_TOO_LONG');
    // The clock skew allowance, both sides.
    expect(code(signed({ notBefore: now + 20 }), { clockSkewSeconds: 30 })).toBe('ok');
    expect(code(signed({ notBefore: now + 20 }), { clockSkewSeconds: 10 })).toBe('ASSERTION_NOT_YET_VALID');
    expect(code(signed({ notBefore: now - 320 }), { clockSkewSeconds: 30 })).toBe('ok');
    expect(code(signed(), { now: now + 400 })).toBe('ASSERTION_EXPIRED');
  });

  it('refuses an expired or revoked card: CREDENTIAL_EXPIRED, CREDENTIAL_REVOKED', async () => {
    const expired = await pki.issueProfessional(GP, {
      notBefore: new Date(Date.now() - 3 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    expect(code(signed({}, expired))).toBe('CREDENTIAL_EXPIRED');
    expect(code(signed(), { isRevoked: () => true })).toBe('CREDENTIAL_REVOKED');
  });
});

describe('signature wrapping', () => {
  const assertionOf = (xml: string) => /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)![0];
  const forge = (a: string) => a.replace(`>${JAN}</saml:AttributeValue>`, '>999900523</saml:AttributeValue>');

  it('refuses a second assertion beside the signed one', () => {
    const xml = signed();
    const a = assertionOf(xml);
    expect(code(xml.replace(a, forge(a).replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '') + a))).toBe(
      'ASSERTION_MALFORMED',
    );
  });

  it('refuses a forged assertion that hides the signed one inside it', () => {
    const xml = signed();
    const a = assertionOf(xml);
    const forged = forge(a).replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, `$&<saml:Advice>${a}</saml:Advice>`);
    expect(code(xml.replace(a, forged))).toBe('ASSERTION_MALFORMED');
  });

  it('refuses a forged assertion with the signed one moved out of the header', () => {
    const xml = signed();
    const a = assertionOf(xml);
    // The forged one keeps the genuine signature; the genuine assertion goes into the body for the reference to find.
    const moved = xml
      .replace(a, forge(a))
      .replace(
        '<QURX_IN990011NL xmlns="urn:hl7-org:v3"/>',
        `<QURX_IN990011NL xmlns="urn:hl7-org:v3">${a}</QURX_IN990011NL>`,
      );
    expect(code(moved)).toBe('ASSERTION_BAD_SIGNATURE');
    // The same with the forged one under a fresh ID: the reference no longer points at it.
    expect(code(moved.replace(/(<saml:Assertion[^>]*ID=")_([^"]+)/, '$1_00000000-0000-4000-8000-000000000000'))).toBe(
      'ASSERTION_MALFORMED',
    );
  });

  it('refuses a signature that references another element than its assertion', () => {
    const xml = signed();
    expect(code(xml.replace(/URI="#_[^"]+"/, 'URI="#_00000000-0000-4000-8000-000000000000"'))).toBe(
      'ASSERTION_MALFORMED',
    );
  });
});
