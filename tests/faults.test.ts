import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '@schakel/service-kit';
import { freshBsn, operatorClient } from '@schakel/topology';
import { COVERING_GP, dispense, http, startTestTopology } from './helpers.js';

/**
 * The operator's faults and journal (issue #14) over real processes: each fault kind set on one pharmacy
 * at run time shows in the HAP's batch as the matching per-source status, and the journal tells what
 * each organisation received.
 */
let t: Awaited<ReturnType<typeof startTestTopology>>;
let lsp: Awaited<ReturnType<typeof operatorClient>>;
const SOURCE_TIMEOUT_MS = 1_500;
const A = 'apotheek-de-vijzel';
const B = 'apotheek-zuid';
const HAP = 'hap-midden';

beforeAll(async () => {
  t = await startTestTopology({ sourceTimeoutMs: SOURCE_TIMEOUT_MS });
  lsp = await operatorClient(join(t.dataDir, 'pki'), t.switchPoint.url);
});
afterAll(async () => {
  await lsp?.close();
  await t?.cleanup();
});

async function patientAtBoth(): Promise<string> {
  const bsn = freshBsn();
  for (const [pharmacy, product] of [
    [A, 'Metoprolol A'],
    [B, 'Amlodipine B'],
  ] as const) {
    const url = t.url(pharmacy);
    await http(`${url}/patients/${bsn}`, { method: 'PUT', body: { name: 'Anna de Boer', birthDate: '1961-04-30' } });
    await http(`${url}/patients/${bsn}/dispenses`, { body: dispense(product) });
    const r = await http(`${url}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'consent' } });
    expect(r.status, r.text).toBe(200);
  }
  return bsn;
}

async function lookupAtHap(bsn: string) {
  const consult = await http(`${t.url(HAP)}/consults`, { body: { bsn, professional: COVERING_GP } });
  expect(consult.status, consult.text).toBe(201);
  const r = await http(`${t.url(HAP)}/consults/${consult.json.id}/medication`, { body: {} });
  expect(r.status, r.text).toBe(200);
  return {
    a: r.json.sources.find((s: any) => s.applicationId === t.get(A).applicationId),
    b: r.json.sources.find((s: any) => s.applicationId === t.get(B).applicationId),
  };
}

describe('faults set by the operator at run time', () => {
  const cases: Array<[Fault, string]> = [
    [{ kind: 'error', status: 503, code: 'UPSTREAM_ERROR' }, 'error'],
    [{ kind: 'malformed' }, 'error'],
    [{ kind: 'drop' }, 'unreachable'],
    [{ kind: 'hang' }, 'timeout'],
    [{ kind: 'down' }, 'unreachable'],
  ];
  it.each(cases)(
    '%o at one pharmacy shows as "%s" for it, the other answering',
    async (fault, status) => {
      const bsn = await patientAtBoth();
      expect(await lsp.setFault(B, fault)).toMatchObject({ kind: fault.kind });
      try {
        const { a, b } = await lookupAtHap(bsn);
        expect(a.status).toBe('ok');
        expect(b, JSON.stringify(b)).toMatchObject({ status, contacted: true });
      } finally {
        expect(await lsp.clearFault(B)).toBeNull();
      }
      const { b } = await lookupAtHap(bsn);
      expect(b.status).toBe('ok');
    },
    30_000,
  );

  it('delays answers by the fixed latency plus jitter', async () => {
    const bsn = await patientAtBoth();
    await lsp.setFault(B, { kind: 'latency', latencyMs: 400, jitterMs: 100 });
    try {
      const { b } = await lookupAtHap(bsn);
      expect(b.status).toBe('ok');
      expect(b.durationMs).toBeGreaterThanOrEqual(400);
    } finally {
      await lsp.clearFault(B);
    }
  });

  it('applies a fault to the next N requests only', async () => {
    const bsn = await patientAtBoth();
    await lsp.setFault(B, { kind: 'error', times: 1 });
    expect((await lookupAtHap(bsn)).b.status).toBe('error');
    expect((await lookupAtHap(bsn)).b.status).toBe('ok');
  });

  it('refuses a fault on the switch point itself, which has no legs for it to act on', async () => {
    for (const fault of [{ kind: 'error' }, { kind: 'down' }] as const) {
      const refused = await lsp.setFault(t.switchPoint.id, fault).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(refused).toMatchObject({ detail: { status: 409, problem: { code: 'CONFLICT' } } });
    }
    expect(await lsp.clearFault(t.switchPoint.id)).toBeNull();
  });

  it('refuses a fault that is not one, with problem+json', async () => {
    const r = await http(`${t.switchPoint.url}/control/faults/${B}`, {
      method: 'PUT',
      body: { kind: 'explode' },
    });
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toMatch(/problem\+json/);
  });
});

describe('the journal', () => {
  it('shows what each organisation received: B was asked once, and a pharmacy never asked shows nothing', async () => {
    const bsn = await patientAtBoth();
    await lsp.clearJournal(A);
    await lsp.clearJournal(B);
    // The patient objects at A: A is not asked at all.
    expect(
      (await http(`${t.url(A)}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'objection' } })).status,
    ).toBe(200);
    await lsp.clearJournal(A);
    const { a, b } = await lookupAtHap(bsn);
    expect(a).toMatchObject({ status: 'refused', contacted: false });
    expect(b.status).toBe('ok');
    const journalB = await lsp.journal(B);
    expect(journalB).toHaveLength(1);
    expect(journalB[0]).toMatchObject({
      method: 'POST',
      audience: 'switch-point-legs',
      route: '/lsp/medication-queries',
      status: 200,
    });
    expect(journalB[0]?.initialRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await lsp.journal(A)).toEqual([]);
    // The journal names route patterns, never the URL: no BSN in it anywhere.
    expect(JSON.stringify(await lsp.journal(HAP))).not.toContain(bsn);
    expect(await lsp.clearJournal(B)).toEqual([]);
    expect(await lsp.journal(B)).toEqual([]);
  });
});
