import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { freshBsn } from '@schakel/topology';
import { createCredentialDirectory, signAssertion } from '@schakel/trust/assertion';
import { COVERING_GP, dispense, http, startTestTopology } from '../helpers.js';
import { onPostgres } from '@schakel/service-kit';
import { ADMIN_URL, ON_POSTGRES } from './database.js';

// Two switch-point processes on one PostgreSQL database (docs/deployment.md, "What is guaranteed"): the
// topology's own, and a second one the launcher starts on the same store with the same certificate.
const PHARMACY = 'apotheek-de-vijzel';
const HAP = { id: 'hap-midden', ura: '03000001', applicationId: '300001' };

let t: Awaited<ReturnType<typeof startTestTopology>>;
let second: Awaited<ReturnType<typeof t.startSwitchPointReplica>>;
let asHap: Agent;

beforeAll(async () => {
  if (!ON_POSTGRES) return;
  t = await startTestTopology({ readyTimeoutMs: 150_000 });
  second = await t.startSwitchPointReplica();
  const pki = join(t.dataDir, 'pki');
  asHap = new Agent({
    connect: {
      ca: readFileSync(join(pki, 'root-ca.pem')),
      cert: readFileSync(join(pki, 'systems', `${HAP.id}.cert.pem`)),
      key: readFileSync(join(pki, 'systems', `${HAP.id}.key.pem`)),
    },
  });
});
afterAll(async () => {
  if (!ON_POSTGRES) return;
  await asHap.close();
  await second.stop();
  await t.cleanup();
});

/** The covering GP's signed medication query for `bsn`, as the HAP system sends it to a switch point. */
async function signedQuery(bsn: string) {
  const card = createCredentialDirectory(join(t.dataDir, 'pki', 'professionals', HAP.ura)).get(COVERING_GP.uziNumber);
  if (card === undefined) throw new Error('no card for the covering GP');
  const jws = await signAssertion(card, { interaction: 'QURX_IN990011NL', bsn });
  return {
    headers: {
      authorization: `Bearer ${jws}`,
      'aorta-id': `initialRequestID=${randomUUID()}; requestID=${randomUUID()}`,
    },
    body: {
      bsn,
      requester: { applicationId: HAP.applicationId, professional: COVERING_GP },
      treatmentRelation: true,
    },
  };
}
const ask = (base: string, q: Awaited<ReturnType<typeof signedQuery>>) =>
  http(`${base}/queries/medication`, { body: q.body, headers: q.headers, dispatcher: asHap });
const requestIdOf = (q: Awaited<ReturnType<typeof signedQuery>>) =>
  /requestID=([0-9a-f-]+)$/.exec(q.headers['aorta-id'])?.[1] ?? '';

describe.skipIf(!ON_POSTGRES)('two switch-point processes on one PostgreSQL database', () => {
  it('refuses at the second switch point an assertion the first already accepted', async () => {
    const q = await signedQuery(freshBsn());
    // Nobody registered this BSN: every trust check passes, then KEY204.
    expect((await ask(t.url('lsp'), q)).json.code).toBe('UNKNOWN_PATIENT');
    const again = await ask(second.url, q);
    expect(again.status).toBe(401);
    expect(again.json.code).toBe('ASSERTION_REPLAYED');
  });

  it('keeps the access log one gap-free hash chain under concurrent writers in both processes', async () => {
    const before = (await http(`${t.url('lsp')}/admin/access-log/verify`)).json.entries as number;
    const queries = await Promise.all(Array.from({ length: 120 }, () => signedQuery(freshBsn())));
    const answers = await Promise.all(queries.map((q, i) => ask(i % 2 === 0 ? t.url('lsp') : second.url, q)));
    expect(answers.map((a) => a.json.code)).toEqual(queries.map(() => 'UNKNOWN_PATIENT'));
    for (const base of [t.url('lsp'), second.url]) {
      const verified = (await http(`${base}/admin/access-log/verify`)).json;
      expect(verified).toMatchObject({ ok: true, firstBrokenId: null });
      expect(verified.entries).toBeGreaterThanOrEqual(before + 120);
    }
  });

  it('applies a consent change made through one switch point at the other before its next decision', async () => {
    const bsn = freshBsn();
    const url = t.url(PHARMACY);
    expect(
      (await http(`${url}/patients/${bsn}`, { method: 'PUT', body: { name: 'Anna de Boer', birthDate: '1961-04-30' } }))
        .status,
    ).toBeLessThan(300);
    expect((await http(`${url}/patients/${bsn}/dispenses`, { body: dispense('Metoprolol') })).status).toBe(201);
    expect((await http(`${url}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'consent' } })).status).toBe(
      200,
    );
    // The second switch point decides (and keeps the consent in memory) ...
    const first = await ask(second.url, await signedQuery(bsn));
    expect(first.json.sources[0]).toMatchObject({ status: 'ok', decision: { code: 'CONSENT_GIVEN' } });
    // ... the pharmacy records the objection at the first (its LSP_URL) ...
    expect((await http(`${url}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'objection' } })).status).toBe(
      200,
    );
    // ... and the very next decision at the second refuses.
    const next = await ask(second.url, await signedQuery(bsn));
    expect(next.json.sources[0]).toMatchObject({
      status: 'refused',
      contacted: false,
      decision: { code: 'CONSENT_OBJECTION' },
    });
  });

  it('loses no accepted write when a switch point is killed with SIGKILL mid-request', async () => {
    const victim = await t.startSwitchPointReplica();
    const queries = await Promise.all(Array.from({ length: 150 }, () => signedQuery(freshBsn())));
    const answered: string[] = [];
    const sent = queries.map(async (q) => {
      const r = await ask(victim.url, q).catch(() => undefined);
      if (r?.status === 404 && r.json?.code === 'UNKNOWN_PATIENT') answered.push(requestIdOf(q));
    });
    // Kill it once some have been answered and others are still under way.
    const deadline = Date.now() + 60_000;
    while (answered.length < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    await victim.stop('SIGKILL');
    await Promise.all(sent);
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.length).toBeLessThan(queries.length);
    const logged = new Set(
      ((await http(`${t.url('lsp')}/access-log?limit=1000`)).json.entries as { requestId: string }[]).map(
        (e) => e.requestId,
      ),
    );
    expect(answered.filter((id) => !logged.has(id))).toEqual([]);
    expect((await http(`${t.url('lsp')}/admin/access-log/verify`)).json.ok).toBe(true);
    // The other switch point kept serving.
    expect((await ask(second.url, await signedQuery(freshBsn()))).json.code).toBe('UNKNOWN_PATIENT');
  });

  it('answers 503 STORE_UNAVAILABLE while the database refuses connections, and recovers by itself', async () => {
    const name = new URL(t.databaseUrl ?? '').pathname.slice(1);
    const admin = (text: string) => onPostgres(ADMIN_URL, (query) => query(text));
    await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    try {
      await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`);
      const refused = await ask(second.url, await signedQuery(freshBsn()));
      expect(refused.status).toBe(503);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.json.code).toBe('STORE_UNAVAILABLE');
      const ready = await http(`${second.url}/ready`);
      expect([ready.status, ready.json.code]).toEqual([503, 'STORE_UNAVAILABLE']);
    } finally {
      await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    }
    // No restart: the next requests find the database again.
    let code: string | undefined;
    for (let i = 0; i < 50 && code !== 'UNKNOWN_PATIENT'; i++) {
      code = (await ask(second.url, await signedQuery(freshBsn()))).json.code;
      if (code !== 'UNKNOWN_PATIENT') await new Promise((r) => setTimeout(r, 200));
    }
    expect(code).toBe('UNKNOWN_PATIENT');
    expect((await http(`${second.url}/ready`)).status).toBe(200);
    expect((await http(`${t.url('lsp')}/admin/access-log/verify`)).json.ok).toBe(true);
  });
});
