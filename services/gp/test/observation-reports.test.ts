import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type App, asFrontOfficeUser, frontOfficeLogin } from '@schakel/service-kit';
import { freshBsn } from '@schakel/topology';
import { startSwitchPointInProcess, type InProcessSwitchPoint, type TestCaller } from '@schakel/testkit/in-process';
import { buildApp, migrations, type GpDatabase } from '../src/index.js';

// A real switch point and a real GP system over mutual TLS, in this process; the test is the sender (a HAP).
const GP = {
  id: 'gp-test',
  name: 'Praktijk De Test',
  ura: '01000009',
  applicationId: '100009',
  organisationType: 'Z3',
};
const HAP = { id: 'hap-test', name: 'HAP Test', ura: '03000009', applicationId: '300009', organisationType: 'N6' };
const AUTHOR = { uziNumber: '900000001', roleCode: '01.015', name: 'Dr. W' };
let sp: InProcessSwitchPoint;
let gp: App;
let gpUrl: string;
let hap: TestCaller;

beforeAll(async () => {
  sp = await startSwitchPointInProcess();
  const gpCaller = await sp.system(GP);
  const db = await openStore<GpDatabase>({ database: ':memory:', migrations });
  gp = await buildApp(
    { ORG_NAME: GP.name, ORG_URA: GP.ura, APPLICATION_ID: GP.applicationId },
    { db, lsp: gpCaller.lsp, kit: { logLevel: 'silent', tls: gpCaller.tls } },
  );
  gp = asFrontOfficeUser(gp, await frontOfficeLogin(gp, db, { uziNumber: '900000021', roleCode: '01.015' }));
  gpUrl = await gp.listen({ host: '127.0.0.1', port: 0 });
  sp.track(gp);
  await sp.admin.lsp.registerSystem(GP.applicationId, {
    ura: GP.ura,
    organisationName: GP.name,
    organisationType: 'Z3',
    baseUrl: gpUrl,
    provides: ['WAARNEEMGEGEVENS'],
  });
  await sp.admin.lsp.registerSystem(HAP.applicationId, {
    ura: HAP.ura,
    organisationName: HAP.name,
    organisationType: 'N6',
    baseUrl: 'https://127.0.0.1:9',
    provides: [],
  });
  hap = await sp.system(HAP);
});
afterAll(async () => sp?.close());

/** A patient of the practice who consented: the practice registers WAARNEEMGEGEVENS in the index. */
async function patientWithConsent(): Promise<string> {
  const bsn = freshBsn();
  expect(
    (
      await gp.inject({
        method: 'PUT',
        url: `/patients/${bsn}`,
        payload: { name: 'Gerda Smit', birthDate: '1950-02-03' },
      })
    ).statusCode,
  ).toBe(201);
  const r = await gp.inject({ method: 'PUT', url: `/patients/${bsn}/consent`, payload: { state: 'consent' } });
  expect(r.statusCode, r.body).toBe(200);
  return bsn;
}

const COMPLAINT = `Benauwd sinds vanavond ${randomUUID()}`;
function report(bsn: string, messageId: string = randomUUID()) {
  return {
    messageId,
    bsn,
    sender: { applicationId: HAP.applicationId, professional: AUTHOR },
    situation: 'regular',
    encounter: {
      at: '2026-11-02T21:15:00.000Z',
      complaint: COMPLAINT,
      findings: 'Saturatie 94%, piepend expirium',
      actions: 'Salbutamol verneveld; prednisolon 30 mg 5 dagen',
      episodeProposal: { code: 'R96', title: 'Astma' },
      handover: 'Graag controle over 3 dagen',
    },
    writtenAt: '2026-11-02T21:40:00.000Z',
  };
}
async function send(body: ReturnType<typeof report> | object, bsn: string) {
  return hap.http(
    'POST',
    '/reports/observation',
    body,
    await sp.assertion({ ...AUTHOR, ura: HAP.ura }, bsn, { interaction: 'REPC_IN990003NL' }),
  );
}

describe('POST /reports/observation at the switch point', () => {
  it('delivers the report to the patient’s own GP and hands back its acknowledgement (AA)', async () => {
    const bsn = await patientWithConsent();
    const body = report(bsn);
    const r = await send(body, bsn);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json).toMatchObject({
      interaction: 'MCCI_IN000002',
      messageId: body.messageId,
      acknowledgement: 'AA',
      duplicate: false,
      deliveredTo: { applicationId: GP.applicationId },
    });

    const inbox = (await gp.inject(`/inbox?bsn=${bsn}`)).json();
    expect(inbox.count).toBe(1);
    expect(inbox.reports[0]).toMatchObject({
      messageId: body.messageId,
      status: 'unread',
      report: {
        sender: { organisationName: HAP.name, ura: HAP.ura },
        author: AUTHOR,
        encounter: { complaint: COMPLAINT },
      },
    });
    const log = (await sp.admin.http('GET', `/access-log?bsn=${bsn}`)).json.entries.filter(
      (e: { interaction: string }) => e.interaction === 'REPC_IN990003NL',
    );
    expect(log).toMatchObject([
      {
        outcome: 'permitted',
        code: 'AA',
        requesterApplicationId: HAP.applicationId,
        actingUzi: AUTHOR.uziNumber,
        sources: [{ applicationId: GP.applicationId, status: 'ok' }],
      },
    ]);
    expect(log[0].explanation).toContain(body.messageId);
    expect(JSON.stringify(log)).not.toContain('Benauwd');
  });

  it('stores a redelivered message id once and acknowledges it again as a duplicate', async () => {
    const bsn = await patientWithConsent();
    const body = report(bsn);
    expect((await send(body, bsn)).json.acknowledgement).toBe('AA');
    const again = await send(body, bsn);
    expect(again.json).toMatchObject({ acknowledgement: 'AA', duplicate: true });
    const inbox = (await gp.inject(`/inbox?bsn=${bsn}`)).json();
    expect(inbox.count).toBe(1);
    expect(inbox.reports[0].deliveries).toBe(2);
  });

  it('refuses a patient with no registered GP with a reason the sender can show', async () => {
    const bsn = freshBsn();
    const r = await send(report(bsn), bsn);
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ code: 'UNKNOWN_PATIENT', hl7: 'KEY204', decision: { code: 'NO_REGISTERED_GP' } });
    const log = (await sp.admin.http('GET', `/access-log?bsn=${bsn}`)).json.entries;
    expect(log).toMatchObject([{ interaction: 'REPC_IN990003NL', outcome: 'refused', code: 'NO_REGISTERED_GP' }]);
  });

  it('passes on the GP’s rejection (AR) of a patient it does not know', async () => {
    const bsn = freshBsn();
    // Registered in the index (by the operator) but not a patient of the practice.
    expect((await sp.admin.http('PUT', `/reference-index/${bsn}/WAARNEEMGEGEVENS/${GP.applicationId}`)).status).toBe(
      201,
    );
    const r = await send(report(bsn), bsn);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ acknowledgement: 'AR', code: 'UNKNOWN_PATIENT' });
    expect((await gp.inject(`/inbox?bsn=${bsn}`)).json().count).toBe(0);
  });

  it('refuses a report that does not match the contract with 400, without asking the GP', async () => {
    const bsn = await patientWithConsent();
    const { encounter: _e, ...bad } = report(bsn);
    const r = await send({ ...bad, encounter: { complaint: '' } }, bsn);
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('VALIDATION_ERROR');
    expect(
      (await gp.inject(`/query-log?bsn=${bsn}`))
        .json()
        .entries.filter((e: { interaction: string }) => e.interaction === 'REPC_IN990003NL'),
    ).toEqual([]);
  });

  it('refuses a report without a signed assertion, or signed for another interaction', async () => {
    const bsn = await patientWithConsent();
    expect((await hap.http('POST', '/reports/observation', report(bsn))).json.code).toBe('ASSERTION_MISSING');
    const wrong = await hap.http(
      'POST',
      '/reports/observation',
      report(bsn),
      await sp.assertion({ ...AUTHOR, ura: HAP.ura }, bsn),
    );
    expect(wrong.status).toBe(403);
    expect(wrong.json.code).toBe('ASSERTION_MISMATCH');
  });

  it('answers 502 when the GP cannot be reached, so the sender tries again', async () => {
    const bsn = freshBsn();
    await sp.admin.lsp.registerSystem('100010', {
      ura: '01000010',
      organisationName: 'Praktijk Weg',
      organisationType: 'Z3',
      baseUrl: 'https://127.0.0.1:9',
      provides: ['WAARNEEMGEGEVENS'],
    });
    expect((await sp.admin.http('PUT', `/reference-index/${bsn}/WAARNEEMGEGEVENS/100010`)).status).toBe(201);
    const r = await send(report(bsn), bsn);
    expect(r.status).toBe(502);
    expect(r.json.code).toBe('UPSTREAM_UNREACHABLE');
    const log = (await sp.admin.http('GET', `/access-log?bsn=${bsn}`)).json.entries;
    expect(log.at(-1)).toMatchObject({
      outcome: 'failed',
      sources: [{ applicationId: '100010', status: 'unreachable' }],
    });
  });
});

describe('the GP’s inbox', () => {
  it('shows read and processed state, and refuses anyone but the switch point on the delivery leg', async () => {
    const bsn = await patientWithConsent();
    const body = report(bsn);
    await send(body, bsn);
    const read = await gp.inject({ method: 'POST', url: `/inbox/${body.messageId}/read` });
    expect(read.json()).toMatchObject({ status: 'read', processedAt: null });
    const done = await gp.inject({ method: 'POST', url: `/inbox/${body.messageId}/processed` });
    expect(done.json()).toMatchObject({ status: 'processed' });
    expect(done.json().readAt).toBe(read.json().readAt);
    expect((await gp.inject(`/inbox?status=processed&bsn=${bsn}`)).json().count).toBe(1);
    expect((await gp.inject(`/inbox/${randomUUID()}`)).statusCode).toBe(404);

    const direct = await hap.http('POST', `${gpUrl}/lsp/observation-reports`, {
      ...report(bsn),
      sender: { applicationId: HAP.applicationId, ura: HAP.ura, organisationName: 'x', organisationType: 'N6' },
    });
    expect(direct.status).toBe(403);
    expect(direct.json.code).toBe('CLIENT_NOT_ALLOWED');
  });
});
