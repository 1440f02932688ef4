import { createPrivateKey, createPublicKey, sign, verify, type KeyLike, type KeyObject } from 'node:crypto';
import { createOptionalCallbackFunction, type SignatureAlgorithm } from 'xml-crypto';
import { OID } from '@schakel/contracts';

/**
 * The professional's signed assertion in the SOAP header: a SAML 2.0 Assertion in a WS-Security header,
 * enveloped-signed (XML-DSig, exclusive c14n, SHA-256) with the UZI card, the card certificate (and its CA)
 * in KeyInfo/X509Data. It holds what AORTA's signed header holds: a message id (the Assertion ID, refused
 * when seen twice), notBefore / notOnOrAfter (at most 5 minutes apart), the addressed party (Audience), and
 * co-signed data naming the trigger event (interaction) and the patient's BSN. The claims it yields have the
 * shape of @schakel/trust's JWS assertion, so the switch point runs the same checks on either wire.
 */
export const ASSERTION_MAX_LIFETIME_SECONDS = 300;

export const ALGORITHM = {
  ecdsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
} as const;

/** SAML attribute names: OIDs where the thing has one, Schakel URNs for the responsible professional. */
export const ATTRIBUTE = {
  role: `urn:oid:${OID.uziRole}`,
  ura: `urn:oid:${OID.ura}`,
  interaction: 'urn:oid:2.16.840.1.113883.1.6',
  bsn: `urn:oid:${OID.bsn}`,
  responsibleUzi: 'urn:schakel:responsible:uzi',
  responsibleRole: 'urn:schakel:responsible:role',
} as const;

/** The switch point (or any system) as the addressed party: its application id as a URN. */
export const audienceOf = (applicationId: string) => `urn:oid:${OID.applicationId}:${applicationId}`;

/** As @schakel/trust's AssertionClaims, plus the addressed party; the interaction may be any AORTA one. */
export interface HeaderAssertionClaims {
  jti: string;
  interaction: string;
  bsn: string;
  sub: string;
  role: string;
  ura: string;
  resp?: { uziNumber: string; roleCode: string };
  iat: number;
  nbf: number;
  exp: number;
  /** The addressed party (SAML Audience), e.g. urn:oid:2.16.840.1.113883.2.4.6.6:1 for the switch point. */
  aud: string;
}

/** The refusal codes of @schakel/trust's verifier, plus ASSERTION_MISSING for a header without one. */
export type HeaderAssertionFailure =
  | 'ASSERTION_MISSING'
  | 'ASSERTION_MALFORMED'
  | 'ASSERTION_UNTRUSTED'
  | 'ASSERTION_BAD_SIGNATURE'
  | 'ASSERTION_EXPIRED'
  | 'ASSERTION_NOT_YET_VALID'
  | 'ASSERTION_TOO_LONG'
  | 'CREDENTIAL_EXPIRED'
  | 'CREDENTIAL_REVOKED';

export type HeaderVerifyResult =
  | { ok: true; claims: HeaderAssertionClaims; certificateSerial: string; professionalName: string }
  | { ok: false; code: HeaderAssertionFailure; detail: string };

/**
 * ECDSA P-256 with SHA-256 for XML-DSig (RFC 4051 URI; the value is r||s as XML-DSig 1.1 says, not DER).
 * xml-crypto ships RSA only; the test PKI's UZI cards are EC keys, as modern cards are.
 */
const keyObject = (key: KeyLike, make: (k: string | Buffer) => KeyObject): KeyObject =>
  typeof key === 'string' || Buffer.isBuffer(key) ? make(key) : key;

export class EcdsaSha256 implements SignatureAlgorithm {
  getSignature = createOptionalCallbackFunction((signedInfo: Parameters<typeof sign>[1], privateKey: KeyLike): string =>
    sign('sha256', signedInfo, { key: keyObject(privateKey, createPrivateKey), dsaEncoding: 'ieee-p1363' }).toString(
      'base64',
    ),
  );
  verifySignature = createOptionalCallbackFunction((material: string, key: KeyLike, signatureValue: string): boolean =>
    verify(
      'sha256',
      Buffer.from(material),
      { key: keyObject(key, createPublicKey), dsaEncoding: 'ieee-p1363' },
      Buffer.from(signatureValue, 'base64'),
    ),
  );
  getAlgorithmName = () => ALGORITHM.ecdsaSha256;
}

export const toIsoSeconds = (unix: number) => new Date(unix * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
