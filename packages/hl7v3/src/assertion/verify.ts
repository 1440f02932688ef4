import { X509Certificate } from 'node:crypto';
import { XMLSerializer, type Document, type Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { OID, identityFromSubjectAltName, nowSeconds } from '@schakel/contracts';
import { parseXml } from '../xml/parse.js';
import { reader, type Reader } from '../xml/read.js';
import { NS } from '../oids.js';
import type { SoapEnvelope } from '../soap/envelope.js';
import {
  ALGORITHM,
  ASSERTION_MAX_LIFETIME_SECONDS,
  ATTRIBUTE,
  EcdsaSha256,
  type HeaderAssertionClaims,
  type HeaderAssertionFailure,
  type HeaderVerifyResult,
} from './claims.js';

export interface VerifyAssertionOptions {
  /** PEM of the UZI card CA: the only issuer trusted for professional signatures. */
  cardCaPem: string;
  /** Unix seconds; default now. */
  now?: number;
  /** Allowed clock difference each side; default 30 s. */
  clockSkewSeconds?: number;
  /** Default 300 s. */
  maxLifetimeSeconds?: number;
  isRevoked?: (serialNumber: string) => boolean;
}

const fail = (code: HeaderAssertionFailure, detail: string): HeaderVerifyResult => ({ ok: false, code, detail });
const pem = (b64: string) =>
  `-----BEGIN CERTIFICATE-----\n${b64
    .replace(/\s+/g, '')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;

/** Every element named {ns}local below `root` (document order). */
function descendants(root: Element, ns: string, local: string): Element[] {
  const list = root.getElementsByTagNameNS(ns, local);
  return Array.from({ length: list.length }, (_, i) => list.item(i)!);
}

/** The header blocks to search: those of a parsed envelope, or the root of a bare Security/Assertion document. */
function headerRoots(input: string | Document | SoapEnvelope): Element[] {
  if (typeof input !== 'string' && 'headerBlocks' in input) return input.headerBlocks;
  const doc = typeof input === 'string' ? parseXml(input) : input;
  const root = doc.documentElement!;
  if (root.namespaceURI === NS.soap && root.localName === 'Envelope') {
    const header = descendants(root, NS.soap, 'Header').find((h) => h.parentNode === root);
    return header === undefined
      ? []
      : reader(header)
          .elements()
          .map((r) => r.el);
  }
  return [root];
}

const SIGNATURE_METHODS = new Set<string>([ALGORITHM.ecdsaSha256, ALGORITHM.rsaSha256]);
const TRANSFORMS = new Set<string>([ALGORITHM.enveloped, ALGORITHM.excC14n]);

/**
 * Check the signed professional assertion in a SOAP header (an envelope as text or parsed, or a bare
 * wsse:Security / saml:Assertion). Same result and refusal codes as @schakel/trust's JWS verifier, plus
 * ASSERTION_MISSING. The caller still checks replay (jti), the match with the request and revocation lists.
 *
 * Against signature wrapping: exactly one Assertion may appear in the header, its one Signature must be its
 * own child and reference it by its ID, only our algorithms are accepted, the signature is checked on the
 * assertion alone (serialised out of the envelope), and the claims are read from the bytes the signature
 * covers (xml-crypto's signed references), never from the envelope's tree.
 */
export function verifyAssertionHeader(
  input: string | Document | SoapEnvelope,
  options: VerifyAssertionOptions,
): HeaderVerifyResult {
  const now = options.now ?? nowSeconds();
  const skew = options.clockSkewSeconds ?? 30;
  const maxLifetime = options.maxLifetimeSeconds ?? ASSERTION_MAX_LIFETIME_SECONDS;

  let roots: Element[];
  try {
    roots = headerRoots(input);
  } catch {
    return fail('ASSERTION_MALFORMED', 'the header is not well-formed XML');
  }
  const assertions = roots.flatMap((r) =>
    (r.namespaceURI === NS.saml && r.localName === 'Assertion' ? [r] : []).concat(descendants(r, NS.saml, 'Assertion')),
  );
  if (assertions.length === 0)
    return fail(
      'ASSERTION_MISSING',
      'the SOAP header holds no signed professional assertion (wsse:Security/saml:Assertion)',
    );
  if (assertions.length > 1)
    return fail('ASSERTION_MALFORMED', `the header holds ${assertions.length} assertions; exactly one is allowed`);
  const assertion = assertions[0]!;
  const parent = assertion.parentNode as Element | null;
  if (
    !roots.includes(assertion) &&
    !(parent !== null && parent.namespaceURI === NS.wsse && parent.localName === 'Security' && roots.includes(parent))
  ) {
    return fail('ASSERTION_MALFORMED', 'the assertion must be a direct child of wsse:Security in the SOAP header');
  }

  // The signature: one, the assertion's own child, over the assertion by its ID, with our algorithms.
  const a = reader(assertion, 'Assertion');
  const id = a.attr('ID');
  const signatures = descendants(assertion, NS.ds, 'Signature');
  const signature = a.child('Signature', NS.ds);
  if (id === undefined || !/^_[0-9a-f-]{36}$/i.test(id))
    return fail('ASSERTION_MALFORMED', 'the assertion needs an ID of the form _<uuid> (its message id)');
  if (signature === undefined || signatures.length !== 1)
    return fail('ASSERTION_MALFORMED', 'the assertion needs exactly one ds:Signature, as its own child');
  const signedInfo = signature.child('SignedInfo', NS.ds);
  const references = signedInfo?.all('Reference', NS.ds) ?? [];
  const reference = references[0];
  const method = signedInfo?.child('SignatureMethod', NS.ds)?.attr('Algorithm');
  const c14n = signedInfo?.child('CanonicalizationMethod', NS.ds)?.attr('Algorithm');
  const transforms =
    reference
      ?.child('Transforms', NS.ds)
      ?.all('Transform', NS.ds)
      .map((t) => t.attr('Algorithm') ?? '') ?? [];
  if (signedInfo === undefined || references.length !== 1 || reference === undefined)
    return fail('ASSERTION_MALFORMED', 'the signature must have exactly one Reference');
  if (reference.attr('URI') !== `#${id}`)
    return fail('ASSERTION_MALFORMED', 'the signature must reference the assertion it is in (URI="#<its ID>")');
  if (method === undefined || !SIGNATURE_METHODS.has(method))
    return fail(
      'ASSERTION_MALFORMED',
      `signature method ${method ?? '(none)'} is not accepted; use ecdsa-sha256 or rsa-sha256`,
    );
  if (
    c14n !== ALGORITHM.excC14n ||
    !transforms.includes(ALGORITHM.enveloped) ||
    transforms.some((t) => !TRANSFORMS.has(t))
  ) {
    return fail(
      'ASSERTION_MALFORMED',
      'the signature must use exclusive canonicalisation and the enveloped-signature transform only',
    );
  }
  if (reference.child('DigestMethod', NS.ds)?.attr('Algorithm') !== ALGORITHM.sha256)
    return fail('ASSERTION_MALFORMED', 'the digest must be SHA-256');

  // The card: in KeyInfo, issued by the card CA, valid now, not revoked.
  const certB64 = signature.child('KeyInfo', NS.ds)?.child('X509Data', NS.ds)?.all('X509Certificate', NS.ds)[0]?.text();
  if (certB64 === undefined)
    return fail('ASSERTION_MALFORMED', 'the signature needs the UZI card certificate in KeyInfo/X509Data');
  let cert: X509Certificate;
  let cardCa: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(certB64.replace(/\s+/g, ''), 'base64'));
  } catch {
    return fail('ASSERTION_MALFORMED', 'the certificate in KeyInfo cannot be read');
  }
  try {
    cardCa = new X509Certificate(options.cardCaPem);
  } catch {
    throw new Error('verifyAssertionHeader: cardCaPem is not a certificate');
  }
  if (!(cert.checkIssued(cardCa) && cert.verify(cardCa.publicKey)))
    return fail(
      'ASSERTION_UNTRUSTED',
      `signed with a certificate not issued by the UZI card CA (issuer: ${cert.issuer.replace(/\n/g, ', ')})`,
    );
  // Certificates on real time, as TLS checks them: the test PKI is issued on the real clock, and a domain clock
  // set back (docs/control.md, "Clock") must not make every card "not yet valid".
  const nowMs = options.now !== undefined ? options.now * 1000 : Date.now();
  if (nowMs < Date.parse(cert.validFrom) || nowMs > Date.parse(cert.validTo))
    return fail('CREDENTIAL_EXPIRED', `the professional's certificate is valid ${cert.validFrom} to ${cert.validTo}`);
  if (options.isRevoked?.(cert.serialNumber) === true)
    return fail('CREDENTIAL_REVOKED', `the professional's certificate ${cert.serialNumber} is revoked`);

  // The signature, checked on the assertion alone.
  const serializer = new XMLSerializer();
  const verifier = new SignedXml({ publicCert: pem(certB64) });
  // Only the two methods checked above: no HMAC (key confusion), no SHA-1.
  verifier.SignatureAlgorithms = {
    [ALGORITHM.ecdsaSha256]: EcdsaSha256,
    [ALGORITHM.rsaSha256]: verifier.SignatureAlgorithms[ALGORITHM.rsaSha256]!,
  };
  let signedXml: string;
  try {
    verifier.loadSignature(serializer.serializeToString(signature.el));
    if (!verifier.checkSignature(serializer.serializeToString(assertion)))
      return fail('ASSERTION_BAD_SIGNATURE', 'the assertion was changed after it was signed (digest mismatch)');
    const signed = verifier.getSignedReferences();
    if (signed.length !== 1) return fail('ASSERTION_MALFORMED', 'the signature must cover exactly the assertion');
    signedXml = signed[0]!;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return /invalid signature/i.test(message)
      ? fail('ASSERTION_BAD_SIGNATURE', 'the signature does not match the professional certificate')
      : fail('ASSERTION_MALFORMED', `the signature cannot be checked: ${message}`);
  }

  // The claims, from the signed bytes only.
  let s: Reader;
  try {
    s = reader(parseXml(signedXml).documentElement!, 'Assertion');
  } catch {
    return fail('ASSERTION_MALFORMED', 'the signed assertion cannot be read');
  }
  if (s.ns !== NS.saml || s.name !== 'Assertion' || s.attr('ID') !== id)
    return fail('ASSERTION_MALFORMED', 'the signature covers something other than the assertion');
  const claims = readClaims(s, id);
  if (typeof claims === 'string') return fail('ASSERTION_MALFORMED', claims);
  if (claims.exp - claims.nbf > maxLifetime)
    return fail('ASSERTION_TOO_LONG', `valid for ${claims.exp - claims.nbf} s; at most ${maxLifetime} s is allowed`);
  if (now + skew < claims.nbf)
    return fail(
      'ASSERTION_NOT_YET_VALID',
      `valid from ${new Date(claims.nbf * 1000).toISOString()}; clock skew allowed ${skew} s`,
    );
  if (now - skew > claims.exp)
    return fail(
      'ASSERTION_EXPIRED',
      `expired at ${new Date(claims.exp * 1000).toISOString()}; clock skew allowed ${skew} s`,
    );
  // The certificate decides who signed, whatever the claims say.
  const who = identityFromSubjectAltName(cert.subjectAltName);
  if (who.uziNumber !== claims.sub || who.roleCode !== claims.role || who.ura !== claims.ura)
    return fail('ASSERTION_UNTRUSTED', 'the claims do not match the professional certificate');
  const name = /CN=([^\n]+)/.exec(cert.subject)?.[1] ?? '';
  return { ok: true, claims, certificateSerial: cert.serialNumber, professionalName: name || claims.sub };
}

/** The claims of a signed assertion, or what is wrong with it. */
function readClaims(s: Reader, id: string): HeaderAssertionClaims | string {
  const seconds = (v: string | undefined) =>
    v === undefined || !/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(Date.parse(v))
      ? undefined
      : Math.floor(Date.parse(v) / 1000);
  const conditions = s.child('Conditions', NS.saml);
  const nbf = seconds(conditions?.attr('NotBefore'));
  const exp = seconds(conditions?.attr('NotOnOrAfter'));
  const iat = seconds(s.attr('IssueInstant'));
  const aud = conditions?.child('AudienceRestriction', NS.saml)?.child('Audience', NS.saml)?.text().trim();
  const nameId = s.child('Subject', NS.saml)?.child('NameID', NS.saml);
  const attrs = new Map<string, string>();
  for (const statement of s.all('AttributeStatement', NS.saml)) {
    for (const attr of statement.all('Attribute', NS.saml)) {
      const name = attr.attr('Name');
      const value = attr.child('AttributeValue', NS.saml)?.text().trim();
      if (name === undefined || value === undefined) continue;
      if (attrs.has(name)) return `attribute ${name} appears twice`;
      attrs.set(name, value);
    }
  }
  if (nbf === undefined || exp === undefined || iat === undefined)
    return 'IssueInstant, Conditions/@NotBefore and @NotOnOrAfter are required';
  if (aud === undefined || aud === '')
    return 'the addressed party (Conditions/AudienceRestriction/Audience) is required';
  if (nameId === undefined || nameId.attr('NameQualifier') !== OID.uziPerson)
    return `Subject/NameID with NameQualifier ${OID.uziPerson} (the UZI number) is required`;
  const role = attrs.get(ATTRIBUTE.role);
  const ura = attrs.get(ATTRIBUTE.ura);
  const interaction = attrs.get(ATTRIBUTE.interaction);
  const bsn = attrs.get(ATTRIBUTE.bsn);
  if (role === undefined || ura === undefined || interaction === undefined || bsn === undefined)
    return 'the role, URA, trigger event (interaction) and BSN attributes are required';
  const respUzi = attrs.get(ATTRIBUTE.responsibleUzi);
  const respRole = attrs.get(ATTRIBUTE.responsibleRole);
  if ((respUzi === undefined) !== (respRole === undefined))
    return 'the responsible professional needs both UZI number and role';
  // Named, so `sub` is read as a claim and not as String.prototype.sub of the union's other half.
  const claims: HeaderAssertionClaims = {
    jti: id.slice(1),
    interaction,
    bsn,
    sub: nameId.text().trim(),
    role,
    ura,
    ...(respUzi !== undefined && respRole !== undefined ? { resp: { uziNumber: respUzi, roleCode: respRole } } : {}),
    iat,
    nbf,
    exp,
    aud,
  };
  return claims;
}
