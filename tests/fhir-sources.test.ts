import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { Client } from 'fhir-kit-client';
import { REPO_ROOT, freshBsn, loadTopology, operatorClient, type Topology } from '@schakel/topology';
import { signAssertion } from '@schakel/trust/assertion';
import { CODE_SYSTEM, SYSTEM, REQUESTER_HEADER, medicationSearchset } from '@schakel/fhir';
import { invalidResources } from '../packages/fhir/test/r4.js';
import { COVERING_GP, dispense, http, startTestTopology } from './helpers.js';

// FHIR sources (issue #17, point 5) over real processes: two pharmacies and a GP practice whose `wire` is
// fhir (the switch point searches them), a third pharmacy on hl7v3 and a fourth on json, so one batch mixes
// all three wires. A FHIR client (fhir-kit-client) searches MedicationDispense at the switch point as an
// enrolled after-hours system with its certificate and a professional's signed assertion; every resource
// it gets is validated against the official R4 definitions. An integrator's own FHIR AIS, enrolled with
// --wire fhir, shows that a source's invalid Bundle is that source's error, not the switch point's.
const run = promisify(execFile);
const NODE_TS = ['--conditions=@schakel/source', '--import', 'tsx'];
const A = 'apotheek-de-vijzel'; // fhir
const B = 'apotheek-zuid'; // fhir
const C = 'apotheek-centrum'; // hl7v3
const D = 'apotheek-dorp'; // json
const GP = 'gp-de-linde'; // fhir
const HAP = 'hap-midden';
const CONSUMER = { id: 'my-fhir-hapis', applicationId: '600041', ura: '06000041', uziNumber: '900000091' };
let t: Awaited<ReturnType<typeof startTestTopology>>;
let consumer: { agent: Agent; card: { cert: string; key: string } };
let lsp: Awaited<ReturnType<typeof operatorClient>>;

function topology(): Topology {
  const base = loadTopology();
  const pharmacy = base.organisations.find((o) => o.id === A);
  if (pharmacy === undefined) throw new Error('the default topology has no Apotheek De Vijzel');
  const extra = (id: string, name: string, n: number, wire: 'json' | 'hl7v3') => ({
    ...pharmacy,
    id,
    name,
    ura: `0200000${n}`,
    applicationId: `20000${n}`,
    wire,
  });
  return {
    ...base,
    organisations: [
      ...base.organisations
        .filter((o) => [A, B, GP, HAP].includes(o.id))
        .map((o) => (o.id === HAP ? o : { ...o, wire: 'fhir' as const })),
      extra(C, 'Apotheek Centrum', 3, 'hl7v3'),
      extra(D, 'Apotheek Dorp', 4, 'json'),
    ],
  };
}

const enrolWithCli = (args: string[]) =>
  run(
    process.execPath,
    [
      ...NODE_TS,
      'tools/topology/src/cli.ts',
      'enrol',
      ...args,
      '--lsp-url',
      t.switchPoint.url,
      '--data-dir',
      t.dataDir,
    ],
    { cwd: REPO_ROOT },
  );

beforeAll(async () => {
  // Info-level logs: the AORTA-ID test below reads every service's log for one exchange.
  t = await startTestTopology({ topology: topology(), logLevel: 'info' });
  lsp = await operatorClient(join(t.dataDir, 'pki'), t.switchPoint.url);
  await enrolWithCli([
    ...['--id', CONSUMER.id, '--name', 'Integrator FHIR HAPIS', '--ura', CONSUMER.ura],
    ...['--application-id', CONSUMER.applicationId, '--type', 'N6'],
    ...['--professional', `${CONSUMER.uziNumber}:01.015:Dr. F. H. Irma`],
  ]);
  const folder = join(t.dataDir, 'pki', 'enrolled', CONSUMER.id);
  const pem = (name: string) => readFileSync(join(folder, name), 'utf8');
  consumer = {
    agent: new Agent({
      connect: { ca: pem('root-ca.pem'), cert: pem('system.cert.pem'), key: pem('system.key.pem') },
    }),
    card: { cert: pem(`cards/${CONSUMER.uziNumber}.cert.pem`), key: pem(`cards/${CONSUMER.uziNumber}.key.pem`) },
  };
});
afterAll(async () => {
  await consumer?.agent.close();
  await lsp?.close();
  await t?.cleanup();
});

/** A patient at a pharmacy with dispenses, optionally a CiO of each kind, and a consent choice. */
async function patientAt(pharmacy: string, bsn: string, products: string[], choice?: 'consent' | 'objection') {
  const url = t.url(pharmacy);
  const put = await http(`${url}/patients/${bsn}`, {
    method: 'PUT',
    body: { name: 'Lotte van Dijk', birthDate: '1977-05-06' },
  });
  expect(put.status, put.text).toBe(201);
  for (const [i, p] of products.entries())
    expect((await http(`${url}/patients/${bsn}/dispenses`, { body: dispense(p, `2026-10-0${i + 1}`) })).status).toBe(
      201,
    );
  if (choice !== undefined)
    expect((await http(`${url}/patients/${bsn}/consent`, { method: 'PUT', body: { state: choice } })).status).toBe(200);
}
async function cioAt(pharmacy: string, bsn: string) {
  for (const body of [
    { kind: 'intolerance', name: 'Penicillines', atc: 'J01C', recordedOn: '2025-03-02' },
    { kind: 'contra-indication', name: 'Verminderde nierfunctie', code: '12345', recordedOn: '2025-01-02' },
  ])
    expect((await http(`${t.url(pharmacy)}/patients/${bsn}/contra-indications`, { body })).status).toBe(201);
}
/** What the pharmacy itself records (its front office): what any wire must bring back unchanged. */
const ownDispenses = async (pharmacy: string, bsn: string) =>
  (await http(`${t.url(pharmacy)}/patients/${bsn}/dispenses`)).json.dispenses;
const ownCio = async (pharmacy: string, bsn: string) =>
  (await http(`${t.url(pharmacy)}/patients/${bsn}/contra-indications`)).json.contraIndications;

/** The FHIR client of the enrolled system, with a fresh signed assertion of its professional for this BSN. */
async function fhirClient(bsn: string) {
  const jws = await signAssertion(consumer.card, { interaction: 'QURX_IN990011NL', bsn });
  return new Client({
    baseUrl: `${t.switchPoint.url}/fhir`,
    customHeaders: { authorization: `Bearer ${jws}` },
    requestOptions: { dispatcher: consumer.agent },
  });
}
const searchMedication = async (bsn: string, extra: Record<string, string | string[]> = {}) =>
  (await (
    await fhirClient(bsn)
  ).search({
    resourceType: 'MedicationDispense',
    searchParams: {
      'patient.identifier': `${SYSTEM.bsn}|${bsn}`,
      _include: 'MedicationDispense:medication',
      _revinclude: ['AllergyIntolerance:patient', 'Flag:patient'],
      ...extra,
    },
  })) as any;

const ofType = (bundle: any, type: string) =>
  (bundle.entry ?? []).filter((e: any) => e.resource.resourceType === type).map((e: any) => e.resource);
const outcomeOf = (bundle: any, pharmacy: string) =>
  ofType(bundle, 'OperationOutcome').find((o: any) => o.id === `source-${t.get(pharmacy).applicationId}`);
const statusOf = (outcome: any) =>
  outcome.issue[0].details.coding.find((c: any) => c.system === CODE_SYSTEM.sourceStatus).code;
const decisionOf = (outcome: any) => outcome.issue[1].details.coding[0].code;

async function lookupAtHap(bsn: string, what: 'medication' | 'summary' = 'medication') {
  const consult = await http(`${t.url(HAP)}/consults`, { body: { bsn, professional: COVERING_GP } });
  expect(consult.status, consult.text).toBe(201);
  const r = await http(`${t.url(HAP)}/consults/${consult.json.id}/${what}`, { body: {} });
  expect(r.status, r.text).toBe(200);
  return r.json;
}
const sourceOf = (batch: any, org: string) =>
  batch.sources.find((s: any) => s.applicationId === t.get(org).applicationId);

describe('a source on wire fhir', () => {
  it('is in the address book with its FHIR base, beside sources on hl7v3 and json', async () => {
    const systems = (await http(`${t.switchPoint.url}/address-book/systems`)).json.systems;
    const entry = (org: string) => systems.find((s: any) => s.applicationId === t.get(org).applicationId);
    expect(entry(A)).toMatchObject({ wire: 'fhir', baseUrl: `${t.url(A)}/lsp/fhir` });
    expect(entry(GP)).toMatchObject({ wire: 'fhir', baseUrl: `${t.url(GP)}/lsp/fhir` });
    expect(entry(C)).toMatchObject({ wire: 'hl7v3' });
    expect(entry(D)).toMatchObject({ wire: 'json' });
  });

  it('answers its FHIR leg with valid R4 to the switch point only', async () => {
    const bsn = freshBsn();
    await patientAt(A, bsn, ['Metoprolol A']);
    await cioAt(A, bsn);
    const pem = (name: string) => readFileSync(join(t.dataDir, 'pki', name), 'utf8');
    const lsp = new Agent({
      connect: {
        ca: pem('root-ca.pem'),
        cert: pem(`systems/${t.topology.switchPoint.id}.cert.pem`),
        key: pem(`systems/${t.topology.switchPoint.id}.key.pem`),
      },
    });
    const requester = Buffer.from(
      JSON.stringify({ ura: CONSUMER.ura, organisationName: 'X', professional: COVERING_GP }),
    ).toString('base64url');
    const path = `/lsp/fhir/MedicationDispense?patient.identifier=${encodeURIComponent(`${SYSTEM.bsn}|${bsn}`)}&_include=MedicationDispense:medication&_revinclude=AllergyIntolerance:patient`;
    try {
      const r = await http(`${t.url(A)}${path}`, { dispatcher: lsp, headers: { [REQUESTER_HEADER]: requester } });
      expect(r.status, r.text).toBe(200);
      expect(r.headers['content-type']).toMatch(/^application\/fhir\+json/);
      expect(ofType(r.json, 'MedicationDispense')).toHaveLength(1);
      expect(ofType(r.json, 'AllergyIntolerance')).toHaveLength(1);
      expect(invalidResources(r.json)).toEqual([]);
      // A search by another identifier system is refused as an OperationOutcome with the code from the one list.
      const bad = await http(`${t.url(A)}/lsp/fhir/MedicationDispense?patient.identifier=urn:oid:1.2.3%7C${bsn}`, {
        dispatcher: lsp,
        headers: { [REQUESTER_HEADER]: requester },
      });
      expect(bad.status).toBe(400);
      expect(bad.json).toMatchObject({ resourceType: 'OperationOutcome' });
      expect(JSON.stringify(bad.json)).toContain('VALIDATION_ERROR');
    } finally {
      await lsp.close();
    }
    // Anyone else (here the enrolled consumer's certificate) is refused by the legs' guard.
    const other = await http(`${t.url(A)}${path}`, { dispatcher: consumer.agent });
    expect(other.status).toBe(403);
    expect(other.json.code).toBe('CLIENT_NOT_ALLOWED');
  });
});

describe('GET /fhir/MedicationDispense at the switch point', () => {
  it('carries one AORTA-ID through every hop: the consumer’s, in the switch point’s and both pharmacies’ logs, never the BSN', async () => {
    const bsn = freshBsn();
    await patientAt(A, bsn, ['Metoprolol A'], 'consent');
    await patientAt(B, bsn, ['Amlodipine B'], 'consent');
    const initial = randomUUID();
    const jws = await signAssertion(consumer.card, { interaction: 'QURX_IN990011NL', bsn });
    const client = new Client({
      baseUrl: `${t.switchPoint.url}/fhir`,
      customHeaders: {
        authorization: `Bearer ${jws}`,
        'aorta-id': `initialRequestID=${initial}; requestID=${randomUUID()}`,
      },
      requestOptions: { dispatcher: consumer.agent },
    });
    const bundle = (await client.search({
      resourceType: 'MedicationDispense',
      searchParams: { 'patient.identifier': `${SYSTEM.bsn}|${bsn}` },
    })) as any;
    expect(ofType(bundle, 'MedicationDispense')).toHaveLength(2);
    // pino writes asynchronously: wait until each service's log has a line of this conversation.
    const linesOf = (id: string) =>
      readFileSync(join(t.dataDir, 'logs', `${id}.log`), 'utf8')
        .split('\n')
        .filter((l) => l.includes(initial));
    for (const id of [t.topology.switchPoint.id, A, B]) {
      await expect.poll(() => linesOf(id).length, { timeout: 5_000 }).toBeGreaterThan(0);
      for (const line of linesOf(id)) expect(line, id).not.toContain(bsn);
    }
  });

  it('searches two FHIR pharmacies and answers one searchset: dispenses, medications, CiO, an outcome per source', async () => {
    const bsn = freshBsn();
    await patientAt(A, bsn, ['Metoprolol A', 'Omeprazol A'], 'consent');
    await cioAt(A, bsn);
    await patientAt(B, bsn, ['Amlodipine B'], 'consent');
    const bundle = await searchMedication(bsn);

    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 3 });
    expect(invalidResources(bundle)).toEqual([]);
    const dispensed = ofType(bundle, 'MedicationDispense');
    expect(dispensed.map((d: any) => d.id).sort()).toEqual(
      [...(await ownDispenses(A, bsn)), ...(await ownDispenses(B, bsn))].map((d: any) => d.id).sort(),
    );
    expect(new Set(dispensed.map((d: any) => d.performer[0].actor.identifier.value))).toEqual(
      new Set([t.get(A).ura, t.get(B).ura]),
    );
    expect(
      ofType(bundle, 'Medication')
        .map((m: any) => m.code.text)
        .sort(),
    ).toEqual(['Amlodipine B', 'Metoprolol A', 'Omeprazol A']);
    expect(ofType(bundle, 'AllergyIntolerance')).toMatchObject([
      { type: 'intolerance', code: { text: 'Penicillines' } },
    ]);
    expect(ofType(bundle, 'Flag')).toMatchObject([{ code: { text: 'Verminderde nierfunctie' } }]);
    for (const pharmacy of [A, B]) {
      expect(statusOf(outcomeOf(bundle, pharmacy))).toBe('ok');
      expect(decisionOf(outcomeOf(bundle, pharmacy))).toBe('CONSENT_GIVEN');
    }
    // The one pipeline: one access-log entry, the professional who signed, both sources.
    const entries = (await http(`${t.switchPoint.url}/access-log?bsn=${bsn}`)).json.entries;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      interaction: 'QURX_IN990011NL',
      outcome: 'permitted',
      actingUzi: CONSUMER.uziNumber,
    });
    expect(entries[0].sources.map((s: any) => s.status)).toEqual(['ok', 'ok']);
  });

  it('names the pharmacy not asked and why, and leaves out what was not included', async () => {
    const bsn = freshBsn();
    await patientAt(A, bsn, ['Metoprolol A'], 'consent');
    await patientAt(B, bsn, ['Amlodipine B'], 'consent');
    expect(
      (await http(`${t.url(B)}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'objection' } })).status,
    ).toBe(200);
    const client = await fhirClient(bsn);
    const bundle = (await client.search({
      resourceType: 'MedicationDispense',
      searchParams: { 'patient.identifier': `${SYSTEM.bsn}|${bsn}` },
    })) as any;
    expect(invalidResources(bundle)).toEqual([]);
    expect(ofType(bundle, 'MedicationDispense').map((d: any) => d.medicationReference.display)).toEqual([
      'Metoprolol A',
    ]);
    expect(ofType(bundle, 'Medication')).toEqual([]);
    expect(statusOf(outcomeOf(bundle, B))).toBe('refused');
    expect(outcomeOf(bundle, B).issue[0].severity).toBe('warning');
    expect(decisionOf(outcomeOf(bundle, B))).toBe('CONSENT_OBJECTION');
  });

  it('refuses without the professional’s assertion, as an OperationOutcome, and logs the refusal', async () => {
    const bsn = freshBsn();
    await patientAt(A, bsn, ['Metoprolol A'], 'consent');
    const client = new Client({
      baseUrl: `${t.switchPoint.url}/fhir`,
      requestOptions: { dispatcher: consumer.agent },
    });
    const err = (await client
      .search({ resourceType: 'MedicationDispense', searchParams: { 'patient.identifier': `${SYSTEM.bsn}|${bsn}` } })
      .catch((e: unknown) => e)) as any;
    expect(err.response.status).toBe(401);
    expect(err.response.data.resourceType).toBe('OperationOutcome');
    expect(invalidResources(err.response.data)).toEqual([]);
    expect((await http(`${t.switchPoint.url}/access-log?bsn=${bsn}`)).json.entries).toMatchObject([
      { outcome: 'refused' },
    ]);
  });
});

describe('one batch over three wires', () => {
  it('asks a FHIR, an HL7v3 and a JSON pharmacy, and each brings back exactly what the pharmacy recorded', async () => {
    const bsn = freshBsn();
    await patientAt(A, bsn, ['Metoprolol A'], 'consent');
    await cioAt(A, bsn);
    await patientAt(C, bsn, ['Salbutamol C'], 'consent');
    await cioAt(C, bsn);
    await patientAt(D, bsn, ['Levothyroxine D', 'Paracetamol D'], 'consent');
    for (const p of [A, C, D]) await lsp.clearJournal(p);

    const batch = await lookupAtHap(bsn);
    // Each pharmacy was asked on its own wire: the journal names the route each one answered.
    for (const [p, route] of [
      [A, '/lsp/fhir/MedicationDispense'],
      [C, '/lsp/aorta'],
      [D, '/lsp/medication-queries'],
    ] as const)
      expect((await lsp.journal(p)).map((j) => `${j.method} ${j.route} ${j.status}`)).toEqual([
        `${route === '/lsp/fhir/MedicationDispense' ? 'GET' : 'POST'} ${route} 200`,
      ]);
    expect(batch.complete).toBe(true);
    for (const pharmacy of [A, C, D]) {
      const source = sourceOf(batch, pharmacy);
      expect(source.status).toBe('ok');
      expect(source.dispenses).toEqual(await ownDispenses(pharmacy, bsn));
    }
    expect(sourceOf(batch, A).contraIndications).toEqual(await ownCio(A, bsn));
    expect(sourceOf(batch, C).contraIndications).toEqual(await ownCio(C, bsn));

    // The same query as a FHIR search: one outcome per source, whatever wire the source speaks.
    const bundle = await searchMedication(bsn);
    expect(invalidResources(bundle)).toEqual([]);
    expect(bundle.total).toBe(4);
    expect([A, C, D].map((p) => statusOf(outcomeOf(bundle, p)))).toEqual(['ok', 'ok', 'ok']);
  });

  it('takes the professional summary from a GP on wire fhir', async () => {
    const bsn = freshBsn();
    const gp = t.url(GP);
    expect(
      (await http(`${gp}/patients/${bsn}`, { method: 'PUT', body: { name: 'Wim de Groot', birthDate: '1952-08-08' } }))
        .status,
    ).toBe(201);
    for (const body of [
      {
        title: 'Hypertensie',
        icpc: { code: 'K86', title: 'Hypertensie zonder orgaanbeschadiging' },
        startDate: '2020-01-01',
        attention: true,
      },
      {
        title: 'Afgeschermd',
        icpc: { code: 'P15', title: 'Chronisch alcoholmisbruik' },
        startDate: '2024-01-01',
        shielded: true,
      },
    ])
      expect((await http(`${gp}/patients/${bsn}/episodes`, { body })).status).toBe(201);
    expect((await http(`${gp}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'consent' } })).status).toBe(
      200,
    );

    await lsp.clearJournal(GP);
    const source = sourceOf(await lookupAtHap(bsn, 'summary'), GP);
    expect((await lsp.journal(GP)).map((j) => `${j.method} ${j.route}`)).toEqual(['GET /lsp/fhir/Patient/$summary']);
    expect(source.status).toBe('ok');
    expect(source.summary.bsn).toBe(bsn);
    expect(source.summary.practice).toEqual({ ura: t.get(GP).ura, name: t.get(GP).name });
    expect(source.summary.openEpisodes).toMatchObject([
      { title: 'Hypertensie', icpc: { code: 'K86' }, attention: true, status: 'open', shielded: false },
    ]);
  });
});

describe('an integrator’s FHIR source', () => {
  it('gets the search with the requester and the AORTA-ID, and an invalid Bundle is that source’s error, not a 5xx', async () => {
    const asked: { url: string; requester: string; aorta: string }[] = [];
    let answer: (bsn: string) => object = () => ({});
    const ais: Server = createServer({ requestCert: true, rejectUnauthorized: true }, (req, res) => {
      asked.push({
        url: req.url ?? '',
        requester: String(req.headers[REQUESTER_HEADER] ?? ''),
        aorta: String(req.headers['aorta-id'] ?? ''),
      });
      const bsn = new URL(req.url ?? '', 'https://x').searchParams.get('patient.identifier')?.split('|')[1] ?? '';
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify(answer(bsn)));
    });
    await new Promise<void>((resolve) => ais.listen(0, '127.0.0.1', resolve));
    try {
      const base = `https://127.0.0.1:${(ais.address() as AddressInfo).port}/fhir`;
      const { stdout } = await enrolWithCli([
        ...['--id', 'my-fhir-ais', '--name', 'Eigen FHIR AIS', '--ura', '06000051', '--application-id', '600051'],
        ...['--type', 'J8', '--wire', 'fhir', '--base-url', base, '--provides', 'MEDVERSTREKKING'],
      ]);
      expect(stdout).toContain('wire fhir');
      const own = join(t.dataDir, 'pki', 'enrolled', 'my-fhir-ais');
      const pem = (name: string) => readFileSync(join(own, name), 'utf8');
      ais.setSecureContext({ cert: pem('system.cert.pem'), key: pem('system.key.pem'), ca: pem('root-ca.pem') });

      // The AIS registers a consented patient (with its own certificate, on the JSON routes).
      const bsn = freshBsn();
      const aisAgent = new Agent({
        connect: { ca: pem('root-ca.pem'), cert: pem('system.cert.pem'), key: pem('system.key.pem') },
      });
      try {
        const consent = await http(`${t.switchPoint.url}/consents/${bsn}/06000051`, {
          method: 'PUT',
          dispatcher: aisAgent,
          body: { state: 'consent', recordedBy: '600051' },
        });
        expect(consent.status, consent.text).toBe(201);
        const registered = await http(`${t.switchPoint.url}/reference-index/${bsn}/MEDVERSTREKKING/600051`, {
          method: 'PUT',
          dispatcher: aisAgent,
          body: {},
        });
        expect(registered.status, registered.text).toBeLessThan(300);
      } finally {
        await aisAgent.close();
      }
      await patientAt(A, bsn, ['Metoprolol A'], 'consent');

      const valid = (forBsn: string) =>
        medicationSearchset(base, {
          dispenses: [
            {
              ...dispense('Inhalator van de eigen AIS'),
              id: 'own-1',
              bsn: forBsn,
              pharmacy: { ura: '06000051', name: 'Eigen FHIR AIS' },
            },
          ],
        });
      answer = valid;
      const ok = await lookupAtHap(bsn);
      expect(sourceOf(ok, A).status).toBe('ok');
      const own600051 = ok.sources.find((s: any) => s.applicationId === '600051');
      expect(own600051).toMatchObject({
        status: 'ok',
        dispenses: [{ id: 'own-1', product: { name: 'Inhalator van de eigen AIS' } }],
      });
      expect(asked).toHaveLength(1);
      expect(asked[0]?.url).toMatch(/^\/fhir\/MedicationDispense\?patient\.identifier=/);
      expect(JSON.parse(Buffer.from(asked[0]?.requester ?? '', 'base64url').toString('utf8'))).toMatchObject({
        ura: t.get(HAP).ura,
        professional: { uziNumber: COVERING_GP.uziNumber, roleCode: COVERING_GP.roleCode },
      });
      expect(asked[0]?.aorta).toMatch(/initialRequestID=[0-9a-f-]{36}; requestID=[0-9a-f-]{36}/);

      // A MedicationDispense without its quantity, then something that is no Bundle at all.
      for (const broken of [
        (forBsn: string) => {
          const b: any = valid(forBsn);
          delete b.entry[0].resource.quantity;
          return b;
        },
        () => ({ resourceType: 'Patient' }),
      ]) {
        answer = broken;
        const batch = await lookupAtHap(bsn);
        expect(sourceOf(batch, A).status).toBe('ok');
        expect(batch.sources.find((s: any) => s.applicationId === '600051')).toMatchObject({
          status: 'error',
          contacted: true,
          error: { code: 'UPSTREAM_ERROR' },
        });
        expect(batch.complete).toBe(false);
      }
    } finally {
      await new Promise<void>((resolve) => ais.close(() => resolve()));
    }
  });
});
