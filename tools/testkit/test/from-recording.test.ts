import { describe, expect, it } from 'vitest';
import { loadTopology } from '@schakel/topology';
import { Scenario, scenarioFromRecording, type Recording } from '../src/index.js';

const topology = loadTopology();
const appOf = (id: string) => topology.organisations.find((o) => o.id === id)?.applicationId as string;
const exchange = (over: Partial<Recording['exchanges'][number]>): Recording['exchanges'][number] => ({
  org: 'lsp',
  leg: 'requester',
  at: '2026-12-03T10:00:00.000Z',
  method: 'POST',
  url: '/queries/medication',
  route: '/queries/medication',
  status: 200,
  ms: 10,
  ...over,
});
const requester = { applicationId: appOf('seh-st-anna'), professional: { uziNumber: '900000011', roleCode: '01.071' } };

/** A recording of two queries: one with a source that timed out and a policy decision, one refused whole. */
const recording: Recording = {
  format: 'schakel-recording/1',
  startedAt: '2026-12-03T10:00:00.000Z',
  stoppedAt: '2026-12-03T10:01:00.000Z',
  switchPoint: 'lsp',
  processes: [],
  pseudonyms: { bsns: ['999999990', '999999989'], names: 0, texts: 0 },
  missing: [],
  exchanges: [
    exchange({ method: 'PUT', route: '/reference-index/:bsn/:category/:applicationId', url: '/reference-index/x' }),
    exchange({
      request: { bsn: '999999990', requester, treatmentRelation: true, situation: 'acute', patientCannotConsent: true },
      response: {
        sources: [
          {
            applicationId: appOf('apotheek-de-vijzel'),
            status: 'timeout',
            contacted: true,
            decision: { code: 'CONSENT_GIVEN' },
          },
          {
            applicationId: appOf('apotheek-zuid'),
            status: 'ok',
            contacted: true,
            decision: { code: 'PRESUMED_CONSENT' },
          },
        ],
      },
    }),
    exchange({
      status: 404,
      request: { bsn: '999999989', requester, treatmentRelation: true },
      response: { code: 'UNKNOWN_PATIENT', status: 404 },
    }),
  ],
};

describe('scenarioFromRecording', () => {
  const { scenario, notes } = scenarioFromRecording(recording, topology);

  it('writes a valid scenario that sends each recorded query again, with its flags', () => {
    const parsed = Scenario.parse(scenario);
    const queries = parsed.when.filter((s) => s.kind === 'query').map((s) => s.value);
    expect(queries).toMatchObject([
      { system: 'seh-st-anna', by: '900000011', patient: 'patient1', situation: 'acute', patientCannotConsent: true },
      { system: 'seh-st-anna', patient: 'patient2', as: 'q2' },
    ]);
  });

  it('gives a source that timed out a fault for that one query, before it', () => {
    const steps = scenario['when'] as Record<string, unknown>[];
    expect(steps[0]).toEqual({ fault: { at: 'apotheek-de-vijzel', kind: 'hang', times: 1 } });
    expect(steps[1]).toHaveProperty('query');
  });

  it('checks the recorded outcomes it can set up, and says what it cannot', () => {
    expect(scenario['then']).toEqual([
      {
        answer: {
          of: 'q1',
          status: 200,
          sources: { 'apotheek-de-vijzel': { status: 'timeout', contacted: true, decision: 'CONSENT_GIVEN' } },
        },
      },
      { answer: { of: 'q2', status: 404, code: 'UNKNOWN_PATIENT' } },
    ]);
    expect(notes).toEqual([
      'not replayed: 1 × PUT /reference-index/:bsn/:category/:applicationId (only JSON queries are)',
      'query 1: apotheek-zuid decided PRESUMED_CONSENT, which a replay cannot set up; not checked',
    ]);
  });
});
