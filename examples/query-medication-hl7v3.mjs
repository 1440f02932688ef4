#!/usr/bin/env node
// An integrator's own HL7v3 client, in plain Node.js with no dependencies: the AORTA way of asking the
// Schakel switch point for a patient's medication. Read it top to bottom as documentation; every step of
// the exchange is here:
//
//   1. read the enrolled system's files (system certificate for mutual TLS, root CA, a UZI card);
//   2. write the professional's SAML assertion and sign it with XML-DSig (exclusive canonicalisation,
//      SHA-256, ECDSA P-256) using node:crypto only;
//   3. write the HL7v3 query QURX_IN990011NL;
//   4. put both in a SOAP 1.2 envelope with WS-Addressing;
//   5. POST it to /aorta/query over mutual TLS;
//   6. read the answer: a batch MCCI_IN200101 (one message per pharmacy) or, when the switch point
//      refuses, an acknowledgement MCCI_IN000002 with the reason.
//
//   node examples/query-medication-hl7v3.mjs <enrolment folder> <application id> <UZI number> <role code> <BSN> [switch point URL]
//
// `npm run enrol` writes the enrolment folder (system.cert.pem, system.key.pem, root-ca.pem, cards/).
// Set SCHAKEL_SHOW_XML=1 to see the envelope sent and the envelope received on stderr.
// The JSON client doing the same over the switch point's JSON API is examples/query-medication.mjs.
// The wire format is described in docs/hl7v3.md.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:https';
import { X509Certificate, createHash, createPrivateKey, randomUUID, sign } from 'node:crypto';

const [folder, applicationId, uziNumber, roleCode, bsn, lspUrl = 'https://127.0.0.1:7000'] = process.argv.slice(2);
if (!folder || !applicationId || !uziNumber || !roleCode || !bsn) {
  console.error(
    'usage: node examples/query-medication-hl7v3.mjs <enrolment folder> <application id> <UZI number> <role code> <BSN> [switch point URL]',
  );
  process.exit(2);
}
const file = (...p) => readFileSync(join(folder, ...p), 'utf8');
const showXml = process.env.SCHAKEL_SHOW_XML === '1';

// ---- The vocabulary --------------------------------------------------------------------------------------

// XML namespaces of the envelope, the signed header and the message.
const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope', // SOAP 1.2 (SOAP 1.1 is refused)
  wsa: 'http://www.w3.org/2005/08/addressing', // WS-Addressing 1.0
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  hl7: 'urn:hl7-org:v3',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
};
// Identifier roots (OIDs): who and what the ids in the message are.
const OID = {
  bsn: '2.16.840.1.113883.2.4.6.3', // the patient's citizen service number
  uziPerson: '2.16.528.1.1007.3.1', // a professional's UZI number
  uziRole: '2.16.840.1.113883.2.4.15.111', // the UZI role code (01.015 is a GP)
  ura: '2.16.528.1.1007.3.3', // an organisation's URA number
  applicationId: '2.16.840.1.113883.2.4.6.6', // a system on the network (GBZ application id)
  interaction: '2.16.840.1.113883.1.6', // HL7 interaction ids (trigger events)
  profile: '2.16.840.1.113883.2.4.3.11.1', // the Nictiz message profile
  problem: '2.25.323076476240762072713884933401719747791.3', // Schakel's own problem codes (UNKNOWN_PATIENT, ...)
  decision: '2.25.323076476240762072713884933401719747791.2', // Schakel's decision codes (CONSENT_GIVEN, ...)
  atc: '2.16.840.1.113883.6.73',
};
// The XML-DSig algorithms the switch point accepts: nothing else (no SHA-1, no HMAC).
const ALG = {
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  ecdsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
};
const INTERACTION = 'QURX_IN990011NL'; // medication dispenses query ("medicatieverstrekkingen opvragen")
const ACTION = `urn:hl7-org:v3/${INTERACTION}`; // the WS-Addressing Action: names the message in the body
const LSP_APPLICATION_ID = '1'; // the switch point's own application id (3 in the national test environment)

// ---- Writing XML in canonical form -----------------------------------------------------------------------
//
// The signature covers the assertion after exclusive XML canonicalisation (exc-c14n). Rather than bring an
// XML library to canonicalise, this client writes every element in its canonical form to begin with, so
// the text it signs is the text it sends, and the switch point's exc-c14n of it gives the same bytes:
// - namespace declarations first (sorted by prefix), then attributes sorted by name;
// - no self-closing tags: an empty element is <a></a>;
// - attribute values escape & < " and tab, newline, carriage return; text escapes & < > and carriage return;
// - no whitespace between elements (whitespace would be content and would be signed too);
// - a namespace is declared on the outermost element of the signed part that uses its prefix, and only there.

const escapeText = (s) =>
  String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
const escapeAttr = (s) =>
  String(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;');
/** Text content for el(): escaped. Children that are plain strings are taken as already written XML. */
const text = (s) => escapeText(s);

/** One element: el('saml:Issuer', { Format: '…' }, text('…')). Attributes are sorted as c14n sorts them. */
function el(name, attrs, ...children) {
  const entries = Object.entries(attrs ?? {}).filter(([, v]) => v !== undefined && v !== null);
  const isNs = ([k]) => k === 'xmlns' || k.startsWith('xmlns:');
  const byName = (a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  // Namespace declarations first, then attributes without a prefix, then prefixed ones (only
  // soap:mustUnderstand here, outside the signed part).
  const ordered = [
    ...entries.filter(isNs).sort(byName),
    ...entries.filter((e) => !isNs(e) && !e[0].includes(':')).sort(byName),
    ...entries.filter((e) => !isNs(e) && e[0].includes(':')),
  ];
  const open = `<${name}${ordered.map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join('')}>`;
  return `${open}${children
    .flat(Infinity)
    .filter((c) => c !== undefined && c !== null && c !== false)
    .join('')}</${name}>`;
}

// ---- 1. The enrolled system's files ----------------------------------------------------------------------

// The UZI card stands in for the professional's smart card: a certificate chain (card, then the UZI card
// CA) and its private key. Who signs (UZI number, role, URA) is in the card certificate's subjectAltName.
const cardChain = file('cards', `${uziNumber}.cert.pem`);
const chainB64 = [...cardChain.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/g)].map((m) =>
  m[1].replace(/\s+/g, ''),
);
const card = new X509Certificate(Buffer.from(chainB64[0], 'base64'));
const fromCard = (oid) =>
  new RegExp(`urn:oid:${oid.replace(/\./g, '\\.')}:([^,\\s]+)`).exec(card.subjectAltName ?? '')?.[1];
const signer = { uziNumber: fromCard(OID.uziPerson), roleCode: fromCard(OID.uziRole), ura: fromCard(OID.ura) };
const cardKey = createPrivateKey(file('cards', `${uziNumber}.key.pem`));

// ---- 2. One id for the whole message ---------------------------------------------------------------------

// The same uuid is the WS-Addressing MessageID (urn:uuid:…), the HL7 transmission id (under this system's
// own id root) and the signed assertion's ID (_…): it ties the three together. The switch point refuses an
// assertion ID it has seen before (replay), so every message needs a fresh one.
const messageId = randomUUID();
const now = Math.floor(Date.now() / 1000);
const isoSeconds = (unix) => new Date(unix * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

// ---- 3. The professional's assertion (SAML 2.0), before signing ------------------------------------------

// What AORTA's signed header holds: the message id, a validity window of at most 5 minutes, the party it is
// addressed to (the switch point), and co-signed data: the trigger event and the patient's BSN. Role and URA
// must be the card's; the switch point also checks UZI number and role against the author in the body, the
// URA against this system's TLS certificate, the BSN and trigger event against the query.
const attribute = (name, friendlyName, value) =>
  el(
    'saml:Attribute',
    { FriendlyName: friendlyName, Name: name, NameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri' },
    el('saml:AttributeValue', null, text(value)),
  );
const assertionAttrs = { 'xmlns:saml': NS.saml, ID: `_${messageId}`, IssueInstant: isoSeconds(now), Version: '2.0' };
const issuer = el(
  'saml:Issuer',
  { Format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity' },
  text(`urn:oid:${OID.uziPerson}:${signer.uziNumber}`),
);
const claims = [
  el('saml:Subject', null, el('saml:NameID', { NameQualifier: OID.uziPerson }, text(signer.uziNumber))),
  el(
    'saml:Conditions',
    { NotBefore: isoSeconds(now), NotOnOrAfter: isoSeconds(now + 300) },
    el(
      'saml:AudienceRestriction',
      null,
      el('saml:Audience', null, text(`urn:oid:${OID.applicationId}:${LSP_APPLICATION_ID}`)),
    ),
  ),
  el(
    'saml:AttributeStatement',
    null,
    attribute(`urn:oid:${OID.uziRole}`, 'role', signer.roleCode),
    attribute(`urn:oid:${OID.ura}`, 'ura', signer.ura),
    attribute(`urn:oid:${OID.interaction}`, 'triggerEvent', INTERACTION),
    attribute(`urn:oid:${OID.bsn}`, 'bsn', bsn),
  ),
];
// The assertion without its signature, canonical already. The enveloped-signature transform removes the
// signature before the digest is taken, so this is exactly what the digest covers.
const unsignedAssertion = el('saml:Assertion', assertionAttrs, issuer, claims);

// ---- 4. The XML-DSig signature ---------------------------------------------------------------------------

// 4a. The digest of the assertion: SHA-256 over its canonical bytes.
const digest = createHash('sha256').update(unsignedAssertion, 'utf8').digest('base64');

// 4b. SignedInfo says what is signed (the assertion, by its ID), how (the transforms, the digest) and with
// which algorithms. The signature value is computed over SignedInfo's own canonical form. Canonicalised on
// its own, SignedInfo carries the ds namespace declaration itself (exc-c14n declares a used prefix on the
// outermost element); inside the document the declaration sits on ds:Signature instead. Same content.
const ecdsa = cardKey.asymmetricKeyType === 'ec'; // the test PKI's cards are ECDSA P-256; RSA works too
const signedInfoContent = [
  el('ds:CanonicalizationMethod', { Algorithm: ALG.excC14n }),
  el('ds:SignatureMethod', { Algorithm: ecdsa ? ALG.ecdsaSha256 : ALG.rsaSha256 }),
  el(
    'ds:Reference',
    { URI: `#_${messageId}` },
    el(
      'ds:Transforms',
      null,
      el('ds:Transform', { Algorithm: ALG.enveloped }),
      el('ds:Transform', { Algorithm: ALG.excC14n }),
    ),
    el('ds:DigestMethod', { Algorithm: ALG.sha256 }),
    el('ds:DigestValue', null, text(digest)),
  ),
];
const signedInfoCanonical = el('ds:SignedInfo', { 'xmlns:ds': NS.ds }, signedInfoContent);

// 4c. Sign with the card's private key. XML-DSig wants an ECDSA signature as r||s (two 32-byte integers,
// "IEEE P1363"), not the DER encoding node:crypto gives by default.
const signatureValue = sign(
  'sha256',
  Buffer.from(signedInfoCanonical, 'utf8'),
  ecdsa ? { key: cardKey, dsaEncoding: 'ieee-p1363' } : cardKey,
).toString('base64');

// 4d. The Signature element: SignedInfo, the value, and the card certificate chain in KeyInfo (card first),
// so the switch point can check it was issued by the UZI card CA and read who signed.
const signature = el(
  'ds:Signature',
  { 'xmlns:ds': NS.ds },
  el('ds:SignedInfo', null, signedInfoContent),
  el('ds:SignatureValue', null, text(signatureValue)),
  el(
    'ds:KeyInfo',
    null,
    el(
      'ds:X509Data',
      null,
      chainB64.map((b64) => el('ds:X509Certificate', null, text(b64))),
    ),
  ),
);

// 4e. The signed assertion: the signature goes right after the Issuer, where SAML's schema puts it.
const signedAssertion = el('saml:Assertion', assertionAttrs, issuer, signature, claims);

// ---- 5. The HL7v3 message: QURX_IN990011NL ---------------------------------------------------------------

// The transmission wrapper (ids, version, interaction, profile, receiver and sender devices), then the
// ControlActProcess with the acting professional as author and the query's parameters.
const hl7Time = (d) =>
  d
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d{3}Z$/, '+0000'); // YYYYMMDDHHMMSS+0000
const device = (kind, typeCode, appId) =>
  el(
    kind,
    { typeCode },
    el(
      'device',
      { classCode: 'DEV', determinerCode: 'INSTANCE' },
      el('id', { extension: appId, root: OID.applicationId }),
    ),
  );
const parameter = (name, semantics, value) => el(name, null, value, el('semanticsText', null, text(semantics)));
const query = el(
  INTERACTION,
  { xmlns: NS.hl7, 'xmlns:xsi': NS.xsi },
  el('id', { extension: messageId, root: `${OID.applicationId}.${applicationId}.1` }), // a message id under this system's own arc
  el('creationTime', { value: hl7Time(new Date()) }),
  el('versionCode', { code: 'NICTIZEd2005-Okt' }),
  el('interactionId', { extension: INTERACTION, root: OID.interaction }), // must name the root element
  el('profileId', { extension: '810', root: OID.profile }),
  el('processingCode', { code: 'P' }), // P production, T test
  el('processingModeCode', { code: 'T' }), // T: current processing
  el('acceptAckCode', { code: 'AL' }), // always acknowledge
  device('receiver', 'RCV', LSP_APPLICATION_ID), // to the switch point
  device('sender', 'SND', applicationId), // from this system: the switch point checks it against the TLS certificate
  el(
    'ControlActProcess',
    { moodCode: 'EVN' },
    el(
      'authorOrPerformer',
      { typeCode: 'AUT' },
      el(
        'participant',
        null,
        el(
          'AssignedPerson',
          { classCode: 'ASSIGNED' },
          el('id', { extension: uziNumber, root: OID.uziPerson }),
          el('code', { code: roleCode, codeSystem: OID.uziRole }),
        ),
      ),
    ),
    el(
      'queryByParameter',
      null,
      el('statusCode', { code: 'new' }),
      parameter('patientID', 'Patient.id', el('value', { extension: bsn, root: OID.bsn })),
      // The professional asserts a treatment relation with the patient. Optional parameters in the same
      // pattern: medicationDispenseEventEffectiveTime (a period), latestDispensePerProduct, careSituation
      // (regular/acute), verbalConsentIndicator, patientCannotConsentIndicator (see docs/hl7v3.md).
      parameter('treatmentRelationIndicator', 'TreatmentRelation.asserted', el('value', { value: 'true' })),
    ),
  ),
);

// ---- 6. The SOAP 1.2 envelope with WS-Addressing ---------------------------------------------------------

// Action names the interaction (and must match the body), MessageID identifies this message, To is the
// service, ReplyTo anonymous: the answer comes back on this connection. The signed assertion travels in a
// WS-Security header block; the body holds exactly one element, the HL7v3 message.
const endpoint = new URL('/aorta/query', lspUrl);
const envelope =
  '<?xml version="1.0" encoding="UTF-8"?>' +
  el(
    'soap:Envelope',
    { 'xmlns:soap': NS.soap, 'xmlns:wsa': NS.wsa },
    el(
      'soap:Header',
      null,
      el('wsa:Action', { 'soap:mustUnderstand': 'true' }, text(ACTION)),
      el('wsa:MessageID', null, text(`urn:uuid:${messageId}`)),
      el('wsa:To', null, text(endpoint.href)),
      el('wsa:ReplyTo', null, el('wsa:Address', null, text('http://www.w3.org/2005/08/addressing/anonymous'))),
      el('wsse:Security', { 'xmlns:wsse': NS.wsse }, signedAssertion),
    ),
    el('soap:Body', null, query),
  );
if (showXml) console.error(`--- sent to ${endpoint.href}\n${envelope}\n`);

// ---- 7. Send it over mutual TLS --------------------------------------------------------------------------

// The system certificate identifies this system (its URA and application id) to the switch point; the
// root CA is the only one trusted for the switch point's own certificate. SOAP 1.2's content type carries
// the Action as a parameter too.
const req = request(
  endpoint,
  {
    method: 'POST',
    cert: file('system.cert.pem'),
    key: file('system.key.pem'),
    ca: file('root-ca.pem'),
    headers: {
      'content-type': `application/soap+xml; charset=utf-8; action="${ACTION}"`,
      'content-length': Buffer.byteLength(envelope),
    },
  },
  (res) => {
    const chunks = [];
    res.on('data', (chunk) => chunks.push(chunk));
    res.on('end', () => {
      const answer = Buffer.concat(chunks).toString('utf8');
      if (showXml) console.error(`--- received (HTTP ${res.statusCode})\n${answer}\n`);
      process.exit(printAnswer(res.statusCode, answer));
    });
  },
);
req.on('error', (err) => {
  console.error(`request failed: ${err.message}`);
  process.exit(1);
});
req.end(envelope);

// ---- 8. Read the answer ----------------------------------------------------------------------------------

/**
 * A minimal XML reader for the switch point's answer: elements with their namespace, local name, attributes,
 * children and text. Enough for this example; a production system uses its platform's XML stack (and,
 * like this one, refuses any DOCTYPE).
 */
function parseXml(xml) {
  if (/<!DOCTYPE/i.test(xml)) throw new Error('the answer holds a DOCTYPE: refused');
  const entity = (s) =>
    s.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (_, e) =>
      e[0] === '#'
        ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10))
        : { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[e],
    );
  const document = { children: [], text: '', namespaces: { xml: 'http://www.w3.org/XML/1998/namespace' } };
  const stack = [document];
  const token =
    /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<\/([^\s>]+)\s*>|<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
  for (const [, cdata, close, open, rawAttrs, selfClosing, chars] of xml.matchAll(token)) {
    const top = stack.at(-1);
    if (cdata !== undefined) top.text += cdata;
    else if (chars !== undefined) top.text += entity(chars);
    else if (close !== undefined) {
      if (stack.length < 2 || top.qname !== close) throw new Error(`the answer is not well-formed XML at </${close}>`);
      stack.pop();
    } else if (open !== undefined) {
      const attrs = {};
      for (const [, k, double, single] of rawAttrs.matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g))
        attrs[k] = entity(double ?? single);
      const namespaces = { ...top.namespaces };
      for (const [k, v] of Object.entries(attrs))
        if (k === 'xmlns' || k.startsWith('xmlns:')) namespaces[k === 'xmlns' ? '' : k.slice(6)] = v;
      const [prefix, local] = open.includes(':') ? open.split(':') : ['', open];
      const node = { qname: open, ns: namespaces[prefix], name: local, attrs, namespaces, children: [], text: '' };
      top.children.push(node);
      if (selfClosing !== '/') stack.push(node);
    }
  }
  if (stack.length !== 1 || document.children.length !== 1) throw new Error('the answer is not well-formed XML');
  return document.children[0];
}

// Small helpers to walk the tree: the first child on a path of local names, all children of a name, an attribute.
const child = (node, ...path) => path.reduce((n, name) => n?.children.find((c) => c.name === name), node);
const children = (node, name) => node?.children.filter((c) => c.name === name) ?? [];
const attr = (node, name) => node?.attrs[name];
const hl7Date = (v) => (v === undefined ? '?' : `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}`);

/** Print the answer readably and return the exit code: 0 for a batch, 1 for a refusal or a fault. */
function printAnswer(status, xml) {
  let envelope;
  try {
    envelope = parseXml(xml);
  } catch (err) {
    console.log(`HTTP ${status}: not a SOAP envelope (${err.message}):\n${xml.slice(0, 500)}`);
    return 1;
  }
  const body =
    envelope.ns === NS.soap && envelope.name === 'Envelope' ? child(envelope, 'Body')?.children[0] : undefined;
  if (body === undefined) {
    console.log(`HTTP ${status}: not a SOAP 1.2 envelope`);
    return 1;
  }
  const relatesTo = child(envelope, 'Header', 'RelatesTo')?.text;
  // A SOAP fault: the envelope could not be read as a message at all (not well-formed, a DOCTYPE, a wrong Action).
  if (body.ns === NS.soap && body.name === 'Fault') {
    console.log(
      `SOAP fault (HTTP ${status}): ${child(body, 'Code', 'Value')?.text ?? '?'} ${child(body, 'Code', 'Subcode', 'Value')?.text ?? ''}`.trimEnd(),
    );
    console.log(`  ${child(body, 'Reason', 'Text')?.text ?? ''}`);
    return 1;
  }
  // An acknowledgement: the switch point refused the query (AR: do not retry as is; AE: trying again may help).
  // Each detail carries AORTA's code (NAT, KEY204, VALIDATIEFOUT) and Schakel's own code as a translation.
  if (body.name === 'MCCI_IN000002') {
    const ack = child(body, 'acknowledgement');
    console.log(`Refused: MCCI_IN000002 acknowledgement ${attr(ack, 'typeCode')} (relates to ${relatesTo ?? '?'})`);
    for (const d of children(ack, 'acknowledgementDetail')) {
      const code = child(d, 'code');
      const schakel = children(code, 'translation').find((t) => attr(t, 'codeSystem') === OID.problem);
      const shown = [attr(code, 'code'), schakel !== undefined ? attr(schakel, 'code') : undefined]
        .filter(Boolean)
        .join('/');
      console.log(
        `  ${attr(d, 'typeCode')} ${shown}${attr(code, 'displayName') ? ` (${attr(code, 'displayName')})` : ''}: ${child(d, 'text')?.text ?? ''}`,
      );
    }
    return 1;
  }
  if (body.name !== 'MCCI_IN200101') {
    console.log(`Unexpected answer ${body.name} (HTTP ${status})`);
    return 1;
  }
  // The batch: one message per pharmacy the switch point considered. An answer (QURX_IN990013NL) for those
  // that were asked and answered, an MCCI_IN000002 in the pharmacy's name for those not asked (refused) or
  // not answering (timeout, unreachable, error). Batch acknowledgement AA: every pharmacy asked answered.
  const comments = Object.fromEntries(
    children(body, 'batchComment').map((c) => [c.text.split(': ')[0], c.text.slice(c.text.indexOf(': ') + 2)]),
  );
  const batchAck = attr(child(body, 'acknowledgement'), 'typeCode');
  const sources = body.children.filter((c) => ['QURX_IN990013NL', 'QURX_IN990113NL', 'MCCI_IN000002'].includes(c.name));
  console.log(
    `MCCI_IN200101 batch for BSN ${comments.bsn ?? bsn}: ${batchAck === 'AA' ? 'complete' : 'incomplete'} (${batchAck}), ${sources.length} source(s)`,
  );
  console.log(`  AORTA-ID ${comments['AORTA-ID'] ?? '?'}; relates to ${relatesTo ?? '?'}`);
  for (const source of sources) {
    const organisation = child(source, 'sender', 'device', 'agencyFor', 'representedOrganization');
    const lines = Object.fromEntries(
      children(source, 'attentionLine').map((l) => [
        attr(child(l, 'keyWordText'), 'code'),
        attr(child(l, 'value'), 'value') ?? child(l, 'value')?.text,
      ]),
    );
    const details = children(child(source, 'acknowledgement'), 'acknowledgementDetail');
    const decision = details.find(
      (d) => attr(d, 'typeCode') === 'I' && attr(child(d, 'code'), 'codeSystem') === OID.decision,
    );
    const error = details.find((d) => attr(d, 'typeCode') === 'E');
    console.log('');
    console.log(
      `- ${child(organisation, 'name')?.text ?? '?'} (URA ${attr(child(organisation, 'id'), 'extension')}, application id ${attr(child(source, 'sender', 'device', 'id'), 'extension')})`,
    );
    console.log(
      `  status: ${lines.status ?? '?'}${lines.contacted === 'true' ? ', asked' : ', not asked'}; acknowledgement ${attr(child(source, 'acknowledgement'), 'typeCode')}`,
    );
    if (decision !== undefined)
      console.log(
        `  decision: ${attr(child(decision, 'code'), 'code')} (${attr(child(decision, 'code'), 'displayName') ?? ''}): ${child(decision, 'text')?.text ?? ''}`,
      );
    if (error !== undefined)
      console.log(`  error: ${attr(child(error, 'code'), 'code') ?? ''}: ${child(error, 'text')?.text ?? ''}`);
    // The pharmacy's dispenses: MedicationDispenseList/component/medicationDispenseEvent.
    const list = child(source, 'ControlActProcess', 'subject', 'MedicationDispenseList');
    const dispenses = children(list, 'component').map((c) => child(c, 'medicationDispenseEvent'));
    if (source.name !== 'MCCI_IN000002') console.log(`  dispenses: ${dispenses.length}`);
    for (const d of dispenses) {
      const medication = child(d, 'product', 'dispensedMedication');
      const code = child(medication, 'MedicationKind', 'code');
      const atc = children(code, 'translation').find((t) => attr(t, 'codeSystem') === OID.atc);
      const quantity = child(d, 'quantity');
      const prescriber = child(
        medication,
        'directTargetOf',
        'prescription',
        'author',
        'AssignedPerson',
        'assignedPerson',
        'name',
      )?.text;
      console.log(
        `    ${hl7Date(attr(child(d, 'effectiveTime'), 'value'))}  ${child(code, 'originalText')?.text ?? attr(code, 'displayName') ?? '?'}${atc ? ` [ATC ${attr(atc, 'code')}]` : ''}`,
      );
      console.log(
        `                ${attr(quantity, 'value')} ${attr(child(quantity, 'translation'), 'displayName') ?? ''}; "${child(medication, 'therapeuticAgentOf', 'medicationAdministrationRequest', 'text')?.text ?? ''}"${prescriber ? `; prescribed by ${prescriber}` : ''}`,
      );
    }
    // Contra-indications and intolerances (CiO) the pharmacy records: present when it knows the patient.
    const cio = children(child(list, 'pertinentInformation', 'contraIndicationList'), 'component').map((c) =>
      child(c, 'observation'),
    );
    for (const o of cio)
      console.log(
        `    ${attr(child(o, 'code'), 'code')}: ${child(o, 'value', 'originalText')?.text ?? ''} (recorded ${hl7Date(attr(child(o, 'effectiveTime'), 'value'))})`,
      );
  }
  return 0;
}
