#!/usr/bin/env node
// An integrator's own client, in plain Node.js with no dependencies: it connects to the Schakel switch
// point over mutual TLS with its system certificate, signs a professional assertion with a UZI card
// credential (ES256 JWS, certificate in x5c), and asks for a patient's medication (QURX_IN990011NL).
//
//   node examples/query-medication.mjs <enrolment folder> <application id> <UZI number> <role code> <BSN> [switch point URL]
//
// `npm run enrol` writes the enrolment folder (system.cert.pem, system.key.pem, root-ca.pem, cards/).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:https';
import { X509Certificate, createPrivateKey, randomUUID, sign } from 'node:crypto';

const [folder, applicationId, uziNumber, roleCode, bsn, lspUrl = 'https://127.0.0.1:7000'] = process.argv.slice(2);
if (!folder || !applicationId || !uziNumber || !roleCode || !bsn) {
  console.error(
    'usage: node examples/query-medication.mjs <enrolment folder> <application id> <UZI number> <role code> <BSN> [switch point URL]',
  );
  process.exit(2);
}
const file = (...p) => readFileSync(join(folder, ...p), 'utf8');

// 1. The professional's signed assertion: who (from the card certificate), which patient, which
//    interaction, a fresh message id, valid for at most 5 minutes.
const cardChain = file('cards', `${uziNumber}.cert.pem`);
const x5c = [...cardChain.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/g)].map((m) =>
  m[1].replace(/\s+/g, ''),
);
const card = new X509Certificate(Buffer.from(x5c[0], 'base64'));
const ura = /urn:oid:2\.16\.528\.1\.1007\.3\.3:(\d+)/.exec(card.subjectAltName ?? '')?.[1];
const now = Math.floor(Date.now() / 1000);
const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const header = b64url({ alg: 'ES256', typ: 'JWT', x5c });
const claims = b64url({
  jti: randomUUID(),
  interaction: 'QURX_IN990011NL',
  bsn,
  sub: uziNumber,
  role: roleCode,
  ura,
  iat: now,
  nbf: now,
  exp: now + 300,
});
const signature = sign('sha256', Buffer.from(`${header}.${claims}`), {
  key: createPrivateKey(file('cards', `${uziNumber}.key.pem`)),
  dsaEncoding: 'ieee-p1363',
});
const assertion = `${header}.${claims}.${signature.toString('base64url')}`;

// 2. The query, over mutual TLS with the system certificate.
const body = JSON.stringify({
  bsn,
  requester: { applicationId, professional: { uziNumber, roleCode } },
  treatmentRelation: true,
});
const url = new URL('/queries/medication', lspUrl);
const req = request(
  url,
  {
    method: 'POST',
    cert: file('system.cert.pem'),
    key: file('system.key.pem'),
    ca: file('root-ca.pem'),
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${assertion}`,
      'content-length': Buffer.byteLength(body),
    },
  },
  (res) => {
    let text = '';
    res.on('data', (chunk) => (text += chunk));
    res.on('end', () => {
      console.log(JSON.stringify({ status: res.statusCode, body: JSON.parse(text) }, null, 2));
      process.exit(res.statusCode === 200 ? 0 : 1);
    });
  },
);
req.on('error', (err) => {
  console.error(`request failed: ${err.message}`);
  process.exit(1);
});
req.end(body);
