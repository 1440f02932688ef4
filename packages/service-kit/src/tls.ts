import { readFileSync } from 'node:fs';
import type { Certificate, PeerCertificate, TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import type { Guard } from './audience.js';
import { identityFromSubjectAltName, problem, type CertificateIdentity, type ProblemError } from '@schakel/contracts';

/** PEM material for mutual TLS: this system's certificate chain and key, and the root it trusts. */
export interface TlsMaterial {
  cert: string;
  key: string;
  ca: string;
}

export function readTlsFiles(files: {
  TLS_CERT_FILE?: string | undefined;
  TLS_KEY_FILE?: string | undefined;
  TLS_CA_FILE?: string | undefined;
}): TlsMaterial | undefined {
  const { TLS_CERT_FILE: cert, TLS_KEY_FILE: key, TLS_CA_FILE: ca } = files;
  if (cert === undefined && key === undefined && ca === undefined) return undefined;
  if (cert === undefined || key === undefined || ca === undefined)
    throw new Error('TLS_CERT_FILE, TLS_KEY_FILE and TLS_CA_FILE go together: set all three or none');
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8'), ca: readFileSync(ca, 'utf8') };
}

export interface ClientIdentity extends CertificateIdentity {
  applicationId: string;
  ura: string;
  serialNumber: string;
  subject: string;
}

export type ClientCheck = { ok: true; identity: ClientIdentity } | { ok: false; error: ProblemError };

/**
 * Who is calling, from the client certificate of this TLS connection. The server asks for a certificate
 * but lets the handshake finish without a good one (requestCert, rejectUnauthorized: false), so that a
 * refusal reaches the caller as problem+json and the log rather than as "other side closed".
 */
const checked = new WeakMap<object, ClientCheck>();

/** The certificate of a keep-alive connection does not change: check it once per connection. */
export function checkClientCertificate(request: FastifyRequest): ClientCheck {
  const socket = request.raw.socket as Partial<TLSSocket>;
  const known = checked.get(socket);
  if (known !== undefined) return known;
  const result = checkSocket(socket);
  checked.set(socket, result);
  return result;
}

function checkSocket(socket: Partial<TLSSocket>): ClientCheck {
  const refuse = (
    code: 'CLIENT_CERT_REQUIRED' | 'CLIENT_CERT_UNTRUSTED' | 'CLIENT_CERT_EXPIRED',
    detail: string,
  ): ClientCheck => ({ ok: false, error: problem(code, detail) });
  if (socket.encrypted !== true || typeof socket.getPeerCertificate !== 'function') {
    return refuse('CLIENT_CERT_REQUIRED', 'Connect over HTTPS with your system certificate (mutual TLS)');
  }
  // Node answers null for a destroyed socket and may leave out the subject, though its types say otherwise.
  const peer = socket.getPeerCertificate() as PeerCertificate | null;
  if (peer === null || Object.keys(peer).length === 0)
    return refuse(
      'CLIENT_CERT_REQUIRED',
      'No client certificate was presented; connect with your system certificate (mutual TLS)',
    );
  const names = peer.subject as Partial<Certificate> | undefined;
  const subject = `CN=${String(names?.CN ?? '')}, O=${String(names?.O ?? '')}`;
  if (socket.authorized !== true) {
    const reason = String(socket.authorizationError ?? 'unknown');
    if (reason === 'CERT_HAS_EXPIRED' || reason === 'CERT_NOT_YET_VALID')
      return refuse(
        'CLIENT_CERT_EXPIRED',
        `The client certificate ${subject} is not valid now (${reason}, valid ${peer.valid_from} to ${peer.valid_to})`,
      );
    return refuse(
      'CLIENT_CERT_UNTRUSTED',
      `The client certificate ${subject} is not issued by the trusted test UZI server CA (${reason})`,
    );
  }
  const identity = identityFromSubjectAltName(peer.subjectaltname);
  if (identity.applicationId === undefined || identity.ura === undefined) {
    return refuse(
      'CLIENT_CERT_UNTRUSTED',
      `The client certificate ${subject} is not a system certificate (no URA and application id)`,
    );
  }
  return {
    ok: true,
    identity: {
      ...identity,
      applicationId: identity.applicationId,
      ura: identity.ura,
      serialNumber: peer.serialNumber,
      subject,
    },
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The calling system, once a client-certificate guard passed. */
    client?: ClientIdentity;
  }
  interface FastifyInstance {
    /**
     * Who is calling: the client certificate of the connection (checkClientCertificate). Tests that
     * use inject(), which has no TLS socket, may give another function through KitOptions.identify.
     */
    identifyClient: (request: FastifyRequest) => ClientCheck;
  }
}

/**
 * The guard of an audience that needs a system certificate (see audience.ts). `authorise` may refuse a
 * known caller (e.g. a source accepts only the switch point); `onRefusal` lets a service write its access
 * log before the answer goes out.
 */
export function certificateGuard(options: {
  authorise?: (
    identity: ClientIdentity,
    request: FastifyRequest,
  ) => Promise<ProblemError | undefined> | ProblemError | undefined;
  onRefusal?: (request: FastifyRequest, error: ProblemError, identity: ClientIdentity | undefined) => Promise<void>;
}): Guard {
  return async (request: FastifyRequest) => {
    const check = request.server.identifyClient(request);
    const error = check.ok ? await options.authorise?.(check.identity, request) : check.error;
    if (error === undefined && check.ok) {
      request.client = check.identity;
      return;
    }
    const refusal = error ?? problem('CLIENT_CERT_UNTRUSTED', 'refused');
    request.log.warn(
      { code: refusal.code, client: check.ok ? check.identity.applicationId : undefined },
      'client refused',
    );
    await options.onRefusal?.(request, refusal, check.ok ? check.identity : undefined);
    throw refusal;
  };
}

/** A source's switch-point legs: only the switch point's own certificate. */
export function switchPointOnly(service: string): Guard {
  return certificateGuard({
    authorise: (identity) =>
      identity.roles.includes('switch-point')
        ? undefined
        : problem(
            'CLIENT_NOT_ALLOWED',
            `Only the switch point may call ${service} on its switch-point legs; ${identity.subject} may not`,
          ),
  });
}

/**
 * Another care system of one of these organisation types (its system certificate says which): a hospital's
 * referral inbox takes letters from GP systems only, sent directly rather than through the switch point.
 */
export function systemsOfType(types: readonly string[], what: string): Guard {
  return certificateGuard({
    authorise: (identity) =>
      identity.organisationType !== undefined && types.includes(identity.organisationType)
        ? undefined
        : problem(
            'CLIENT_NOT_ALLOWED',
            `Only ${what} (organisation type ${types.join(', ')}) may call this; ${identity.subject} is of type ${identity.organisationType ?? 'none'}`,
          ),
  });
}

/** For tests that use inject() (no socket, so no certificate): every caller is this system. */
export const identifiedAs = (identity: ClientIdentity) => (): ClientCheck => ({ ok: true, identity });
