import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshBsn } from '@schakel/topology';
import { COVERING_GP, http, startTestTopology, storeTables } from './helpers.js';

// Observation reports (REPC_IN990003NL) from the HAP and the SEH to the patient's own GP, across real
// processes, while GPs, the switch point and the sender go down and come back.
let t: Awaited<ReturnType<typeof startTestTopology>>;
const HAP = 'hap-midden';
const SEH = 'seh-st-anna';
const GP_A = 'gp-de-linde';
const GP_B = 'gp-het-anker';
const SEH_DOCTOR = { uziNumber: '900000011', roleCode: '01.071', name: 'Dr. S. Yilmaz' };
/** Small backoff so the test waits seconds, not minutes. */
const BACKOFF = { REPORT_RETRY_INITIAL_MS: '100', REPORT_RETRY_MAX_MS: '1000' };

beforeAll(async () => {
  t = await startTestTopology({ env: { '*': BACKOFF } });
});
afterAll(async () => t?.cleanup());

/** A patient of this practice who consented, so the practice is in the reference index for WAARNEEMGEGEVENS. */
async function patientOf(gp: string): Promise<string> {
  const bsn = freshBsn();
  expect(
    (
      await http(`${t.url(gp)}/patients/${bsn}`, {
        method: 'PUT',
        body: { name: 'Piet Bakker', birthDate: '1948-05-06' },
      })
    ).status,
  ).toBe(201);
  const r = await http(`${t.url(gp)}/patients/${bsn}/consent`, { method: 'PUT', body: { state: 'consent' } });
  expect(r.status, r.text).toBe(200);
  return bsn;
}

/** Through the sender's own API: open a consult, record the encounter, send. Answers the outbox entry. */
async function sendReport(sender: string, bsn: string, complaint = 'Koorts en keelpijn', professional = COVERING_GP) {
  const consult = await http(`${t.url(sender)}/consults`, { body: { bsn, professional } });
  expect(consult.status, consult.text).toBe(201);
  const encounter = await http(`${t.url(sender)}/consults/${consult.json.id}/encounter`, {
    method: 'PUT',
    body: {
      complaint,
      findings: 'Temp 39,1; tonsillen rood',
      actions: 'Paracetamol-advies',
      episodeProposal: { code: 'R74', title: 'Acute infectie bovenste luchtwegen' },
      handover: 'Bij aanhouden terugzien',
    },
  });
  expect(encounter.status, encounter.text).toBe(200);
  const sent = await http(`${t.url(sender)}/consults/${consult.json.id}/report`, { body: {} });
  expect(sent.status, sent.text).toBe(202);
  return sent.json as { messageId: string; bsn: string; state: string };
}

/** n reports, a few at a time, spread over the patients. */
async function sendMany(n: number, patients: string[]): Promise<{ messageId: string; bsn: string }[]> {
  const out: { messageId: string; bsn: string }[] = [];
  for (let i = 0; i < n; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, n - i) }, (_, j) =>
        sendReport(HAP, patients[(i + j) % patients.length] as string),
      ),
    );
    out.push(...batch.map((r) => ({ messageId: r.messageId, bsn: r.bsn })));
  }
  return out;
}

async function outbox(sender: string) {
  const r = await http(`${t.url(sender)}/reports?limit=1000`);
  expect(r.status, r.text).toBe(200);
  return r.json as {
    counts: Record<string, number>;
    reports: { messageId: string; state: string; attempts: number; rejection: { code: string } | null }[];
  };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
const settled = (sender: string, messageId: string) =>
  waitFor(`report ${messageId} to settle`, async () => {
    const r = await http(`${t.url(sender)}/reports/${messageId}`);
    return r.json.state === 'delivered' || r.json.state === 'rejected' ? r.json : undefined;
  });

describe('observation reports to the patient’s own GP, exactly once', () => {
  it(
    'delivers 200 reports exactly once while GPs, the switch point and the sender (SIGKILL) go down and come back',
    { timeout: 180_000 },
    async () => {
      const patientsA = [
        await patientOf(GP_A),
        await patientOf(GP_A),
        await patientOf(GP_A),
        await patientOf(GP_A),
        await patientOf(GP_A),
      ];
      const patientsB = [
        await patientOf(GP_B),
        await patientOf(GP_B),
        await patientOf(GP_B),
        await patientOf(GP_B),
        await patientOf(GP_B),
      ];
      const patients = patientsA.flatMap((a, i) => [a, patientsB[i] as string]);
      const sent: { messageId: string; bsn: string }[] = [];

      // 1. GP A is down: its reports wait in the HAP's outbox, B's go through.
      await t.stop(GP_A);
      sent.push(...(await sendMany(40, patients)));
      // 2. The sender crashes mid-queue (SIGKILL), A comes back, the sender restarts and resumes from its store.
      await t.stop(HAP, 'SIGKILL');
      await t.restart(GP_A);
      await t.restart(HAP);
      // 3. Reports while everything is up, then a crash of the sender right away, with attempts under way.
      sent.push(...(await sendMany(40, patients)));
      await t.stop(HAP, 'SIGKILL');
      await t.restart(HAP);
      // 4. GP B crashes (SIGKILL) while reports come in; then A goes down while B comes back.
      await t.stop(GP_B, 'SIGKILL');
      sent.push(...(await sendMany(40, patients)));
      await t.restart(GP_B);
      await t.stop(GP_A);
      sent.push(...(await sendMany(40, patients)));
      await t.restart(GP_A);
      // 5. The switch point is down for a while: accepted reports are queued at the sender meanwhile.
      await t.stop('lsp');
      sent.push(...(await sendMany(40, patients)));
      await t.restart('lsp');
      expect(sent).toHaveLength(200);

      const final = await waitFor('all 200 reports delivered', async () => {
        const o = await outbox(HAP);
        return o.counts['delivered'] === 200 ? o : undefined;
      });
      expect(final.counts).toMatchObject({ delivered: 200, rejected: 0, queued: 0, retrying: 0, delivering: 0 });
      // The outages were felt: reports for a GP that was down needed more than one attempt.
      expect(final.reports.some((r) => r.attempts > 1)).toBe(true);

      // Each GP's inbox holds each of its patients' reports exactly once, and none of the other practice's.
      const inboxA = (await http(`${t.url(GP_A)}/inbox?limit=1000`)).json.reports as {
        messageId: string;
        bsn: string;
      }[];
      const inboxB = (await http(`${t.url(GP_B)}/inbox?limit=1000`)).json.reports as {
        messageId: string;
        bsn: string;
      }[];
      const idsA = inboxA.map((r) => r.messageId);
      const idsB = inboxB.map((r) => r.messageId);
      expect(new Set(idsA).size).toBe(idsA.length);
      expect(new Set(idsB).size).toBe(idsB.length);
      const expectA = sent.filter((s) => patientsA.includes(s.bsn)).map((s) => s.messageId);
      const expectB = sent.filter((s) => patientsB.includes(s.bsn)).map((s) => s.messageId);
      expect([...idsA].sort()).toEqual([...expectA].sort());
      expect([...idsB].sort()).toEqual([...expectB].sort());
      expect(idsA.length + idsB.length).toBe(200);
    },
  );

  it('rejects a report for a patient without a registered GP once, with the reason, and never retries it', async () => {
    const sent = await sendReport(HAP, freshBsn());
    const done = await settled(HAP, sent.messageId);
    expect(done).toMatchObject({ state: 'rejected', attempts: 1, rejection: { code: 'NO_REGISTERED_GP' } });
    expect(done.rejection.reason).toContain('No GP practice has registered this patient');
  });

  it('rejects a report the GP cannot accept (AR, unknown patient) once and does not retry it', async () => {
    const bsn = freshBsn();
    // The operator registered this BSN at the practice, but the practice has no such patient.
    expect(
      (
        await http(`${t.switchPoint.url}/reference-index/${bsn}/WAARNEEMGEGEVENS/${t.get(GP_A).applicationId}`, {
          method: 'PUT',
        })
      ).status,
    ).toBe(201);
    const sent = await sendReport(HAP, bsn);
    const done = await settled(HAP, sent.messageId);
    expect(done).toMatchObject({
      state: 'rejected',
      attempts: 1,
      rejection: { code: 'UNKNOWN_PATIENT' },
      acknowledgement: { acknowledgement: 'AR' },
    });
    // Well past several backoff periods: still one attempt, one entry at the switch point.
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await http(`${t.url(HAP)}/reports/${sent.messageId}`)).json.attempts).toBe(1);
    const log = (await http(`${t.switchPoint.url}/access-log?bsn=${bsn}`)).json.entries.filter(
      (e: { interaction: string }) => e.interaction === 'REPC_IN990003NL',
    );
    expect(log).toMatchObject([{ outcome: 'refused', code: 'AR:UNKNOWN_PATIENT' }]);
  });

  it('refuses a schema-invalid report at the switch point with 400 and never forwards it', async () => {
    const bsn = await patientOf(GP_A);
    const r = await http(`${t.switchPoint.url}/reports/observation`, {
      body: { messageId: randomUUID(), bsn, encounter: { complaint: 'x' } },
    });
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('VALIDATION_ERROR');
    const gpLog = (await http(`${t.url(GP_A)}/query-log?bsn=${bsn}`)).json.entries;
    expect(gpLog.filter((e: { interaction: string }) => e.interaction === 'REPC_IN990003NL')).toEqual([]);
  });

  it('lets the SEH send its feedback report the same way', async () => {
    const bsn = await patientOf(GP_B);
    const sent = await sendReport(SEH, bsn, 'Val van trap, pols pijnlijk', SEH_DOCTOR);
    expect(await settled(SEH, sent.messageId)).toMatchObject({
      state: 'delivered',
      acknowledgement: { acknowledgement: 'AA', deliveredTo: { applicationId: t.get(GP_B).applicationId } },
    });
    const inbox = (await http(`${t.url(GP_B)}/inbox?bsn=${bsn}`)).json;
    expect(inbox.reports).toMatchObject([
      {
        messageId: sent.messageId,
        report: { sender: { organisationType: 'V4' }, author: { uziNumber: SEH_DOCTOR.uziNumber } },
      },
    ]);
  });

  it('keeps no copy of the report at the switch point once delivered: only the delivery metadata', async () => {
    const bsn = await patientOf(GP_A);
    const marker = `Waarneemverslag-inhoud ${randomUUID()}`;
    const sent = await sendReport(HAP, bsn, marker);
    expect((await settled(HAP, sent.messageId)).state).toBe('delivered');
    expect(JSON.stringify((await http(`${t.url(GP_A)}/inbox?bsn=${bsn}`)).json)).toContain(marker);

    // Every table of the switch point's own store, read straight from it (tests/helpers.ts storeTables).
    const tables = await storeTables(t, 'lsp');
    expect(tables.size).toBeGreaterThan(5);
    for (const [name, rows] of tables) {
      const text = JSON.stringify(rows);
      expect(text, `table ${name}`).not.toContain(marker);
      expect(text, `table ${name}`).not.toContain('Paracetamol-advies');
    }
    const entries = (tables.get('access_log') ?? []).filter(
      (e) => e['interaction'] === 'REPC_IN990003NL' && e['bsn'] === bsn,
    );
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ outcome: 'permitted', code: 'AA' });
    expect(entries[0]?.['explanation']).toContain(sent.messageId);
  });
});
