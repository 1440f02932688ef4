import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { EnrolmentInput, REPO_ROOT, freshBsn, loadTopology } from '@schakel/topology';
import type { Dispense, ObservationReportSubmission } from '@schakel/contracts';
import {
  actionOf,
  audienceOf,
  buildAnswerEnvelope,
  buildEnvelope,
  decodeAcknowledgement,
  decodeBatch,
  decodeReportAcknowledgement,
  decodeSourceMedicationQuery,
  encodeMedicationAnswer,
  encodeObservationReportSubmission,
  encodeRegistration,
  parseEnvelope,
  signAssertionHeader,
} from '@schakel/hl7v3';
import { signedQueryEnvelope } from '../tools/topology/src/hl7-envelope.js';
import { dispense, http, startTestTopology } from './helpers.js';

// An integrator's HL7v3 system against the real topology with every source on the AORTA wire (the
// pharmacies' and GPs' `wire` is hl7v3), so nothing between the consumer and the sources is JSON: enrolled
// with the CLI, then a separate plain Node process (examples/query-medication-hl7v3.mjs, no Schakel code),
// the CLI's ready envelopes sent as curl would, observation reports over /aorta/report while the GP is
// killed and restarted, and an integrator's own AIS enrolled with --wire hl7v3 as a source.
const run = promisify(execFile);
const NODE_TS = ['--conditions=@schakel/source', '--import', 'tsx'];
const A = 'apotheek-de-vijzel';
const B = 'apotheek-zuid';
const GP = 'gp-de-linde';
const PRODUCT = 'Salbutamol 100 microg/dosis aerosol';
const SYSTEM = { id: 'my-hl7-his', applicationId: '600021', uziNumber: '900000089', roleCode: '01.015' };
const LSP = { applicationId: '1' };
let t: Awaited<ReturnType<typeof startTestTopology>>;
let bsn: string;
let folder: string;
let agent: Agent;

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
  const topology = loadTopology();
  t = await startTestTopology({
    topology: {
      ...topology,
      organisations: topology.organisations.map((o) =>
        o.service === 'gp' || o.service === 'pharmacy' ? { ...o, wire: 'hl7v3' as const } : o,
      ),
    },
  });
  bsn = freshBsn();
  const url = t.url(A);
  await http(`${url}/patients/${bsn}`, { method: 'PUT', body: { name: 'Noor Hendriks', birthDate: '1990-07-12' } });
  await http(`${url}/patients/${bsn}/dispenses`, { body: dispense(PRODUCT) });
  expect((await http(`${url}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'consent' } })).status).toBe(
    200,
  );
  // At B the patient consented and then objected: B stays in the batch as a source not asked.
  await http(`${t.url(B)}/patients/${bsn}`, {
    method: 'PUT',
    body: { name: 'Noor Hendriks', birthDate: '1990-07-12' },
  });
  await http(`${t.url(B)}/patients/${bsn}/dispenses`, { body: dispense('Amlodipine B') });
  for (const state of ['consent', 'objection'])
    expect((await http(`${t.url(B)}/patients/${bsn}/consent`, { method: 'PUT', body: { state } })).status).toBe(200);
  await enrolWithCli([
    ...['--id', SYSTEM.id, '--name', 'Integrator HL7 HIS', '--ura', '06000021'],
    ...['--application-id', SYSTEM.applicationId, '--type', 'N6'],
    ...['--professional', `${SYSTEM.uziNumber}:${SYSTEM.roleCode}:Dr. H. L. Zeven`],
  ]);
  folder = join(t.dataDir, 'pki', 'enrolled', SYSTEM.id);
  const file = (name: string) => readFileSync(join(folder, name));
  agent = new Agent({
    connect: { ca: file('root-ca.pem'), cert: file('system.cert.pem'), key: file('system.key.pem') },
  });
});
afterAll(async () => {
  await agent?.close();
  await t?.cleanup();
});

/** POST a SOAP envelope to the switch point as the enrolled system; answers the parsed answer. */
async function aorta(path: string, envelope: string) {
  const r = await request(`${t.switchPoint.url}${path}`, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/soap+xml' },
    body: envelope,
  });
  const text = await r.body.text();
  expect(r.statusCode, text).toBe(200);
  return parseEnvelope(text, { maxBytes: 16 * 1024 * 1024 });
}

/** The CLI's ready, signed query envelope (npm run -s schakel -- hl7). */
async function cliEnvelope(forBsn: string, interaction = 'QURX_IN990011NL') {
  const { stdout } = await run(
    process.execPath,
    [
      ...NODE_TS,
      'tools/topology/src/cli.ts',
      'hl7',
      ...['--card', join(folder, 'cards', SYSTEM.uziNumber), '--bsn', forBsn, '--interaction', interaction],
      ...['--lsp-url', t.switchPoint.url],
    ],
    { cwd: REPO_ROOT },
  );
  return stdout;
}

describe('an all-HL7v3 topology', () => {
  it('has every GP and pharmacy in the address book on the hl7v3 wire, at its AORTA leg', async () => {
    const systems = (await http(`${t.switchPoint.url}/address-book/systems`)).json.systems as {
      applicationId: string;
      wire: string;
      baseUrl: string;
    }[];
    const sources = t.topology.organisations.filter((o) => o.service === 'gp' || o.service === 'pharmacy');
    expect(sources).toHaveLength(4);
    for (const o of sources)
      expect(systems.find((s) => s.applicationId === o.applicationId)).toMatchObject({
        wire: 'hl7v3',
        baseUrl: `${t.url(o.id)}/lsp/aorta`,
      });
    expect(systems.find((s) => s.applicationId === t.get('hap-midden').applicationId)?.wire).toBe('json');
  });
});

const example = (forBsn: string) =>
  run(
    process.execPath,
    [
      'examples/query-medication-hl7v3.mjs',
      folder,
      SYSTEM.applicationId,
      SYSTEM.uziNumber,
      SYSTEM.roleCode,
      forBsn,
      t.switchPoint.url,
    ],
    { cwd: REPO_ROOT },
  );

describe('the dependency-free HL7v3 example client', () => {
  it('signs the header with node:crypto alone, and prints the pharmacy’s dispense from the MCCI_IN200101 batch', async () => {
    const { stdout } = await example(bsn);
    expect(stdout).toContain(`MCCI_IN200101 batch for BSN ${bsn}: complete (AA)`);
    expect(stdout).toMatch(/- Apotheek De Vijzel \(URA \d{8}, application id \d+\)\n {2}status: ok, asked/);
    expect(stdout).toContain('decision: CONSENT_GIVEN');
    expect(stdout).toContain(`2026-11-01  ${PRODUCT} [ATC C07AB02]`);
    expect(stdout).toMatch(
      /- Apotheek Zuid \(URA \d{8}, application id \d+\)\n {2}status: refused, not asked; acknowledgement AR\n {2}decision: CONSENT_OBJECTION/,
    );
    expect(stdout).not.toContain('Amlodipine B');
    // The switch point took the signed header as the JWS path takes its assertion: one permitted entry.
    const log = (await http(`${t.switchPoint.url}/access-log?bsn=${bsn}`)).json.entries;
    expect(log.at(-1)).toMatchObject({
      interaction: 'QURX_IN990011NL',
      outcome: 'permitted',
      requesterApplicationId: SYSTEM.applicationId,
      actingUzi: SYSTEM.uziNumber,
    });
  });

  it('prints the KEY204 / UNKNOWN_PATIENT acknowledgement for a patient no pharmacy registered, and exits 1', async () => {
    const failed = (await example(freshBsn()).then(
      () => undefined,
      (e: unknown) => e,
    )) as { code: number; stdout: string } | undefined;
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toContain('Refused: MCCI_IN000002 acknowledgement AR');
    expect(failed?.stdout).toMatch(/ {2}E KEY204\/UNKNOWN_PATIENT .*: .+/);
  });
});

describe('npm run -s schakel -- hl7', () => {
  it('prints a signed envelope that, POSTed over mutual TLS with the system’s certificate, gets an MCCI_IN200101 back', async () => {
    const envelope = await cliEnvelope(bsn);
    expect(envelope).toContain(`<wsa:To>${t.switchPoint.url}/aorta/query</wsa:To>`);
    const answer = await aorta('/aorta/query', envelope);
    expect(answer.action).toBe(actionOf('MCCI_IN200101'));
    const { batch } = decodeBatch(answer.body);
    expect(batch.sources.find((s) => s.applicationId === t.get(A).applicationId)).toMatchObject({
      status: 'ok',
      dispenses: [{ product: { name: PRODUCT } }],
    });
  });

  it('gets the professional summary batch (QUPC_IN990001NL) from the HL7v3 GP', async () => {
    const patient = freshBsn();
    const gp = t.url(GP);
    await http(`${gp}/patients/${patient}`, { method: 'PUT', body: { name: 'Piet Bakker', birthDate: '1948-05-06' } });
    await http(`${gp}/patients/${patient}/episodes`, {
      body: { title: 'Astma', icpc: { code: 'R96', title: 'Astma' }, startDate: '2020-01-01' },
    });
    await http(`${gp}/patients/${patient}/treatment-limits`, {
      body: { kind: 'niet-reanimeren', agreedOn: '2026-02-14', agreedWith: 'patiënt zelf' },
    });
    expect(
      (await http(`${gp}/patients/${patient}/consent`, { method: 'PUT', body: { state: 'consent' } })).status,
    ).toBe(200);
    const answer = await aorta('/aorta/query', await cliEnvelope(patient, 'QUPC_IN990001NL'));
    const { batch } = decodeBatch(answer.body);
    expect(batch).toMatchObject({ interaction: 'QUPC_IN990002NL', complete: true, bsn: patient });
    expect(batch.sources).toMatchObject([
      {
        applicationId: t.get(GP).applicationId,
        status: 'ok',
        decision: { code: 'CONSENT_GIVEN' },
        summary: {
          bsn: patient,
          patient: { name: 'Piet Bakker' },
          openEpisodes: [{ icpc: { code: 'R96' } }],
          treatmentLimits: [{ kind: 'niet-reanimeren' }],
        },
      },
    ]);
    // The GP answered it and logged it, under the conversation the switch point started.
    const gpLog = (await http(`${gp}/query-log?bsn=${patient}`)).json.entries;
    expect(gpLog).toMatchObject([{ interaction: 'QUPC_IN990001NL', requesterUra: '06000021' }]);
  });
});

describe('observation reports over /aorta/report to the HL7v3 GP, exactly once', () => {
  const card = () => ({
    cert: readFileSync(join(folder, 'cards', `${SYSTEM.uziNumber}.cert.pem`), 'utf8'),
    key: readFileSync(join(folder, 'cards', `${SYSTEM.uziNumber}.key.pem`), 'utf8'),
  });
  const report = (forBsn: string): ObservationReportSubmission => ({
    messageId: randomUUID(),
    bsn: forBsn,
    sender: {
      applicationId: SYSTEM.applicationId,
      professional: { uziNumber: SYSTEM.uziNumber, roleCode: SYSTEM.roleCode, name: 'Dr. H. L. Zeven' },
    },
    situation: 'regular',
    encounter: { at: '2026-11-02T21:15:00.000Z', complaint: 'Koorts en keelpijn', actions: 'Paracetamol-advies' },
    writtenAt: '2026-11-02T21:40:00.000Z',
  });

  /** One attempt, as an HL7v3 sender makes it: a fresh envelope and signed header, the same report (and id). */
  async function attempt(r: ObservationReportSubmission) {
    const messageId = randomUUID();
    const header = signAssertionHeader(card(), {
      interaction: 'REPC_IN990003NL',
      bsn: r.bsn,
      audience: audienceOf(LSP.applicationId),
      messageId,
    });
    const env = await aorta(
      '/aorta/report',
      buildEnvelope({
        action: actionOf('REPC_IN990003NL'),
        messageId,
        to: `${t.switchPoint.url}/aorta/report`,
        headers: [header],
        body: encodeObservationReportSubmission(r, { transmission: { receiver: LSP } }),
      }),
    );
    expect(env.action).toBe(actionOf('MCCI_IN000002'));
    const { transmission } = decodeAcknowledgement(env.body);
    const typeCode = transmission.acknowledgement.typeCode;
    return typeCode === 'AA'
      ? { typeCode, duplicate: decodeReportAcknowledgement(env.body).acknowledgement.duplicate }
      : { typeCode, duplicate: false };
  }

  /** Send until AA, as a sender's outbox does: AE (the GP did not acknowledge) is tried again, AR is final. */
  async function deliver(r: ObservationReportSubmission): Promise<{ attempts: number; duplicate: boolean }> {
    const until = Date.now() + 60_000;
    for (let attempts = 1; ; attempts++) {
      const a = await attempt(r);
      if (a.typeCode === 'AA') return { attempts, duplicate: a.duplicate };
      if (a.typeCode === 'AR') throw new Error(`report ${r.messageId} rejected`);
      if (Date.now() > until) throw new Error(`report ${r.messageId} not delivered in time`);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
  /** Deliver all, five at a time. */
  async function deliverAll(reports: ObservationReportSubmission[]) {
    const out: { attempts: number; duplicate: boolean }[] = [];
    const queue = [...reports];
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        for (let r = queue.shift(); r !== undefined; r = queue.shift()) out.push(await deliver(r));
      }),
    );
    return out;
  }

  it(
    'delivers 40 reports once each while the GP is SIGKILLed, stopped and restarted; a resent report is a duplicate',
    { timeout: 120_000 },
    async () => {
      const gp = t.url(GP);
      const patients: string[] = [];
      for (let i = 0; i < 5; i++) {
        const p = freshBsn();
        await http(`${gp}/patients/${p}`, { method: 'PUT', body: { name: 'Piet Bakker', birthDate: '1948-05-06' } });
        expect((await http(`${gp}/patients/${p}/consent`, { method: 'PUT', body: { state: 'consent' } })).status).toBe(
          200,
        );
        patients.push(p);
      }
      const reports = Array.from({ length: 40 }, (_, i) => report(patients[i % patients.length] as string));
      const results: { attempts: number; duplicate: boolean }[] = [];

      // 1. Everything up.
      results.push(...(await deliverAll(reports.slice(0, 10))));
      // 2. The GP crashes (SIGKILL) while reports are under way, and comes back.
      const crashing = deliverAll(reports.slice(10, 25));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await t.stop(GP, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await t.restart(GP);
      results.push(...(await crashing));
      // 3. The GP is down (stopped) before they are sent: AE until it is back.
      await t.stop(GP);
      const waiting = deliverAll(reports.slice(25));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await t.restart(GP);
      results.push(...(await waiting));
      expect(results).toHaveLength(40);
      // The outages were felt: some reports needed more than one attempt.
      expect(results.filter((r) => r.attempts > 1).length).toBeGreaterThan(0);
      // 4. A sender that never saw the AA sends again: the GP acknowledges a duplicate and stores nothing new.
      for (const r of reports.slice(0, 3)) expect(await deliver(r)).toEqual({ attempts: 1, duplicate: true });

      const inbox = (await http(`${gp}/inbox?limit=1000`)).json.reports as {
        messageId: string;
        bsn: string;
        deliveries: number;
      }[];
      const mine = inbox.filter((r) => patients.includes(r.bsn));
      const ids = mine.map((r) => r.messageId);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual(reports.map((r) => r.messageId).sort());
      expect(mine.filter((r) => r.deliveries > 1).length).toBeGreaterThanOrEqual(3);
      // One access-log entry per attempt that reached the pipeline; each delivered report has an AA among them.
      const log = (await http(`${t.switchPoint.url}/access-log?bsn=${patients[0]}`)).json.entries as {
        interaction: string;
        code: string;
      }[];
      expect(log.filter((e) => e.interaction === 'REPC_IN990003NL' && e.code === 'AA').length).toBeGreaterThanOrEqual(
        8,
      );
    },
  );
});

describe('npm run enrol -- --wire hl7v3: an integrator’s own AIS as a source', () => {
  it('enters the AIS on the hl7v3 wire; the switch point asks it over SOAP and its answer is in the batch', async () => {
    // The integrator's AIS: its own HTTPS server with mutual TLS, on a port chosen before it has a certificate.
    const asked: string[] = [];
    const ais: Server = createServer({ requestCert: true, rejectUnauthorized: true }, (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const env = parseEnvelope(body);
        const m = decodeSourceMedicationQuery(env.body);
        asked.push(`${req.url} ${env.action} ${m.query.bsn}`);
        const dispensed: Dispense = {
          ...dispense('Inhalator van de eigen AIS'),
          id: 'own-1',
          bsn: m.query.bsn,
          pharmacy: { ura: '06000031', name: 'Eigen AIS' },
        };
        const xml = encodeMedicationAnswer(
          { interaction: 'QURX_IN990013NL', dispenses: [dispensed] },
          {
            transmission: { sender: { applicationId: '600031' }, receiver: m.transmission.sender },
            inResponseTo: m.transmission.id,
            bsn: m.query.bsn,
          },
        );
        res.writeHead(200, { 'content-type': 'application/soap+xml; charset=utf-8' });
        res.end(buildAnswerEnvelope(env, { action: actionOf('QURX_IN990013NL'), body: xml }));
      });
    });
    await new Promise<void>((resolve) => ais.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `https://127.0.0.1:${(ais.address() as AddressInfo).port}/aorta/ais`;
      const enrolAis = (extra: string[]) =>
        enrolWithCli([
          ...['--id', 'my-own-ais', '--name', 'Eigen AIS', '--ura', '06000031', '--application-id', '600031'],
          ...['--type', 'J8', '--wire', 'hl7v3', ...extra],
        ]);
      // hl7v3 is how a source is asked: without a base URL (or categories) enrolment refuses, naming --wire.
      const refused = EnrolmentInput.safeParse({
        ...{ id: 'x', name: 'X', ura: '06000031', applicationId: '600031', organisationType: 'J8', wire: 'hl7v3' },
        ...{ lspUrl: t.switchPoint.url, pkiDir: t.dataDir },
      });
      expect(refused.error?.issues).toMatchObject([{ path: ['wire'] }]);
      const { stdout } = await enrolAis(['--base-url', endpoint, '--provides', 'MEDVERSTREKKING']);
      expect(stdout).toContain('wire hl7v3');
      expect(stdout).toContain(`POSTs HL7v3 in SOAP 1.2 to ${endpoint}`);
      const own = join(t.dataDir, 'pki', 'enrolled', 'my-own-ais');
      const pem = (name: string) => readFileSync(join(own, name), 'utf8');
      ais.setSecureContext({ cert: pem('system.cert.pem'), key: pem('system.key.pem'), ca: pem('root-ca.pem') });
      const systems = (await http(`${t.switchPoint.url}/address-book/systems`)).json.systems;
      expect(systems.find((s: { applicationId: string }) => s.applicationId === '600031')).toMatchObject({
        wire: 'hl7v3',
        baseUrl: endpoint,
        provides: ['MEDVERSTREKKING'],
      });

      // The AIS records the patient's consent and registers the patient (MFMT_IN002101 over SOAP).
      const patient = freshBsn();
      const ownAgent = new Agent({
        connect: { ca: pem('root-ca.pem'), cert: pem('system.cert.pem'), key: pem('system.key.pem') },
      });
      try {
        const consent = await request(`${t.switchPoint.url}/consents/${patient}/06000031`, {
          method: 'PUT',
          dispatcher: ownAgent,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ state: 'consent', recordedBy: '600031' }),
        });
        expect(consent.statusCode, await consent.body.text()).toBe(201);
        const id = randomUUID();
        const registered = await request(`${t.switchPoint.url}/aorta/registration`, {
          method: 'POST',
          dispatcher: ownAgent,
          headers: { 'content-type': 'application/soap+xml' },
          body: buildEnvelope({
            action: actionOf('MFMT_IN002101'),
            messageId: id,
            body: encodeRegistration(
              'MFMT_IN002101',
              { bsn: patient, category: 'MEDVERSTREKKING', applicationId: '600031' },
              { transmission: { id, receiver: LSP } },
            ),
          }),
        });
        const ack = decodeAcknowledgement(parseEnvelope(await registered.body.text()).body).transmission;
        expect(ack.acknowledgement.typeCode).toBe('AA');
      } finally {
        await ownAgent.close();
      }

      // A consumer asks on the AORTA wire; the switch point asks the AIS on its endpoint, over SOAP.
      const query = signedQueryEnvelope({
        card: {
          cert: readFileSync(join(folder, 'cards', `${SYSTEM.uziNumber}.cert.pem`), 'utf8'),
          key: readFileSync(join(folder, 'cards', `${SYSTEM.uziNumber}.key.pem`), 'utf8'),
        },
        bsn: patient,
        interaction: 'QURX_IN990011NL',
        applicationId: SYSTEM.applicationId,
        lspUrl: t.switchPoint.url,
      });
      const { batch } = decodeBatch((await aorta('/aorta/query', query)).body);
      expect(batch.sources).toMatchObject([
        {
          applicationId: '600031',
          organisationName: 'Eigen AIS',
          status: 'ok',
          dispenses: [{ product: { name: 'Inhalator van de eigen AIS' } }],
        },
      ]);
      expect(asked).toEqual([`/aorta/ais ${actionOf('QURX_IN990011NL')} ${patient}`]);
    } finally {
      ais.closeAllConnections();
      await new Promise((resolve) => ais.close(resolve));
    }
  });
});
