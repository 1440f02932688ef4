import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addDuration } from '@schakel/contracts';
import { REPO_ROOT, freshBsn, operatorClient } from '@schakel/topology';
import { COVERING_GP, dispense, http, startTestTopology } from './helpers.js';

/**
 * The operator's clock (issue #14; docs/control.md, "Clock") over real processes: one setting moves the
 * domain time of the switch point and every organisation at once, and the launcher keeps it for processes
 * it starts again. One topology for the file; each test puts the clock back on real time.
 */
let t: Awaited<ReturnType<typeof startTestTopology>>;
let lsp: Awaited<ReturnType<typeof operatorClient>>;
const HAP = 'hap-midden';
const SEH = 'seh-st-anna';
const GP = 'gp-de-linde';
const PHARMACY = 'apotheek-zuid';
const SEH_DOCTOR = { uziNumber: '900000011', roleCode: '01.071', name: 'Dr. S. Yilmaz' };
const DAY = 86_400_000;

beforeAll(async () => {
  t = await startTestTopology({ env: { '*': { REPORT_RETRY_INITIAL_MS: '100', REPORT_RETRY_MAX_MS: '1000' } } });
  lsp = await operatorClient(join(t.dataDir, 'pki'), t.switchPoint.url);
});
afterEach(async () => {
  await lsp.resetClock();
});
afterAll(async () => {
  await lsp?.close();
  await t?.cleanup();
});

/** Every process's /health `now`, by id. */
async function healthNows(): Promise<Map<string, number>> {
  const ids = [...t.processes.keys()];
  const nows = await Promise.all(
    ids.map(async (id) => {
      const r = await http(`${t.url(id)}/health`);
      expect(r.status, `${id}: ${r.text}`).toBe(200);
      return [id, Date.parse(r.json.now)] as const;
    }),
  );
  return new Map(nows);
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A GP patient who consented, so the practice answers the HAP's summary query. */
async function gpPatient(bsn: string): Promise<void> {
  const put = await http(`${t.url(GP)}/patients/${bsn}`, {
    method: 'PUT',
    body: { name: 'Bram Smit', birthDate: '1944-03-03' },
  });
  expect(put.status, put.text).toBe(201);
  const consent = await http(`${t.url(GP)}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'consent' } });
  expect(consent.status, consent.text).toBe(200);
}

async function hapSummary(bsn: string) {
  const consult = await http(`${t.url(HAP)}/consults`, { body: { bsn, professional: COVERING_GP } });
  expect(consult.status, consult.text).toBe(201);
  const r = await http(`${t.url(HAP)}/consults/${consult.json.id}/summary`, { body: {} });
  expect(r.status, r.text).toBe(200);
  const gp = r.json.sources.find((s: any) => s.applicationId === t.get(GP).applicationId);
  expect(gp?.status, JSON.stringify(gp)).toBe('ok');
  return gp.summary as { generatedAt: string; journalFrom: string; journal: { S?: string }[]; medication: unknown[] };
}

describe('the clock set by the operator', () => {
  it('moves every service’s /health now by the offset, and back to real time when cleared', async () => {
    const before = Date.now();
    const set = await lsp.setClock({ offset: 'P4M' });
    const offsetMs = addDuration(new Date(before), 'P4M').getTime() - before;
    expect(set.setting).toMatchObject({ mode: 'offset' });
    expect(Math.abs((set.setting as { offsetMs: number }).offsetMs - offsetMs)).toBeLessThan(5_000);
    expect(await lsp.clock()).toMatchObject({ setting: set.setting });

    const shifted = await healthNows();
    expect(shifted.size).toBe(t.topology.organisations.length + 1);
    for (const [id, at] of shifted) expect(Math.abs(at - (Date.now() + offsetMs)), id).toBeLessThan(10_000);

    expect((await lsp.resetClock()).setting).toEqual({ mode: 'real' });
    for (const [id, at] of await healthNows()) expect(Math.abs(at - Date.now()), id).toBeLessThan(10_000);
  });

  it('freezes time: a report from the SEH, its delivery at the GP and the switch point’s access log carry the frozen time', async () => {
    const bsn = freshBsn();
    await gpPatient(bsn);
    // A month ahead, so that an assertion signed on real time would be refused as not yet valid.
    const frozen = new Date(Date.now() + 30 * DAY).toISOString().replace(/\.\d{3}Z$/, '.000Z');
    expect(await lsp.setClock({ at: frozen, frozen: true })).toEqual({
      now: frozen,
      setting: { mode: 'frozen', at: frozen },
    });

    const consult = await http(`${t.url(SEH)}/consults`, { body: { bsn, professional: SEH_DOCTOR } });
    expect(consult.status, consult.text).toBe(201);
    const encounter = await http(`${t.url(SEH)}/consults/${consult.json.id}/encounter`, {
      method: 'PUT',
      body: {
        complaint: 'Val van fiets',
        findings: 'Schaafwond knie',
        actions: 'Wondtoilet',
        episodeProposal: { code: 'S16', title: 'Kneuzing/contusie' },
        handover: 'Zo nodig controle bij de huisarts',
      },
    });
    expect(encounter.status, encounter.text).toBe(200);
    const sent = await http(`${t.url(SEH)}/consults/${consult.json.id}/report`, { body: {} });
    expect(sent.status, sent.text).toBe(202);
    let report: any;
    for (let i = 0; i < 100; i++) {
      report = (await http(`${t.url(SEH)}/reports/${sent.json.messageId}`)).json;
      if (report.state === 'delivered' || report.state === 'rejected') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(report, JSON.stringify(report)).toMatchObject({
      state: 'delivered',
      createdAt: frozen,
      deliveredAt: frozen,
    });

    const inbox = await http(`${t.url(GP)}/inbox?bsn=${bsn}`);
    expect(inbox.status, inbox.text).toBe(200);
    expect(inbox.json.reports).toHaveLength(1);
    expect(inbox.json.reports[0]).toMatchObject({ messageId: sent.json.messageId, receivedAt: frozen });

    const log = await http(`${t.switchPoint.url}/access-log?bsn=${bsn}`);
    expect(log.status, log.text).toBe(200);
    const entry = log.json.entries.find((e: any) => e.interaction === 'REPC_IN990003NL');
    expect(entry, JSON.stringify(log.json.entries)).toMatchObject({ at: frozen, outcome: 'permitted' });
    expect((await healthNows()).get(GP)).toBe(Date.parse(frozen));
  });

  it('moves the GP summary’s four-month window: a journal entry and a prescription drop out two months on, while the HAP’s signed queries keep working', async () => {
    const bsn = freshBsn();
    await gpPatient(bsn);
    const today = Date.now();
    const journal = await http(`${t.url(GP)}/patients/${bsn}/journal`, {
      body: { date: isoDay(today - 90 * DAY), S: 'Hoofdpijn sinds een week', P: 'Paracetamol, terugzien' },
    });
    expect(journal.status, journal.text).toBe(201);
    const prescription = await http(`${t.url(GP)}/patients/${bsn}/prescriptions`, {
      body: {
        product: dispense('Paracetamol').product,
        dosageInstruction: 'Zo nodig 3 maal per dag 1 tablet',
        startDate: isoDay(today - 90 * DAY),
        endDate: isoDay(today + 30 * DAY),
        prescriber: { name: 'Dr. A. Bakker' },
      },
    });
    expect(prescription.status, prescription.text).toBe(201);

    const now = await hapSummary(bsn);
    expect(now.journal.map((j) => j.S)).toEqual(['Hoofdpijn sinds een week']);
    expect(now.medication).toHaveLength(1);

    // Every clock two months on: the HAP signs, the switch point checks, the GP answers, all in shifted time.
    await lsp.setClock({ offset: 'P2M' });
    const later = await hapSummary(bsn);
    expect(later.journal).toEqual([]);
    expect(later.medication).toEqual([]);
    expect(later.journalFrom > now.journalFrom).toBe(true);
    expect(Math.abs(Date.parse(later.generatedAt) - addDuration(new Date(), 'P2M').getTime())).toBeLessThan(10_000);

    await lsp.resetClock();
    expect((await hapSummary(bsn)).journal).toHaveLength(1);
  });

  it('is kept for an organisation that is restarted, and reaches a paused one when it resumes', async () => {
    const set = await lsp.setClock({ offset: -7 * DAY });
    expect(set.setting).toEqual({ mode: 'offset', offsetMs: -7 * DAY });
    await lsp.controlProcess(GP, 'restart');
    await t.stop(HAP, 'SIGKILL');
    await t.restart(HAP);
    const restarted = await healthNows();
    for (const id of [GP, HAP]) expect(Math.abs(restarted.get(id)! - (Date.now() - 7 * DAY)), id).toBeLessThan(10_000);
    await lsp.controlProcess(PHARMACY, 'pause');
    await lsp.setClock({ offset: -14 * DAY });
    await lsp.controlProcess(PHARMACY, 'resume');
    for (const [id, at] of await healthNows()) expect(Math.abs(at - (Date.now() - 14 * DAY)), id).toBeLessThan(10_000);
    // A week back in time, and still the HAP's queries are signed and accepted (certificates stay on real time).
    const bsn = freshBsn();
    await gpPatient(bsn);
    expect((await hapSummary(bsn)).journal).toEqual([]);
  });

  it('is what the CLI verb clock does: freeze, show, offset and reset', async () => {
    const cli = (...args: string[]) =>
      promisify(execFile)(
        process.execPath,
        [
          '--conditions=@schakel/source',
          '--import',
          'tsx',
          'tools/topology/src/cli.ts',
          'clock',
          ...args,
          '--lsp-url',
          t.switchPoint.url,
          '--data-dir',
          t.dataDir,
        ],
        { cwd: REPO_ROOT },
      );
    expect((await cli('--at', '2027-01-01T09:00:00Z', '--freeze')).stdout).toBe('2027-01-01T09:00:00.000Z  (frozen)\n');
    expect((await lsp.clock()).now).toBe('2027-01-01T09:00:00.000Z');
    expect((await cli('--offset=-3600000')).stdout).toMatch(/\(real time - 3600000 ms\)/);
    expect((await cli('reset')).stdout).toMatch(/\(real time\)/);
    expect((await lsp.clock()).setting).toEqual({ mode: 'real' });
  }, 60_000);

  it('refuses a setting that is not one, as problem+json', async () => {
    for (const body of [{}, { offset: 'four months' }, { offset: 'P1D', frozen: true }, { at: 'tomorrow' }]) {
      const r = await http(`${t.switchPoint.url}/control/clock`, { method: 'PUT', body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.json.code).toBe('VALIDATION_ERROR');
    }
    const nobody = await http(`${t.switchPoint.url}/control/clock`, { dispatcher: t.nobody });
    expect(nobody.json.code).toBe('CLIENT_CERT_REQUIRED');
    expect((await lsp.clock()).setting).toEqual({ mode: 'real' });
  });
});
