import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshBsn } from '@schakel/topology';
import { loadProtocol } from '../src/index.js';
import { GP_AT_HAP, HAP, startSwitchPoint, type TestSwitchPoint } from './helpers.js';

let sp: TestSwitchPoint;
let a: Awaited<ReturnType<TestSwitchPoint['pharmacy']>>;
let b: Awaited<ReturnType<TestSwitchPoint['pharmacy']>>;
beforeAll(async () => {
  sp = await startSwitchPoint();
  a = await sp.pharmacy('200001', '02000001', 'Apotheek A');
  b = await sp.pharmacy('200002', '02000002', 'Apotheek B');
});
afterAll(async () => sp.close());

async function registeredWith(bsn: string, consentA: 'consent' | 'objection', consentB: 'consent' | 'objection') {
  const holders = [
    [a, '02000001', '200001', consentA],
    [b, '02000002', '200002', consentB],
  ] as const;
  for (const [p, ura, applicationId, state] of holders) {
    await p.app.inject({ method: 'PUT', url: `/patients/${bsn}`, payload: { name: 'Q', birthDate: '1960-01-01' } });
    await p.app.inject({ method: 'PUT', url: `/patients/${bsn}/consent`, payload: { state: 'consent' } });
    // An objection recorded later at the switch point (as the portal would) while the index entry stays.
    if (state === 'objection')
      await sp.admin.lsp.recordConsent(bsn, ura, { state: 'objection', recordedBy: applicationId });
  }
}

describe('POST /questions/closed', () => {
  it('answers permit or deny per category with the deciding rule, and logs the question', async () => {
    const bsn = freshBsn();
    await registeredWith(bsn, 'consent', 'objection');
    const ask = (holderUra: string, roleCode: string) =>
      sp.hap.http('POST', '/questions/closed', {
        bsn,
        roleCode,
        organisationType: 'N6',
        holderUra,
        categories: ['MEDVERSTREKKING', 'WAARNEEMGEGEVENS'],
      });
    const atA = (await ask('02000001', '01.015')).json;
    expect(atA.answers).toMatchObject([
      { category: 'MEDVERSTREKKING', permitted: true, decision: { code: 'CONSENT_GIVEN' } },
      { category: 'WAARNEEMGEGEVENS', permitted: true, decision: { code: 'CONSENT_GIVEN' } },
    ]);
    expect((await ask('02000002', '01.015')).json.answers[0]).toMatchObject({
      permitted: false,
      decision: { code: 'CONSENT_OBJECTION' },
    });
    expect((await ask('02000001', '01.048')).json.answers[0]).toMatchObject({
      permitted: false,
      decision: { code: 'PROTOCOL_DENY' },
    });
    const log = (await sp.admin.http('GET', `/access-log?bsn=${bsn}`)).json.entries;
    expect(log.filter((e: { interaction: string }) => e.interaction === 'CLOSED_QUESTION')).toHaveLength(3);
  });
});

describe('POST /questions/open', () => {
  it('lists which registered holders may share a category with the asking kind of organisation', async () => {
    const bsn = freshBsn();
    await registeredWith(bsn, 'consent', 'objection');
    // The role comes from the signed assertion, the organisation type from the address book.
    const signed = await sp.assertion({ ...GP_AT_HAP, ura: HAP.ura }, bsn, { interaction: 'QUMT_IN020010' });
    const r = await sp.hap.http('POST', '/questions/open', { bsn, category: 'MEDVERSTREKKING' }, signed);
    expect(r.status).toBe(200);
    expect(
      r.json.holders.map((h: { organisationName: string; permitted: boolean }) => [h.organisationName, h.permitted]),
    ).toEqual([
      ['Apotheek A', true],
      ['Apotheek B', false],
    ]);
    expect((await sp.admin.http('GET', `/access-log?bsn=${bsn}`)).json.entries.at(-1)).toMatchObject({
      interaction: 'QUMT_IN020010',
      outcome: 'permitted',
      actingRole: '01.015',
    });
  });

  it('is refused without a signed assertion, and the refusal is logged for the patient', async () => {
    const bsn = freshBsn();
    await registeredWith(bsn, 'consent', 'consent');
    const r = await sp.hap.http('POST', '/questions/open', { bsn, category: 'MEDVERSTREKKING' });
    expect(r.status).toBe(401);
    expect(r.json.code).toBe('ASSERTION_MISSING');
    expect((await sp.admin.http('GET', `/access-log?bsn=${bsn}`)).json.entries.at(-1)).toMatchObject({
      interaction: 'QUMT_IN020010',
      outcome: 'refused',
      code: 'ASSERTION_MISSING',
    });
  });
});

describe('mandating', () => {
  it('carries the responsible professional in the signed assertion and writes both to the access log', async () => {
    const bsn = freshBsn();
    await registeredWith(bsn, 'consent', 'consent');
    const assistant = { uziNumber: '900000050', roleCode: '01.015', name: 'Waarnemend assistent' };
    const responsible = { uziNumber: GP_AT_HAP.uziNumber, roleCode: GP_AT_HAP.roleCode };
    const headers = await sp.assertion({ ...assistant, ura: HAP.ura }, bsn, { responsible });
    const r = await sp.hap.http(
      'POST',
      '/queries/medication',
      {
        bsn,
        requester: {
          applicationId: HAP.applicationId,
          professional: { uziNumber: assistant.uziNumber, roleCode: assistant.roleCode },
          responsible,
        },
        treatmentRelation: true,
      },
      headers,
    );
    expect(r.status).toBe(200);
    expect((await sp.admin.http('GET', `/access-log?bsn=${bsn}`)).json.entries.at(-1)).toMatchObject({
      actingUzi: assistant.uziNumber,
      responsibleUzi: responsible.uziNumber,
    });
  });
});

describe('the protocol file', () => {
  it('can be replaced, and a broken file is refused with the row and field that are wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'schakel-protocol-'));
    try {
      const good = join(dir, 'strict.json');
      writeFileSync(
        good,
        JSON.stringify({
          rows: [
            {
              id: 'ONLY-PHARMACISTS',
              effect: 'allow',
              roles: ['17.075'],
              organisationTypes: ['J8'],
              categories: ['MEDVERSTREKKING'],
              situations: ['*'],
              description: 'x',
            },
          ],
        }),
      );
      expect(loadProtocol(good).map((r) => r.id)).toEqual(['ONLY-PHARMACISTS']);
      const bad = join(dir, 'bad.json');
      writeFileSync(
        bad,
        JSON.stringify({
          rows: [
            {
              id: 'X',
              effect: 'maybe',
              roles: ['huisarts'],
              organisationTypes: ['N6'],
              categories: ['*'],
              situations: ['*'],
              description: 'x',
            },
          ],
        }),
      );
      expect(() => loadProtocol(bad)).toThrow(/rows\.0\.effect|rows\.0\.roles/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
