import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORGANISATION_TYPE_OF, freshBsn, loadTopology } from '@schakel/topology';
import { signAssertion } from '@schakel/trust/assertion';
import { COVERING_GP, http, startTestTopology } from './helpers.js';

// Three switch-point replicas behind one address on one shared store (issue #18, docs/deployment.md).
// Node's cluster hands each new connection to the next replica, so every call below that must land on a
// replica of its own opens a connection of its own; the `schakel-replica` header says which one answered.
let t: Awaited<ReturnType<typeof startTestTopology>>;
let hapTls: { cert: string; key: string; ca: string };
let card: { cert: string; key: string };
const HAP = 'hap-midden';
const PHARMACY = 'apotheek-de-vijzel';

beforeAll(async () => {
  // The switch point with the requester and one source: what every guarantee below needs, and fewer processes to start.
  const full = loadTopology();
  t = await startTestTopology({
    replicas: 3,
    topology: { ...full, organisations: full.organisations.filter((o) => o.id === HAP || o.id === PHARMACY) },
  });
  const hap = t.get(HAP);
  const files = await t.pki.ensureSystem({
    id: hap.id,
    name: hap.name,
    ura: hap.ura ?? '',
    applicationId: hap.applicationId ?? '',
    organisationType: ORGANISATION_TYPE_OF.hap,
  });
  hapTls = { cert: readFileSync(files.certFile, 'utf8'), key: readFileSync(files.keyFile, 'utf8'), ca: t.pki.rootPem };
  const cardFiles = await t.pki.ensureProfessional({ ...COVERING_GP, ura: hap.ura ?? '' });
  card = { cert: readFileSync(cardFiles.certFile, 'utf8'), key: readFileSync(cardFiles.keyFile, 'utf8') };
});
afterAll(async () => t?.cleanup());

const lsp = (path: string) => `${t.switchPoint.url}${path}`;

/** One request on a connection of its own (so the cluster picks the next replica), as `tls` presents itself. */
async function onNewConnection(
  path: string,
  tls: { cert?: string; key?: string; ca: string },
  options: { body?: unknown; headers?: Record<string, string>; method?: string } = {},
) {
  const agent = new Agent({ connect: tls });
  try {
    const r = await request(lsp(path), {
      method: (options.method ?? (options.body === undefined ? 'GET' : 'POST')) as 'GET',
      headers: { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      dispatcher: agent,
    });
    const text = await r.body.text();
    return {
      status: r.statusCode,
      replica: Number(r.headers['schakel-replica']),
      json: text.length > 0 ? JSON.parse(text) : undefined,
      text,
    };
  } finally {
    await agent.close();
  }
}

/** The HAP's medication query, straight at the switch point with the HAP's certificate and a signed assertion. */
async function medicationQuery(bsn: string, assertion?: string) {
  const token = assertion ?? (await signAssertion(card, { interaction: 'QURX_IN990011NL', bsn }));
  return {
    token,
    answer: await onNewConnection('/queries/medication', hapTls, {
      body: {
        bsn,
        requester: { applicationId: t.get(HAP).applicationId, professional: COVERING_GP },
        treatmentRelation: true,
      },
      headers: { authorization: `Bearer ${token}` },
    }),
  };
}

async function pharmacyPatient(bsn: string) {
  const desk = await t.frontOffice(PHARMACY);
  expect(
    (
      await http(`${t.url(PHARMACY)}/patients/${bsn}`, {
        method: 'PUT',
        body: { name: 'Noor Visser', birthDate: '1970-05-05' },
        headers: desk,
      })
    ).status,
  ).toBeLessThan(300);
  const registered = await http(lsp(`/reference-index/${bsn}/MEDVERSTREKKING/${t.get(PHARMACY).applicationId}`), {
    method: 'PUT',
  });
  expect(registered.status, registered.text).toBeLessThan(300);
}

/** The medication queries about this patient in the switch point's access log. */
const queriesLogged = async (bsn: string) =>
  (await http(lsp(`/access-log?bsn=${bsn}`))).json.entries.filter((e: any) => e.interaction === 'QURX_IN990011NL')
    .length as number;

const pharmacyIn = (batch: any) => batch.sources.find((s: any) => s.applicationId === t.get(PHARMACY).applicationId);

describe('three switch-point replicas behind one address', () => {
  it('answers from every replica, in turn, at the one address', async () => {
    const replicas = new Set<number>();
    for (let i = 0; i < 6; i += 1) {
      const health = await onNewConnection('/health', t.admin);
      expect(health.status).toBe(200);
      expect(health.json.replica).toBe(health.replica);
      replicas.add(health.replica);
    }
    expect([...replicas].sort()).toEqual([1, 2, 3]);
  });

  it('carries out the operator’s controls on every replica: clock, journal', async () => {
    const set = await http(lsp('/control/clock'), {
      method: 'PUT',
      body: { at: '2031-01-01T09:00:00.000Z', frozen: true },
    });
    expect(set.status, set.text).toBe(200);
    try {
      const seen = new Set<number>();
      for (let i = 0; i < 3; i += 1) {
        const health = await onNewConnection('/health', t.admin);
        expect(health.json.now).toBe('2031-01-01T09:00:00.000Z');
        seen.add(health.replica);
      }
      expect(seen.size).toBe(3);
    } finally {
      expect((await http(lsp('/control/clock'), { method: 'DELETE' })).status).toBe(200);
    }
    const journal = (await http(lsp('/control/journals/lsp'))).json.entries;
    expect(new Set(journal.filter((e: any) => e.route === '/health').map((e: any) => e.replica))).toEqual(
      new Set([1, 2, 3]),
    );
  });

  it('refuses an assertion replayed at another replica', async () => {
    const bsn = freshBsn();
    await pharmacyPatient(bsn);
    const first = await medicationQuery(bsn);
    expect(first.answer.status, first.answer.text).toBe(200);
    const refusedAt = new Set<number>();
    for (let i = 0; i < 6 && [...refusedAt].every((r) => r === first.answer.replica); i += 1) {
      const again = (await medicationQuery(bsn, first.token)).answer;
      expect(again.status, again.text).toBe(401);
      expect(again.json.code).toBe('ASSERTION_REPLAYED');
      refusedAt.add(again.replica);
    }
    expect([...refusedAt].some((r) => r !== first.answer.replica)).toBe(true);
  });

  it('applies a consent choice made at one replica to the next decision at another', async () => {
    const bsn = freshBsn();
    await pharmacyPatient(bsn);
    let crossed = 0;
    for (const state of ['consent', 'objection', 'consent', 'objection', 'consent', 'objection'] as const) {
      const login = await onNewConnection('/portal/login', { ca: t.admin.ca }, { body: { bsn, code: '123456' } });
      expect(login.status, login.text).toBe(200);
      const choice = await onNewConnection(
        '/portal/choices',
        { ca: t.admin.ca },
        {
          body: { state, holder: { organisationType: 'J8' }, category: 'MEDVERSTREKKING' },
          headers: { authorization: `Bearer ${login.json.token}` },
        },
      );
      expect(choice.status, choice.text).toBe(201);
      const { answer } = await medicationQuery(bsn);
      expect(answer.status, answer.text).toBe(200);
      if (answer.replica !== choice.replica) crossed += 1;
      expect(pharmacyIn(answer.json).decision).toMatchObject(
        state === 'consent'
          ? { code: 'CONSENT_GIVEN', consentRecordId: choice.json.record.id }
          : { code: 'CONSENT_OBJECTION', consentRecordId: choice.json.record.id },
      );
    }
    // Each choice and the query after it are consecutive connections: the cluster gives them different replicas.
    expect(crossed).toBeGreaterThanOrEqual(3);
  });

  it('ends a portal session logged out at one replica at every replica', async () => {
    const login = await onNewConnection(
      '/portal/login',
      { ca: t.admin.ca },
      { body: { bsn: freshBsn(), code: '123456' } },
    );
    const session = { authorization: `Bearer ${login.json.token}` };
    const seenAt = new Set<number>();
    for (let i = 0; i < 3; i += 1) {
      const profile = await onNewConnection('/portal/profile', { ca: t.admin.ca }, { headers: session });
      expect(profile.status, profile.text).toBe(200);
      seenAt.add(profile.replica);
    }
    expect(seenAt.size).toBe(3);
    const out = await onNewConnection('/portal/logout', { ca: t.admin.ca }, { method: 'POST', headers: session });
    expect(out.status, out.text).toBe(204);
    const refusedAt = new Set<number>();
    for (let i = 0; i < 3; i += 1) {
      const profile = await onNewConnection('/portal/profile', { ca: t.admin.ca }, { headers: session });
      expect(profile.json.code).toBe('PORTAL_LOGIN_REQUIRED');
      refusedAt.add(profile.replica);
    }
    expect(refusedAt.size).toBe(3);
  });

  it('counts failed portal logins over all replicas: the sixth try is refused wherever it lands', async () => {
    const bsn = freshBsn();
    const failedAt = new Set<number>();
    for (let i = 0; i < 5; i += 1) {
      const r = await onNewConnection('/portal/login', { ca: t.admin.ca }, { body: { bsn, code: 'wrong' } });
      expect(r.json.code, r.text).toBe('PORTAL_LOGIN_FAILED');
      failedAt.add(r.replica);
    }
    // The five failures were spread over the replicas, so no replica saw five of its own.
    expect(failedAt.size).toBe(3);
    for (let i = 0; i < 3; i += 1) {
      const r = await onNewConnection('/portal/login', { ca: t.admin.ca }, { body: { bsn, code: '123456' } });
      expect(r.status, r.text).toBe(429);
      expect(r.json.code).toBe('TOO_MANY_ATTEMPTS');
    }
  });

  it('keeps one gap-free access-log chain with all replicas appending at once', async () => {
    const bsn = freshBsn();
    await pharmacyPatient(bsn);
    const answers = await Promise.all(Array.from({ length: 24 }, async () => (await medicationQuery(bsn)).answer));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(new Set(answers.map((a) => a.replica)).size).toBe(3);
    const verdict = await http(lsp('/admin/access-log/verify'));
    expect(verdict.json).toMatchObject({ ok: true, firstBrokenId: null });
    expect(await queriesLogged(bsn)).toBe(24);
  });

  it('keeps serving and loses no accepted write when a replica is killed mid-request', async () => {
    const bsn = freshBsn();
    await pharmacyPatient(bsn);
    const replicaPids = childPids(t.get('lsp').child?.pid ?? 0);
    expect(replicaPids).toHaveLength(3);
    // A stream of queries on their own connections; one replica gets kill -9 while they run.
    const results: { status: number }[] = [];
    const stream = (async () => {
      for (let i = 0; i < 30; i += 1) {
        try {
          const { answer } = await medicationQuery(bsn);
          results.push({ status: answer.status });
        } catch {
          results.push({ status: 0 });
        }
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    process.kill(replicaPids[0] ?? 0, 'SIGKILL');
    await stream;
    const answered = results.filter((r) => r.status === 200);
    // At most the requests on the killed replica's connections fail; the others keep answering.
    expect(answered.length).toBeGreaterThanOrEqual(results.length - 3);
    // Every answered query is in the access log (written before the answer left), and the chain holds.
    expect(await queriesLogged(bsn)).toBeGreaterThanOrEqual(answered.length);
    expect((await http(lsp('/admin/access-log/verify'))).json).toMatchObject({ ok: true, firstBrokenId: null });
    // The primary forks the killed replica again: three answer once more.
    await expect.poll(() => childPids(t.get('lsp').child?.pid ?? 0).length, { timeout: 30_000 }).toBe(3);
  });
});

/** The replicas are the cluster primary's children. */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((s) => s.length > 0)
      .map(Number);
  } catch {
    return [];
  }
}
