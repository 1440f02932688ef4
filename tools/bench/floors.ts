import { createHash, generateKeyPairSync, sign, verify, createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { compactVerify } from 'jose';
import { openPki } from '@schakel/trust/pki';
import { MedicationQuery, QueryBatch, SourceMedicationAnswer } from '@schakel/contracts';
import { compileCheck, compileSerializer, compileValidator } from '@schakel/lsp';

/**
 * The unavoidable parts of one routed query, each measured alone on this machine, so the CPU budget in
 * docs/performance.md can put every step next to its physical floor: one ES256 verification (node:crypto
 * and jose), one SHA-256 of an access-log entry, one SQLite insert in WAL mode (alone, and as one row of a
 * 50-row transaction), and the TLS record work of one request/answer exchange.
 */
export interface Floor {
  what: string;
  usPerOp: number;
}

function timeSync(n: number, fn: () => void): number {
  for (let i = 0; i < Math.min(2_000, n); i++) fn();
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) fn();
  const used = process.cpuUsage(start);
  return Math.round(((used.user + used.system) / n) * 10) / 10;
}

async function timeAsync(n: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(200, n); i++) await fn();
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const used = process.cpuUsage(start);
  return Math.round(((used.user + used.system) / n) * 10) / 10;
}

export async function runFloors(log: (line: string) => void): Promise<Floor[]> {
  log('measuring floors (ES256, SHA-256, SQLite WAL insert, TLS records) ...');
  const out: Floor[] = [];

  // A JWS of the bench's size: header with a card certificate in x5c, the query's claims.
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');
  const header = b64(JSON.stringify({ alg: 'ES256', typ: 'JWT', x5c: ['A'.repeat(700)] }));
  const claims = b64(JSON.stringify({ jti: crypto.randomUUID(), interaction: 'QURX_IN990011NL', bsn: '999900011' }));
  const input = Buffer.from(`${header}.${claims}`);
  const signature = sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  const key = createPublicKey(publicKey.export({ type: 'spki', format: 'pem' }));
  out.push({
    what: 'ES256 verification, node:crypto with a cached KeyObject',
    usPerOp: timeSync(2_000, () => verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, signature)),
  });
  const jws = `${header}.${claims}.${b64(signature)}`;
  out.push({
    what: 'ES256 verification, jose compactVerify (same key)',
    usPerOp: await timeAsync(2_000, () => compactVerify(jws, key)),
  });

  const entry = JSON.stringify([1, new Date().toISOString(), 'QURX_IN990011NL', 'x'.repeat(500), '0'.repeat(64)]);
  out.push({
    what: `SHA-256 of an access-log entry (${entry.length} bytes, hex digest)`,
    usPerOp: timeSync(20_000, () => createHash('sha256').update(entry).digest('hex')),
  });

  const dir = mkdtempSync(join(tmpdir(), 'schakel-floor-'));
  try {
    const db = new Database(join(dir, 'floor.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT, c TEXT, d TEXT, e TEXT, h TEXT)');
    const insert = db.prepare('INSERT INTO t (a, b, c, d, e, h) VALUES (?, ?, ?, ?, ?, ?)');
    const row = ['QURX_IN990011NL', '999900011', 'x'.repeat(200), 'y'.repeat(200), 'permitted', '0'.repeat(64)];
    out.push({
      what: 'SQLite insert, WAL, synchronous=NORMAL, one transaction each',
      usPerOp: timeSync(5_000, () => insert.run(...row)),
    });
    const many = db.transaction((n: number) => {
      for (let i = 0; i < n; i++) insert.run(...row);
    });
    out.push({
      what: 'SQLite insert, WAL, as one row of a 50-row transaction',
      usPerOp: Math.round((timeSync(200, () => many.immediate(50)) / 50) * 10) / 10,
    });
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  out.push({ what: 'TLS 1.3 records, one 1 kB request and 3 kB answer, both ends', usPerOp: await tlsExchange() });
  out.push(...compiledVersusZod());
  return out;
}

/**
 * Not floors but the same kind of figure: the routed query's validation and serialization, zod at run
 * time against what is compiled once from the same schemas (services/lsp/src/pipeline/compiled.ts).
 */
function compiledVersusZod(): Floor[] {
  const dispense = (i: number) => ({
    product: {
      name: `Metoprolol succinaat ${i} mg tablet`,
      atc: 'C07AB02',
      gpk: '68756',
      zi: '14212595',
      strength: '47,5 mg',
    },
    amount: { value: 90, unit: 'stuk' },
    dosageInstruction: '1 maal per dag 1 tablet',
    dispensedOn: '2026-10-02',
    prescriber: { name: 'Dr. A. Bakker', agb: '01012345' },
    id: `d-${i}`,
    bsn: '999900146',
    pharmacy: { ura: '01000009', name: 'Apotheek De Vijzel' },
  });
  const answer = JSON.stringify({ interaction: 'QURX_IN990013NL', dispenses: [dispense(1), dispense(2)] });
  const query = JSON.stringify({
    bsn: '999900146',
    requester: { applicationId: '300009', professional: { uziNumber: '900000001', roleCode: '01.015' } },
    treatmentRelation: true,
  });
  const source = (ura: string) => ({
    applicationId: '100009',
    ura,
    organisationName: 'Apotheek De Vijzel',
    organisationType: 'J8',
    status: 'ok',
    decision: { code: 'CONSENT_GIVEN', rule: 'CONSENT-1', consentRecordId: 12, explanation: 'consent on record' },
    contacted: true,
    durationMs: 12.5,
    dispenses: [dispense(1), dispense(2)],
  });
  // Many batches (each its own ids), as a server writes them: one object written over and over is a case
  // JSON.stringify is unusually good at.
  const batch = () => ({
    interaction: 'QURX_IN990013NL',
    batch: 'MCCI_IN200101',
    batchId: crypto.randomUUID(),
    aortaId: crypto.randomUUID(),
    bsn: '999900146',
    category: 'MEDVERSTREKKING',
    complete: true,
    sources: [source('01000009'), source('02000009')],
  });
  const batches = Array.from({ length: 1_000 }, batch);
  let i = 0;
  const next = () => batches[i++ % batches.length];
  const checkAnswer = compileCheck(SourceMedicationAnswer);
  const checkQuery = compileValidator(MedicationQuery);
  const writeBatch = compileSerializer(QueryBatch);
  const n = 20_000;
  return [
    {
      what: `a source answer (2 dispenses, ${answer.length} bytes): JSON.parse + zod safeParse`,
      usPerOp: timeSync(n, () => SourceMedicationAnswer.safeParse(JSON.parse(answer))),
    },
    {
      what: 'the same: JSON.parse + compiled validator (ajv, zod checks per identifier)',
      usPerOp: timeSync(n, () => checkAnswer(JSON.parse(answer))),
    },
    { what: 'a query body: zod safeParse', usPerOp: timeSync(n, () => MedicationQuery.safeParse(JSON.parse(query))) },
    { what: 'a query body: compiled validator', usPerOp: timeSync(n, () => checkQuery(JSON.parse(query))) },
    {
      what: 'a batch of 2 sources: zod parse + JSON.stringify (before issue #15)',
      usPerOp: timeSync(n, () => JSON.stringify(QueryBatch.parse(next()))),
    },
    { what: 'the same batch: JSON.stringify (first round)', usPerOp: timeSync(n, () => JSON.stringify(next())) },
    { what: 'the same batch: fast-json-stringify (compiled)', usPerOp: timeSync(n, () => writeBatch(next())) },
  ];
}

/** Both ends of a keep-alive TLS connection in this process: write a request, echo an answer, many times. */
async function tlsExchange(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'schakel-floor-pki-'));
  const pki = await openPki(dir);
  const server = await pki.issueSystem({
    id: 'floor',
    name: 'Floor',
    ura: '90000001',
    applicationId: '2.16.528.1.1007.99.1',
  });
  const answer = Buffer.alloc(3_000, 97);
  const request = Buffer.alloc(1_000, 98);
  const srv = createServer({ key: server.key, cert: server.cert }, (s) => {
    s.on('data', () => s.write(answer));
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  // Only the record work is measured here; who the server is does not matter.
  const client: TLSSocket = connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
  await new Promise<void>((resolve, reject) => client.once('secureConnect', resolve).once('error', reject));
  let pending: (() => void) | undefined;
  let got = 0;
  client.on('data', (d: Buffer) => {
    got += d.length;
    if (got >= answer.length) {
      got = 0;
      pending?.();
    }
  });
  const once = () =>
    new Promise<void>((resolve) => {
      pending = resolve;
      client.write(request);
    });
  const us = await timeAsync(3_000, once);
  client.destroy();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
  return us;
}
