import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshBsn } from '@schakel/topology';
import { COVERING_GP, dispense, http, startTestTopology } from './helpers.js';

// Operational logs carry route patterns and request ids, never a patient identifier or clinical content
// (issue #10, item 5). A realistic session runs through every kind of process at debug level; then every
// log file is scanned for every BSN used and for the clinical words that went by.
let t: Awaited<ReturnType<typeof startTestTopology>>;
const PHARMACY = 'apotheek-de-vijzel';
const GP = 'gp-de-linde';
const HAP = 'hap-midden';
const SEH = 'seh-st-anna';
const SEH_DOCTOR = { uziNumber: '900000011', roleCode: '01.071', name: 'Dr. S. Yilmaz' };
const CLINICAL = [
  'Metoprolol Logscan',
  'Benauwdheid bij traplopen',
  'Ademnood na val van trap',
  'Longfoto aangevraagd',
  'Morfine-intolerantie logscan',
];
const bsns: string[] = [];

beforeAll(async () => {
  t = await startTestTopology({
    logLevel: 'debug',
    env: { '*': { REPORT_RETRY_INITIAL_MS: '100', REPORT_RETRY_MAX_MS: '500' } },
  });
});
afterAll(async () => t?.cleanup());

async function session() {
  const consenting = freshBsn();
  const objecting = freshBsn();
  const unknown = freshBsn();
  bsns.push(consenting, objecting, unknown);
  for (const bsn of [consenting, objecting]) {
    expect(
      (
        await http(`${t.url(PHARMACY)}/patients/${bsn}`, {
          method: 'PUT',
          body: { name: 'Log Scan', birthDate: '1950-01-01' },
        })
      ).status,
    ).toBe(201);
    expect(
      (await http(`${t.url(PHARMACY)}/patients/${bsn}/dispenses`, { body: dispense(CLINICAL[0] as string) })).status,
    ).toBe(201);
    expect(
      (
        await http(`${t.url(PHARMACY)}/patients/${bsn}/contra-indications`, {
          body: { kind: 'intolerance', name: CLINICAL[4], atc: 'N02AA01', recordedOn: '2026-10-01' },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await http(`${t.url(GP)}/patients/${bsn}`, {
          method: 'PUT',
          body: { name: 'Log Scan', birthDate: '1950-01-01' },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await http(`${t.url(GP)}/patients/${bsn}/journal`, {
          body: { date: '2026-11-20', S: CLINICAL[1], O: 'RR 150/90', E: 'Hartfalen?', P: 'Echo' },
        })
      ).status,
    ).toBeLessThan(300);
  }
  expect(
    (await http(`${t.url(PHARMACY)}/patients/${consenting}/consent`, { method: 'PUT', body: { state: 'consent' } }))
      .status,
  ).toBe(200);
  expect(
    (await http(`${t.url(GP)}/patients/${consenting}/consent`, { method: 'PUT', body: { state: 'consent' } })).status,
  ).toBe(200);
  expect(
    (await http(`${t.url(PHARMACY)}/patients/${objecting}/consent`, { method: 'PUT', body: { state: 'objection' } }))
      .status,
  ).toBe(200);

  for (const bsn of [consenting, objecting, unknown]) {
    const consult = await http(`${t.url(HAP)}/consults`, { body: { bsn, professional: COVERING_GP } });
    expect(consult.status).toBe(201);
    await http(`${t.url(HAP)}/consults/${consult.json.id}/medication`, { body: {} });
    await http(`${t.url(HAP)}/consults/${consult.json.id}/summary`, { body: { verbalConsent: true } });
  }
  // An observation report from the SEH to the GP, delivered through the switch point.
  const consult = await http(`${t.url(SEH)}/consults`, {
    body: { bsn: consenting, professional: SEH_DOCTOR, situation: 'acute' },
  });
  await http(`${t.url(SEH)}/consults/${consult.json.id}/encounter`, {
    method: 'PUT',
    body: {
      complaint: CLINICAL[2],
      findings: 'Sat 91%',
      actions: CLINICAL[3],
      handover: 'Controle bij eigen huisarts',
    },
  });
  const sent = await http(`${t.url(SEH)}/consults/${consult.json.id}/report`, { body: {} });
  expect(sent.status, sent.text).toBe(202);
  for (let i = 0; i < 80; i++) {
    if ((await http(`${t.url(SEH)}/reports/${sent.json.messageId}`)).json.state === 'delivered') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  // The patient in the portal; a wrong code too.
  await http(`${t.switchPoint.url}/portal/login`, { body: { bsn: consenting, code: '000000' } });
  const login = await http(`${t.switchPoint.url}/portal/login`, { body: { bsn: consenting, code: '123456' } });
  const auth = { authorization: `Bearer ${login.json.token}` };
  await http(`${t.switchPoint.url}/portal/profile`, { headers: auth });
  await http(`${t.switchPoint.url}/portal/access-log`, { headers: auth });
  await http(`${t.switchPoint.url}/portal/choices`, {
    headers: auth,
    body: { state: 'objection', holder: { all: true }, category: 'MEDVERSTREKKING' },
  });
  // The operator's reads, and requests that fail on purpose.
  await http(`${t.switchPoint.url}/access-log?bsn=${consenting}`);
  await http(`${t.switchPoint.url}/consents/${consenting}`);
  await http(`${t.url(PHARMACY)}/patients/${unknown}`);
  await http(`${t.url(GP)}/patients/${unknown}/record`);
}

describe('service logs after a realistic session', () => {
  it('hold no BSN and no clinical term', { timeout: 120_000 }, async () => {
    await session();
    await t.close();
    const dir = join(t.dataDir, 'logs');
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThanOrEqual(6);
    let lines = 0;
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      lines += text.split('\n').length;
      for (const bsn of bsns) expect(text.includes(bsn), `${file} holds BSN ${bsn}`).toBe(false);
      for (const term of CLINICAL) expect(text.includes(term), `${file} holds "${term}"`).toBe(false);
    }
    // The scan read real logs: a debug-level session writes many lines.
    expect(lines).toBeGreaterThan(100);
  });
});
