import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TlsMaterial } from '@schakel/service-kit';
import { ORGANISATION_TYPE_OF, type RunningProcess, type RunningTopology } from '@schakel/topology';

/**
 * What the load generator needs to query as the HAP: the HAP's system certificate (mutual TLS) and a
 * signer for the professional assertion (Authorization: Bearer <JWS>) that every query carries.
 */
export interface Requester {
  tls: TlsMaterial;
  /** A fresh assertion for this BSN: new message id, so the switch point's replay check passes. */
  assertion: (bsn: string) => string;
}

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');
const pemBlocks = (pem: string) =>
  [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/g)].map((m) =>
    (m[1] ?? '').replace(/\s+/g, ''),
  );

/**
 * The same compact JWS as @schakel/trust's signAssertion (ES256, x5c, the same claims), signed with
 * node:crypto synchronously: autocannon builds each request synchronously, and a pre-signed pool would
 * run dry or measure nothing if sized wrong.
 */
function createSigner(card: { cert: string; key: string }, who: { uziNumber: string; roleCode: string; ura: string }) {
  const key: KeyObject = createPrivateKey(card.key);
  const header = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', x5c: pemBlocks(card.cert) }));
  return (bsn: string) => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      jti: randomUUID(),
      interaction: 'QURX_IN990011NL',
      bsn,
      sub: who.uziNumber,
      role: who.roleCode,
      ura: who.ura,
      iat: now,
      nbf: now,
      exp: now + 300,
    };
    const input = `${header}.${b64url(JSON.stringify(claims))}`;
    return `${input}.${b64url(sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }))}`;
  };
}

export async function systemTls(
  t: RunningTopology,
  subject: Parameters<RunningTopology['pki']['ensureSystem']>[0],
): Promise<TlsMaterial> {
  const files = await t.pki.ensureSystem(subject);
  return { cert: readFileSync(files.certFile, 'utf8'), key: readFileSync(files.keyFile, 'utf8'), ca: t.pki.rootPem };
}

/** The HAP's system certificate and its first professional's UZI card, from the topology's test PKI. */
export async function requesterFor(
  t: RunningTopology,
  hap: RunningProcess,
  professional: { uziNumber: string; roleCode: string },
): Promise<Requester> {
  if (hap.ura === undefined || hap.applicationId === undefined)
    throw new Error(`${hap.id} has no URA or application id`);
  const spec = t.topology.organisations.find((o) => o.id === hap.id);
  const card = spec?.professionals.find((p) => p.uziNumber === professional.uziNumber);
  if (spec === undefined || card === undefined)
    throw new Error(`${hap.id} has no professional ${professional.uziNumber} in the topology`);
  const tls = await systemTls(t, {
    id: hap.id,
    name: hap.name,
    ura: hap.ura,
    applicationId: hap.applicationId,
    organisationType: ORGANISATION_TYPE_OF.hap,
  });
  const files = await t.pki.ensureProfessional({ ...card, ura: hap.ura });
  const signer = createSigner(
    { cert: readFileSync(files.certFile, 'utf8'), key: readFileSync(files.keyFile, 'utf8') },
    { ...professional, ura: hap.ura },
  );
  return { tls, assertion: signer };
}

/** A server-and-client certificate from the same PKI for the baseline's processes, so both sides pay the same TLS. */
export function baselineTls(t: RunningTopology): Promise<TlsMaterial> {
  return systemTls(t, { id: 'bench-baseline', name: 'Bench baseline', ura: '00000099', applicationId: '99' });
}
