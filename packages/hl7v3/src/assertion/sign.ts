import { X509Certificate, createPrivateKey, randomUUID } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { OID, identityFromSubjectAltName, nowSeconds } from '@schakel/contracts';
import { el, raw, toXml } from '../xml/build.js';
import { NS } from '../oids.js';
import { ALGORITHM, ASSERTION_MAX_LIFETIME_SECONDS, ATTRIBUTE, EcdsaSha256, toIsoSeconds } from './claims.js';

export interface Card {
  /** PEM chain: the professional's UZI card certificate, then the card CA. */
  cert: string;
  /** PKCS#8 PEM private key. */
  key: string;
}

export interface AssertionHeaderInput {
  /** The trigger event, e.g. QURX_IN990011NL. */
  interaction: string;
  bsn: string;
  /** The addressed party, e.g. audienceOf('1') for the switch point. */
  audience: string;
  responsible?: { uziNumber: string; roleCode: string };
  /** Seconds; at most 300 on the real network. */
  lifetimeSeconds?: number;
  /** Unix seconds; default now. */
  notBefore?: number;
  /** The message id (a uuid); use the SOAP MessageID's uuid to tie the two together. Default a fresh one. */
  messageId?: string;
}

const attribute = (name: string, friendly: string, value: string) =>
  el(
    'saml:Attribute',
    { Name: name, FriendlyName: friendly, NameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri' },
    el('saml:AttributeValue', null, value),
  );

/**
 * Sign the professional's assertion with their UZI card and return the wsse:Security header block to put
 * in the SOAP header (buildEnvelope's `headers`). Who signs (UZI number, role, URA) is read from the card
 * certificate, never taken from the caller.
 */
export function signAssertionHeader(card: Card, input: AssertionHeaderInput): string {
  const leafPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(card.cert)?.[0];
  if (leafPem === undefined) throw new Error('The card has no certificate');
  const who = identityFromSubjectAltName(new X509Certificate(leafPem).subjectAltName);
  if (who.uziNumber === undefined || who.roleCode === undefined || who.ura === undefined)
    throw new Error('The certificate is not a professional (UZI card) certificate');
  const now = nowSeconds();
  const nbf = input.notBefore ?? now;
  const exp = nbf + (input.lifetimeSeconds ?? ASSERTION_MAX_LIFETIME_SECONDS);
  const jti = input.messageId ?? randomUUID();
  const assertion = toXml(
    el(
      'saml:Assertion',
      { 'xmlns:saml': NS.saml, ID: `_${jti}`, Version: '2.0', IssueInstant: toIsoSeconds(now) },
      el(
        'saml:Issuer',
        { Format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity' },
        `urn:oid:${OID.uziPerson}:${who.uziNumber}`,
      ),
      el('saml:Subject', null, el('saml:NameID', { NameQualifier: OID.uziPerson }, who.uziNumber)),
      el(
        'saml:Conditions',
        { NotBefore: toIsoSeconds(nbf), NotOnOrAfter: toIsoSeconds(exp) },
        el('saml:AudienceRestriction', null, el('saml:Audience', null, input.audience)),
      ),
      el(
        'saml:AttributeStatement',
        null,
        attribute(ATTRIBUTE.role, 'role', who.roleCode),
        attribute(ATTRIBUTE.ura, 'ura', who.ura),
        attribute(ATTRIBUTE.interaction, 'triggerEvent', input.interaction),
        attribute(ATTRIBUTE.bsn, 'bsn', input.bsn),
        input.responsible !== undefined && [
          attribute(ATTRIBUTE.responsibleUzi, 'responsibleUzi', input.responsible.uziNumber),
          attribute(ATTRIBUTE.responsibleRole, 'responsibleRole', input.responsible.roleCode),
        ],
      ),
    ),
  );
  return toXml(el('wsse:Security', { 'xmlns:wsse': NS.wsse }, raw(signAssertionXml(card, assertion))));
}

/** Enveloped-sign a serialised saml:Assertion (with its ID) with the card: what signAssertionHeader does inside. */
export function signAssertionXml(card: Card, assertion: string): string {
  const keyType = createPrivateKey(card.key).asymmetricKeyType;
  const sig = new SignedXml({
    privateKey: card.key,
    publicCert: card.cert,
    signatureAlgorithm: keyType === 'ec' ? ALGORITHM.ecdsaSha256 : ALGORITHM.rsaSha256,
    canonicalizationAlgorithm: ALGORITHM.excC14n,
  });
  sig.SignatureAlgorithms[ALGORITHM.ecdsaSha256] = EcdsaSha256;
  sig.addReference({
    xpath: `/*[local-name(.)='Assertion' and namespace-uri(.)='${NS.saml}']`,
    transforms: [ALGORITHM.enveloped, ALGORITHM.excC14n],
    digestAlgorithm: ALGORITHM.sha256,
  });
  // SAML's schema puts the signature right after the Issuer.
  sig.computeSignature(assertion, {
    prefix: 'ds',
    location: { reference: `/*/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return sig.getSignedXml();
}
