import { describe, expect, it } from 'vitest';
import { ProblemError, type ConsentRecord } from '@schakel/contracts';
import {
  CONSENT_SYSTEMS as S,
  bsnOfCriteria,
  choiceFromConsent,
  consentFromRecord,
  readClosedQuestion,
  readSubscription,
} from '../src/index.js';

const record = (over: Partial<ConsentRecord> = {}): ConsentRecord => ({
  id: 7,
  bsn: '999900146',
  state: 'objection',
  holder: { organisationType: 'J8' },
  category: 'MEDVERSTREKKING',
  consumerType: 'N6',
  recordedBy: 'patient',
  channel: 'portal',
  recordedAt: '2026-12-03T10:00:00.000Z',
  ...over,
});
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    if (err instanceof ProblemError) return `${err.code} ${err.problem.field ?? ''}`.trim();
    throw err;
  }
  return 'no problem';
};

describe('a consent record as a Consent and back', () => {
  it.each([
    record(),
    record({ state: 'consent', holder: { ura: '02000002' }, category: '*', consumerType: '*' }),
    record({ holder: { all: true }, category: 'WAARNEEMGEGEVENS', consumerType: 'V4' }),
  ])('keeps the scope and the state of %j', (r) => {
    const consent = { ...consentFromRecord(r, true), id: undefined };
    expect(consent.status).toBe('active');
    const back = choiceFromConsent(consent);
    expect(back).toEqual({
      bsn: r.bsn,
      state: r.state,
      holder: r.holder,
      category: r.category,
      consumerType: r.consumerType,
    });
  });

  it('shows a replaced choice and a withdrawal as inactive, a withdrawal without permit or deny', () => {
    expect(consentFromRecord(record(), false).status).toBe('inactive');
    const withdrawal = consentFromRecord(record({ state: 'no-choice' }), true);
    expect(withdrawal.status).toBe('inactive');
    expect(withdrawal.provision?.type).toBeUndefined();
  });

  it('refuses what the consent profile cannot hold, naming the field', () => {
    const base = consentFromRecord(record(), true);
    expect(codeOf(() => choiceFromConsent({ ...base, status: 'inactive' }))).toBe('INVALID_VALUE body.status');
    expect(codeOf(() => choiceFromConsent({ ...base, provision: { ...base.provision, provision: [{}] } }))).toBe(
      'INVALID_VALUE body.provision.provision',
    );
    const actor = base.provision?.actor ?? [];
    expect(
      codeOf(() => choiceFromConsent({ ...base, provision: { ...base.provision, actor: [actor[0], actor[0]] } })),
    ).toBe('INVALID_VALUE body.provision.actor[1]');
    const namedConsumer = {
      role: { coding: [{ system: S.participationType, code: 'IRCP' }] },
      reference: { identifier: { system: S.ura, value: '04000001' } },
    };
    expect(codeOf(() => choiceFromConsent({ ...base, provision: { ...base.provision, actor: [namedConsumer] } }))).toBe(
      'INVALID_VALUE body.provision.actor[0].reference.identifier.system',
    );
    expect(
      codeOf(() => choiceFromConsent({ ...base, patient: { identifier: { system: S.bsn, value: '999900147' } } })),
    ).toBe('INVALID_BSN body.patient.identifier.value');
  });
});

describe('criteria, subscriptions and questions', () => {
  it('reads the patient of a Consent criteria in its three spellings, and nothing else', () => {
    for (const key of ['patient', 'patient:identifier', 'patient.identifier'])
      expect(bsnOfCriteria(`Consent?${key}=${S.bsn}|999900146`)).toBe('999900146');
    expect(codeOf(() => bsnOfCriteria(`List?patient=${S.bsn}|999900146`))).toBe('INVALID_VALUE body.criteria');
    expect(codeOf(() => bsnOfCriteria(`Consent?patient=${S.bsn}|999900146&status=active`))).toBe(
      'INVALID_VALUE body.criteria',
    );
    expect(codeOf(() => bsnOfCriteria(`Consent?patient=${S.bsn}|123`))).toBe('INVALID_BSN body.criteria');
  });

  it('takes a rest-hook to an https endpoint only', () => {
    const sub = {
      resourceType: 'Subscription',
      status: 'requested',
      reason: 'r',
      criteria: `Consent?patient=${S.bsn}|999900146`,
      channel: { type: 'rest-hook', endpoint: 'https://127.0.0.1:8443/hook' },
    };
    expect(readSubscription(sub)).toMatchObject({ bsn: '999900146', payload: 'empty' });
    expect(codeOf(() => readSubscription({ ...sub, channel: { ...sub.channel, endpoint: 'http://x/hook' } }))).toBe(
      'INVALID_VALUE body.channel.endpoint',
    );
    expect(codeOf(() => readSubscription({ ...sub, channel: { type: 'websocket' } }))).toBe(
      'INVALID_VALUE body.channel.type',
    );
  });

  it('reads the closed question’s Parameters and refuses an unknown or missing one', () => {
    const parameter = [
      { name: 'patient', valueIdentifier: { system: S.bsn, value: '999900146' } },
      { name: 'role', valueCoding: { system: S.uziRole, code: '01.015' } },
      { name: 'organizationType', valueCoding: { system: S.organisationType, code: 'N6' } },
      { name: 'holder', valueIdentifier: { system: S.ura, value: '02000001' } },
      { name: 'category', valueCoding: { system: S.dataCategory, code: 'MEDVERSTREKKING' } },
      { name: 'category', valueCoding: { system: S.dataCategory, code: 'WAARNEEMGEGEVENS' } },
    ];
    expect(readClosedQuestion({ resourceType: 'Parameters', parameter })).toEqual({
      bsn: '999900146',
      roleCode: '01.015',
      organisationType: 'N6',
      holderUra: '02000001',
      categories: ['MEDVERSTREKKING', 'WAARNEEMGEGEVENS'],
      situation: 'regular',
    });
    expect(
      codeOf(() => readClosedQuestion({ resourceType: 'Parameters', parameter: [...parameter, { name: 'x' }] })),
    ).toBe('UNKNOWN_FIELD body.parameter[x]');
    expect(codeOf(() => readClosedQuestion({ resourceType: 'Parameters', parameter: parameter.slice(1) }))).toBe(
      'MISSING_FIELD body.parameter[patient]',
    );
  });
});
