import { X509Certificate, randomUUID, verify as verifySignature, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompactSign, importPKCS8, type CompactJWSHeaderParameters } from 'jose';
import { identityFromSubjectAltName, nowSeconds, type Interaction } from '@schakel/contracts';

/**
 * Signed professional assertions, standing in for the UZI-card signature on every query and push:
 * a compact JWS (ES256) whose x5c header carries the professional's certificate. The signer cannot lie
 * about who they are: UZI number, role and URA are read from the certificate, not from the claims.
 */
export const ASSERTION_MAX_LIFETIME_SECONDS = 300;

export interface AssertionClaims {
  /** Message id: refused when seen before. */
  jti: string;
  interaction: Interaction;
  bsn: string;
  /** The acting professional (from the certificate). */
  sub: string;
  role: string;
  ura: string;
  /** The responsible professional, when an assistant acts on their behalf (mandating). */
  resp?: { uziNumber: string; roleCode: string };
  iat: number;
  nbf: number;
  exp: number;
}

export interface Credential {
  /** PEM chain: the professional's certificate, then the card CA. */
  cert: string;
  key: string;
}

export interface SignOptions {
  interaction: Interaction;
  bsn: string;
  responsible?: { uziNumber: string; roleCode: string };
  /** Seconds; at most 300 on the real network. */
  lifetimeSeconds?: number;
  /** Unix seconds; defaults to now. Tests move it to make stale or future assertions. */
  notBefore?: number;
  messageId?: string;
}

function pemBlocks(pem: string): string[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/g)].map((m) =>
    (m[1] ?? '').replace(/\s+/g, ''),
  );
}

export async function signAssertion(credential: Credential, options: SignOptions): Promise<string> {
  const [leafB64, ...chain] = pemBlocks(credential.cert);
  if (leafB64 === undefined) throw new Error('The credential has no certificate');
  const leaf = new X509Certificate(Buffer.from(leafB64, 'base64'));
  const who = identityFromSubjectAltName(leaf.subjectAltName);
  if (who.uziNumber === undefined || who.roleCode === undefined || who.ura === undefined)
    throw new Error('The credential is not a professional (UZI card) certificate');
  const now = nowSeconds();
  const nbf = options.notBefore ?? now;
  const claims: AssertionClaims = {
    jti: options.messageId ?? randomUUID(),
    interaction: options.interaction,
    bsn: options.bsn,
    sub: who.uziNumber,
    role: who.roleCode,
    ura: who.ura,
    ...(options.responsible !== undefined ? { resp: options.responsible } : {}),
    iat: now,
    nbf,
    exp: nbf + (options.lifetimeSeconds ?? ASSERTION_MAX_LIFETIME_SECONDS),
  };
  const key = await importPKCS8(credential.key, 'ES256');
  const header: CompactJWSHeaderParameters = { alg: 'ES256', typ: 'JWT', x5c: [leafB64, ...chain] };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader(header).sign(key);
}

export type AssertionFailure =
  | 'ASSERTION_MALFORMED'
  | 'ASSERTION_UNTRUSTED'
  | 'ASSERTION_BAD_SIGNATURE'
  | 'ASSERTION_EXPIRED'
  | 'ASSERTION_NOT_YET_VALID'
  | 'ASSERTION_TOO_LONG'
  | 'CREDENTIAL_EXPIRED'
  | 'CREDENTIAL_REVOKED';

export type VerifyResult =
  | { ok: true; claims: AssertionClaims; certificateSerial: string; professionalName: string }
  | { ok: false; code: AssertionFailure; detail: string };

export interface Verifier {
  verify(jws: string, opts?: { now?: number; isRevoked?: (serial: string) => boolean }): Promise<VerifyResult>;
}

/** A verifier that trusts professional certificates issued by the given card CA only. */
export function createAssertionVerifier(options: {
  cardCaPem: string;
  clockSkewSeconds?: number;
  maxLifetimeSeconds?: number;
}): Verifier {
  const [caB64] = pemBlocks(options.cardCaPem);
  if (caB64 === undefined) throw new Error('No card CA certificate given');
  const cardCa = new X509Certificate(Buffer.from(caB64, 'base64'));
  const skew = options.clockSkewSeconds ?? 30;
  const maxLifetime = options.maxLifetimeSeconds ?? ASSERTION_MAX_LIFETIME_SECONDS;
  const fail = (code: AssertionFailure, detail: string): VerifyResult => ({ ok: false, code, detail });

  /**
   * A card certificate checked once against the card CA is remembered (by its base64 DER), so the hot path
   * does one signature check per request, not three. The validity window is still checked every time.
   */
  interface Card {
    cert: X509Certificate;
    key: KeyObject;
    /** An EC P-256 key: the only one an ES256 signature can be checked with. */
    es256: boolean;
    trusted: boolean;
    from: number;
    to: number;
    who: ReturnType<typeof identityFromSubjectAltName>;
    name: string;
  }
  const cards = new Map<string, Card>();
  function card(x5c: string): Card {
    let c = cards.get(x5c);
    if (c === undefined) {
      const cert = new X509Certificate(Buffer.from(x5c, 'base64'));
      c = {
        cert,
        key: cert.publicKey,
        es256:
          cert.publicKey.asymmetricKeyType === 'ec' && cert.publicKey.asymmetricKeyDetails?.namedCurve === 'prime256v1',
        trusted: cert.checkIssued(cardCa) && cert.verify(cardCa.publicKey),
        from: Date.parse(cert.validFrom),
        to: Date.parse(cert.validTo),
        who: identityFromSubjectAltName(cert.subjectAltName),
        name: /CN=([^\n]+)/.exec(cert.subject)?.[1] ?? '',
      };
      if (cards.size >= 10_000) cards.clear();
      cards.set(x5c, c);
    }
    return c;
  }

  /**
   * The compact JWS checked with node:crypto directly (one synchronous ECDSA P-256 verification with the
   * card's cached KeyObject): jose's verify goes through WebCrypto, whose key import and async job
   * dispatch cost more than the verification itself (docs/performance.md).
   */
  function header(part: string): { alg?: unknown; x5c?: unknown; crit?: unknown } {
    const h: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof h !== 'object' || h === null || Array.isArray(h)) throw new Error('header is not an object');
    return h;
  }
  const BASE64URL = /^[A-Za-z0-9_-]*$/;

  return {
    async verify(jws, opts = {}) {
      const now = opts.now ?? nowSeconds();
      let c: Card;
      const parts = jws.split('.');
      const [h64, p64, s64] = parts;
      if (parts.length !== 3 || h64 === undefined || p64 === undefined || s64 === undefined)
        return fail('ASSERTION_MALFORMED', 'not a compact JWS');
      if (!BASE64URL.test(h64) || !BASE64URL.test(p64) || !BASE64URL.test(s64))
        return fail('ASSERTION_MALFORMED', 'not a compact JWS');
      try {
        const { alg, x5c, crit } = header(h64);
        const leafB64: unknown = Array.isArray(x5c) ? x5c[0] : undefined;
        // No critical extensions are understood here, so any is refused (RFC 7515, 4.1.11).
        if (alg !== 'ES256' || typeof leafB64 !== 'string' || crit !== undefined)
          return fail('ASSERTION_MALFORMED', 'expected an ES256 JWS with the professional certificate in x5c');
        c = card(leafB64);
      } catch {
        return fail('ASSERTION_MALFORMED', 'not a compact JWS');
      }
      const leaf = c.cert;
      if (!c.trusted)
        return fail(
          'ASSERTION_UNTRUSTED',
          `signed with a certificate not issued by the UZI card CA (issuer: ${leaf.issuer.replace(/\n/g, ', ')})`,
        );
      // Certificates on real time, as TLS checks them: the test PKI is issued on the real clock, and a domain
      // clock set back (docs/control.md, "Clock") must not make every card "not yet valid".
      const nowMs = opts.now !== undefined ? opts.now * 1000 : Date.now();
      if (nowMs < c.from || nowMs > c.to)
        return fail(
          'CREDENTIAL_EXPIRED',
          `the professional's certificate is valid ${leaf.validFrom} to ${leaf.validTo}`,
        );
      if (opts.isRevoked?.(leaf.serialNumber) === true)
        return fail('CREDENTIAL_REVOKED', `the professional's certificate ${leaf.serialNumber} is revoked`);
      const signature = Buffer.from(s64, 'base64url');
      const good =
        c.es256 &&
        signature.length === 64 &&
        verifySignature('sha256', Buffer.from(`${h64}.${p64}`), { key: c.key, dsaEncoding: 'ieee-p1363' }, signature);
      let claims: AssertionClaims | null = null;
      try {
        if (good) claims = JSON.parse(Buffer.from(p64, 'base64url').toString('utf8')) as AssertionClaims | null;
      } catch {
        // Signed but not JSON: refused as jose refused it, as a signature that does not hold.
      }
      if (claims === null || typeof claims !== 'object')
        return fail('ASSERTION_BAD_SIGNATURE', 'the signature does not match the professional certificate');
      if (typeof claims.nbf !== 'number' || typeof claims.exp !== 'number' || typeof claims.jti !== 'string')
        return fail('ASSERTION_MALFORMED', 'nbf, exp and jti are required');
      if (claims.exp - claims.nbf > maxLifetime)
        return fail(
          'ASSERTION_TOO_LONG',
          `valid for ${claims.exp - claims.nbf} s; at most ${maxLifetime} s is allowed`,
        );
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
      const who = c.who;
      if (who.uziNumber !== claims.sub || who.roleCode !== claims.role || who.ura !== claims.ura)
        return fail('ASSERTION_UNTRUSTED', 'the claims do not match the professional certificate');
      return { ok: true, claims, certificateSerial: leaf.serialNumber, professionalName: c.name || claims.sub };
    },
  };
}

/**
 * The UZI cards an organisation holds, as files: <dir>/<uziNumber>.cert.pem and .key.pem (what
 * `openPki().ensureProfessional` and the enrolment command write). Read on demand, so a card issued
 * while the service runs is found without a restart.
 */
export function createCredentialDirectory(dir: string) {
  return {
    get(uziNumber: string): Credential | undefined {
      if (!/^\d{9}$/.test(uziNumber)) return undefined;
      const base = join(dir, uziNumber);
      if (!existsSync(`${base}.cert.pem`) || !existsSync(`${base}.key.pem`)) return undefined;
      return { cert: readFileSync(`${base}.cert.pem`, 'utf8'), key: readFileSync(`${base}.key.pem`, 'utf8') };
    },
  };
}
export type CredentialDirectory = ReturnType<typeof createCredentialDirectory>;
