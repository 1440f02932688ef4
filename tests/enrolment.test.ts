import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { REPO_ROOT, freshBsn } from '@schakel/topology';
import { dispense, http, startTestTopology } from './helpers.js';

const run = promisify(execFile);
const NODE_TS = ['--conditions=@schakel/source', '--import', 'tsx'];
let t: Awaited<ReturnType<typeof startTestTopology>>;
let bsn: string;
const A = 'apotheek-de-vijzel';

beforeAll(async () => {
  t = await startTestTopology();
  bsn = freshBsn();
  const url = t.url(A);
  await http(`${url}/patients/${bsn}`, { method: 'PUT', body: { name: 'Sanne Vermeer', birthDate: '1984-02-29' } });
  await http(`${url}/patients/${bsn}/dispenses`, { body: dispense('Salbutamol 100 microg/dosis aerosol') });
  expect((await http(`${url}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'consent' } })).status).toBe(
    200,
  );
});
afterAll(async () => t?.cleanup());

async function enrolWithCli(id: string, applicationId: string, type: string, professional: string) {
  const { stdout } = await run(
    process.execPath,
    [
      ...NODE_TS,
      'tools/topology/src/cli.ts',
      'enrol',
      '--id',
      id,
      '--name',
      `Integrator ${id}`,
      '--ura',
      `06${applicationId.slice(-6)}`,
      '--application-id',
      applicationId,
      '--type',
      type,
      '--professional',
      professional,
      '--lsp-url',
      t.switchPoint.url,
      '--data-dir',
      t.dataDir,
    ],
    { cwd: REPO_ROOT },
  );
  return { stdout, folder: join(t.dataDir, 'pki', 'enrolled', id) };
}

describe('enrolling an integrator’s own system with the CLI', () => {
  it('issues credentials, enters the address book, and lets a separate plain-Node client do a consent-gated lookup', async () => {
    const { stdout, folder } = await enrolWithCli('my-hapis', '600001', 'N6', '900000099:01.015:Dr. I. Ntegrator');
    expect(stdout).toContain('Enrolled Integrator my-hapis');
    expect(stdout).toContain('curl -s --cacert');
    const systems = (await http(`${t.switchPoint.url}/address-book/systems`)).json.systems;
    expect(systems.map((s: any) => s.applicationId)).toContain('600001');

    // A separate process with no Schakel code: mutual TLS, a hand-made ES256 JWS, the query.
    const { stdout: out } = await run(
      process.execPath,
      ['examples/query-medication.mjs', folder, '600001', '900000099', '01.015', bsn, t.switchPoint.url],
      { cwd: REPO_ROOT },
    );
    const answer = JSON.parse(out);
    expect(answer.status).toBe(200);
    const source = answer.body.sources.find((s: any) => s.applicationId === t.get(A).applicationId);
    expect(source).toMatchObject({ status: 'ok', decision: { code: 'CONSENT_GIVEN' } });
    expect(source.dispenses[0].product.name).toBe('Salbutamol 100 microg/dosis aerosol');
    const log = (await http(`${t.switchPoint.url}/access-log?bsn=${bsn}`)).json.entries;
    expect(log.at(-1)).toMatchObject({
      outcome: 'permitted',
      requesterApplicationId: '600001',
      actingUzi: '900000099',
    });
  });

  it('prints an assertion from the CLI that a curl-style client can send as a Bearer token', async () => {
    const { folder } = await enrolWithCli('my-seh', '600002', 'V4', '900000098:01.071:Dr. S. Eh');
    const { stdout: jws } = await run(
      process.execPath,
      [
        ...NODE_TS,
        'tools/topology/src/cli.ts',
        'assertion',
        '--card',
        join(folder, 'cards', '900000098'),
        '--bsn',
        bsn,
      ],
      { cwd: REPO_ROOT },
    );
    const agent = new Agent({
      connect: {
        ca: readFileSync(join(folder, 'root-ca.pem')),
        cert: readFileSync(join(folder, 'system.cert.pem')),
        key: readFileSync(join(folder, 'system.key.pem')),
      },
    });
    const r = await request(`${t.switchPoint.url}/queries/medication`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${jws.trim()}` },
      body: JSON.stringify({
        bsn,
        requester: { applicationId: '600002', professional: { uziNumber: '900000098', roleCode: '01.071' } },
        treatmentRelation: true,
      }),
    });
    expect(r.statusCode).toBe(200);
    expect(((await r.body.json()) as any).sources[0].status).toBe('ok');
    await agent.close();
  });

  it('enrols an occupational health service whose doctor is then refused everything', async () => {
    const { folder } = await enrolWithCli('arbodienst', '600003', 'X3', '900000097:01.008:Dr. B. Edrijfsarts');
    const { stdout } = await run(
      process.execPath,
      ['examples/query-medication.mjs', folder, '600003', '900000097', '01.008', bsn, t.switchPoint.url],
      { cwd: REPO_ROOT },
    ).catch((e: unknown) => e as { stdout: string });
    const answer = JSON.parse(stdout);
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ code: 'NOT_AUTHORISED', decision: { code: 'PROTOCOL_DENY' } });
  });

  it('refuses bad enrolment input with the option that is wrong', async () => {
    const err = (await run(
      process.execPath,
      [
        ...NODE_TS,
        'tools/topology/src/cli.ts',
        'enrol',
        '--id',
        'x',
        '--name',
        'X',
        '--ura',
        '123',
        '--application-id',
        '7',
        '--type',
        'ZZ',
        '--data-dir',
        t.dataDir,
      ],
      { cwd: REPO_ROOT },
    ).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('--ura');
    expect(err.stderr).toContain('--organisationType');
  });
});

describe('sources accept the switch point only', () => {
  it('refuses the operator’s and the HAP’s certificates on a pharmacy’s /lsp/ leg, and a connection without one', async () => {
    const body = {
      bsn,
      requester: {
        ura: '03000001',
        organisationName: 'HAP',
        professional: { uziNumber: '900000001', roleCode: '01.015' },
      },
    };
    const answeredBefore = (await http(`${t.url(A)}/query-log?bsn=${bsn}`)).json.entries.length;
    const asAdmin = await http(`${t.url(A)}/lsp/medication-queries`, { body });
    expect(asAdmin.status).toBe(403);
    expect(asAdmin.json.code).toBe('CLIENT_NOT_ALLOWED');
    const hapFiles = join(t.dataDir, 'pki', 'systems', 'hap-midden');
    const asHap = new Agent({
      connect: { ca: t.admin.ca, cert: readFileSync(`${hapFiles}.cert.pem`), key: readFileSync(`${hapFiles}.key.pem`) },
    });
    const r = await request(`${t.url(A)}/lsp/medication-queries`, {
      method: 'POST',
      dispatcher: asHap,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(r.statusCode).toBe(403);
    await r.body.dump();
    await asHap.close();
    const anonymous = new Agent({ connect: { ca: t.admin.ca } });
    const none = await request(`${t.url(A)}/lsp/medication-queries`, {
      method: 'POST',
      dispatcher: anonymous,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(none.statusCode).toBe(401);
    expect(((await none.body.json()) as any).code).toBe('CLIENT_CERT_REQUIRED');
    await anonymous.close();
    // None of the three reached the pharmacy's store: its own log of answered queries did not grow.
    expect((await http(`${t.url(A)}/query-log?bsn=${bsn}`)).json.entries).toHaveLength(answeredBefore);
  });
});
