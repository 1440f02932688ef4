import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { REPO_ROOT, freshBsn } from '@schakel/topology';
import { actionOf, decodeBatch, parseEnvelope } from '@schakel/hl7v3';
import { dispense, http, startTestTopology } from './helpers.js';

// An integrator's HL7v3 system against the real topology: enrolled with the CLI, then a separate plain Node
// process (examples/query-medication-hl7v3.mjs, no Schakel code) and the CLI's ready envelope sent as curl would.
const run = promisify(execFile);
const NODE_TS = ['--conditions=@schakel/source', '--import', 'tsx'];
const A = 'apotheek-de-vijzel';
const B = 'apotheek-zuid';
const PRODUCT = 'Salbutamol 100 microg/dosis aerosol';
const SYSTEM = { id: 'my-hl7-his', applicationId: '600021', uziNumber: '900000089', roleCode: '01.015' };
let t: Awaited<ReturnType<typeof startTestTopology>>;
let bsn: string;
let folder: string;

beforeAll(async () => {
  t = await startTestTopology();
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
  await run(
    process.execPath,
    [
      ...NODE_TS,
      'packages/topology/src/cli.ts',
      'enrol',
      ...[
        '--id',
        SYSTEM.id,
        '--name',
        'Integrator HL7 HIS',
        '--ura',
        '06000021',
        '--application-id',
        SYSTEM.applicationId,
        '--type',
        'N6',
      ],
      ...[
        '--professional',
        `${SYSTEM.uziNumber}:${SYSTEM.roleCode}:Dr. H. L. Zeven`,
        '--lsp-url',
        t.switchPoint.url,
        '--data-dir',
        t.dataDir,
      ],
    ],
    { cwd: REPO_ROOT },
  );
  folder = join(t.dataDir, 'pki', 'enrolled', SYSTEM.id);
});
afterAll(async () => t?.cleanup());

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
    const { stdout: envelope } = await run(
      process.execPath,
      [
        ...NODE_TS,
        'packages/topology/src/cli.ts',
        'hl7',
        '--card',
        join(folder, 'cards', SYSTEM.uziNumber),
        '--bsn',
        bsn,
        '--lsp-url',
        t.switchPoint.url,
      ],
      {
        cwd: REPO_ROOT,
      },
    );
    expect(envelope).toContain(`<wsa:To>${t.switchPoint.url}/aorta/query</wsa:To>`);
    const file = (name: string) => readFileSync(join(folder, name));
    const agent = new Agent({
      connect: { ca: file('root-ca.pem'), cert: file('system.cert.pem'), key: file('system.key.pem') },
    });
    try {
      const r = await request(`${t.switchPoint.url}/aorta/query`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/soap+xml' },
        body: envelope,
      });
      const text = await r.body.text();
      expect(r.statusCode, text).toBe(200);
      const answer = parseEnvelope(text, { maxBytes: 16 * 1024 * 1024 });
      expect(answer.action).toBe(actionOf('MCCI_IN200101'));
      const { batch } = decodeBatch(answer.body);
      expect(batch.sources.find((s) => s.applicationId === t.get(A).applicationId)).toMatchObject({
        status: 'ok',
        dispenses: [{ product: { name: PRODUCT } }],
      });
    } finally {
      await agent.close();
    }
  });
});
