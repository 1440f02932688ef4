import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { OID } from '@schakel/contracts';

/**
 * A test PKI in the spirit of the UZI register: a test root, a server CA that issues each system's
 * certificate (carrying URA, application id and organisation type), and a card CA that issues the
 * professionals' signing credentials (standing in for UZI cards: UZI number, role code, URA).
 * Identity travels in subjectAltName URIs (urn:oid:<OID>:<value>) so that both sides read it without ASN.1.
 * Everything is created on first start into the data directory and never committed.
 */

// @types/node 20 has no global CryptoKey types: take them from node:crypto's webcrypto.
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
const crypto = webcrypto;
x509.cryptoProvider.set(crypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export const SAN = {
  ura: (v: string) => `urn:oid:${OID.ura}:${v}`,
  applicationId: (v: string) => `urn:oid:${OID.applicationId}:${v}`,
  organisationType: (v: string) => `urn:oid:${OID.organisationType}:${v}`,
  uziNumber: (v: string) => `urn:oid:${OID.uziPerson}:${v}`,
  roleCode: (v: string) => `urn:oid:${OID.uziRole}:${v}`,
  role: (v: 'switch-point' | 'admin') => `urn:schakel:role:${v}`,
};

export interface PemPair {
  /** PEM certificate chain: the certificate first, then its issuing CA. */
  cert: string;
  /** PKCS#8 PEM private key. */
  key: string;
}

interface Ca {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

export interface SystemSubject {
  id: string;
  name: string;
  ura: string;
  applicationId: string;
  organisationType?: string;
  role?: 'switch-point' | 'admin';
}

export interface ProfessionalSubject {
  uziNumber: string;
  roleCode: string;
  ura: string;
  name: string;
}

export interface IssueOptions {
  notBefore?: Date;
  notAfter?: Date;
}

const pem = (der: ArrayBuffer, label: string) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END ${label}-----\n`;

async function exportKey(key: CryptoKey): Promise<string> {
  return pem(await crypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function importKeyPair(cert: x509.X509Certificate, keyPem: string): Promise<CryptoKeyPair> {
  const der = Buffer.from(keyPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const privateKey = await crypto.subtle.importKey('pkcs8', der, ALG, true, ['sign']);
  // @peculiar/x509 types this with the DOM's CryptoKey, which lib ES2023 lacks.
  const publicKey = (await cert.publicKey.export(ALG, ['verify'], crypto)) as CryptoKey;
  return { privateKey, publicKey };
}

const generateKeys = () => crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);

async function makeRoot(name: string, years: number): Promise<Ca> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name,
    keys,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + years * 365 * 86_400_000),
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys };
}

async function issue(
  issuer: Ca,
  name: string,
  keys: CryptoKeyPair,
  extensions: x509.Extension[],
  options: IssueOptions & { ca?: boolean } = {},
): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.create({
    subject: name,
    issuer: issuer.cert.subject,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    notBefore: options.notBefore ?? new Date(Date.now() - 60_000),
    notAfter: options.notAfter ?? new Date(Date.now() + 2 * 365 * 86_400_000),
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(options.ca === true, options.ca === true ? 0 : undefined, true),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ...extensions,
    ],
  });
}

const escapeDn = (v: string) => v.replace(/([,+"\\<>;=])/g, '\\$1');

/** The identity a system or professional certificate carries, as subjectAltName URIs. */
const systemUris = (s: SystemSubject) => [
  SAN.ura(s.ura),
  SAN.applicationId(s.applicationId),
  ...(s.organisationType ? [SAN.organisationType(s.organisationType)] : []),
  ...(s.role ? [SAN.role(s.role)] : []),
];
const professionalUris = (p: ProfessionalSubject) => [
  SAN.uziNumber(p.uziNumber),
  SAN.roleCode(p.roleCode),
  SAN.ura(p.ura),
];

/** The subjectAltName URIs of the first certificate in a PEM chain. */
function uriNamesOf(chainPem: string): string[] {
  const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(chainPem)?.[0];
  if (first === undefined) return [];
  const san = new x509.X509Certificate(first).getExtension(x509.SubjectAlternativeNameExtension);
  return (san?.names.items ?? []).filter((n) => n.type === 'url').map((n) => n.value);
}

export interface Pki {
  dir: string;
  /** PEM of the test root: what every party trusts (TLS `ca`). */
  rootPem: string;
  /** PEM of the card CA: what the switch point trusts for professional signatures. */
  cardCaPem: string;
  serverCaPem: string;
  issueSystem(subject: SystemSubject, options?: IssueOptions): Promise<PemPair>;
  issueProfessional(subject: ProfessionalSubject, options?: IssueOptions): Promise<PemPair>;
  /** Issue (or reuse) and write a system's files: <dir>/systems/<id>.{cert,key}.pem */
  ensureSystem(subject: SystemSubject): Promise<{ certFile: string; keyFile: string }>;
  /** Issue (or reuse) and write a professional's files: <dir>/professionals/<ura>/<uzi>.{cert,key}.pem */
  ensureProfessional(subject: ProfessionalSubject): Promise<{ certFile: string; keyFile: string }>;
  files: { root: string; cardCa: string; serverCa: string };
}

/** Load the PKI in `dir`, creating the root and the two CAs on first use. */
export async function openPki(dir: string): Promise<Pki> {
  mkdirSync(dir, { recursive: true });
  const files = {
    root: join(dir, 'root-ca.pem'),
    serverCa: join(dir, 'server-ca.pem'),
    cardCa: join(dir, 'card-ca.pem'),
  };
  const keyFile = (f: string) => f.replace(/\.pem$/, '.key.pem');
  let root: Ca;
  let serverCa: Ca;
  let cardCa: Ca;
  if (existsSync(files.root) && existsSync(files.serverCa) && existsSync(files.cardCa)) {
    const load = async (f: string): Promise<Ca> => {
      const cert = new x509.X509Certificate(readFileSync(f, 'utf8'));
      return { cert, keys: await importKeyPair(cert, readFileSync(keyFile(f), 'utf8')) };
    };
    [root, serverCa, cardCa] = await Promise.all([load(files.root), load(files.serverCa), load(files.cardCa)]);
  } else {
    root = await makeRoot('CN=Schakel test root CA, O=Schakel (test only)', 10);
    const caExt = [new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)];
    const serverKeys = await generateKeys();
    serverCa = {
      keys: serverKeys,
      cert: await issue(root, 'CN=Schakel test UZI server CA, O=Schakel (test only)', serverKeys, caExt, {
        ca: true,
        notAfter: new Date(Date.now() + 5 * 365 * 86_400_000),
      }),
    };
    const cardKeys = await generateKeys();
    cardCa = {
      keys: cardKeys,
      cert: await issue(root, 'CN=Schakel test UZI card CA, O=Schakel (test only)', cardKeys, caExt, {
        ca: true,
        notAfter: new Date(Date.now() + 5 * 365 * 86_400_000),
      }),
    };
    for (const [f, ca] of [
      [files.root, root],
      [files.serverCa, serverCa],
      [files.cardCa, cardCa],
    ] as const) {
      writeFileSync(f, ca.cert.toString('pem') + '\n');
      writeFileSync(keyFile(f), await exportKey(ca.keys.privateKey), { mode: 0o600 });
    }
  }

  async function issueSystem(s: SystemSubject, options: IssueOptions = {}): Promise<PemPair> {
    const keys = await generateKeys();
    const uris = systemUris(s);
    const cert = await issue(
      serverCa,
      `CN=${escapeDn(s.id)}, O=${escapeDn(s.name)}, 2.5.4.5=${s.ura}`,
      keys,
      [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: 'localhost' },
          { type: 'dns', value: s.id },
          { type: 'ip', value: '127.0.0.1' },
          ...uris.map((value) => ({ type: 'url' as const, value })),
        ]),
      ],
      options,
    );
    return {
      cert: cert.toString('pem') + '\n' + serverCa.cert.toString('pem') + '\n',
      key: await exportKey(keys.privateKey),
    };
  }

  async function issueProfessional(p: ProfessionalSubject, options: IssueOptions = {}): Promise<PemPair> {
    const keys = await generateKeys();
    const cert = await issue(
      cardCa,
      `CN=${escapeDn(p.name)}, 2.5.4.5=${p.uziNumber}, O=${p.ura}`,
      keys,
      [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
        new x509.SubjectAlternativeNameExtension(professionalUris(p).map((value) => ({ type: 'url' as const, value }))),
      ],
      options,
    );
    return {
      cert: cert.toString('pem') + '\n' + cardCa.cert.toString('pem') + '\n',
      key: await exportKey(keys.privateKey),
    };
  }

  /**
   * Reuse the files at `base`, unless they are missing or name another identity than `uris` (the topology
   * changed a role or an organisation type since they were issued): then issue them anew, so a card never
   * keeps a role, nor a system an organisation type, that the topology no longer gives it.
   */
  async function ensure(base: string, uris: string[], make: () => Promise<PemPair>) {
    const certFile = `${base}.cert.pem`;
    const keyFilePath = `${base}.key.pem`;
    const names = (list: string[]) => [...list].sort().join(' ');
    if (
      !existsSync(certFile) ||
      !existsSync(keyFilePath) ||
      names(uriNamesOf(readFileSync(certFile, 'utf8'))) !== names(uris)
    ) {
      const pair = await make();
      writeFileSync(certFile, pair.cert);
      writeFileSync(keyFilePath, pair.key, { mode: 0o600 });
    }
    return { certFile, keyFile: keyFilePath };
  }

  return {
    dir,
    rootPem: root.cert.toString('pem') + '\n',
    cardCaPem: cardCa.cert.toString('pem') + '\n',
    serverCaPem: serverCa.cert.toString('pem') + '\n',
    files,
    issueSystem,
    issueProfessional,
    ensureSystem: (s) => {
      mkdirSync(join(dir, 'systems'), { recursive: true });
      return ensure(join(dir, 'systems', s.id), systemUris(s), () => issueSystem(s));
    },
    ensureProfessional: (p) => {
      mkdirSync(join(dir, 'professionals', p.ura), { recursive: true });
      return ensure(join(dir, 'professionals', p.ura, p.uziNumber), professionalUris(p), () => issueProfessional(p));
    },
  };
}
