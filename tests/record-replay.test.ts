import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, freshBsn, loadTopology } from '@schakel/topology';
import {
  Recording,
  Scenario,
  runScenarios,
  scanForOriginals,
  scenarioFromRecording,
  startSchakel,
  type Schakel,
} from '@schakel/testkit';

const run = promisify(execFile);
const cli = (...args: string[]) =>
  run(process.execPath, ['--conditions=@schakel/source', '--import', 'tsx', 'tools/topology/src/cli.ts', ...args], {
    cwd: REPO_ROOT,
  });

/**
 * Record and replay (issue #14, item 3), over real processes: a session through the switch point (a
 * medication query for a patient who consented at one pharmacy and objected at the other, and a summary)
 * is recorded with the CLI verbs, the recording holds none of the original BSNs, names or free text, and
 * the recording replayed as a scenario gives the same outcomes: the same per-source statuses and decisions.
 */
describe('record and replay', () => {
  const full = loadTopology();
  const keep = new Set(['gp-de-linde', 'apotheek-de-vijzel', 'apotheek-zuid', 'hap-midden']);
  const topology = { ...full, organisations: full.organisations.filter((o) => keep.has(o.id)) };
  const anna = { bsn: freshBsn(), name: 'Anna de Boer-Visser' };
  const jan = { bsn: freshBsn(), name: 'Jan Jansen-Terpstra' };
  let schakel: Schakel;
  let recording: Recording;
  const quiet = { print: () => undefined };

  beforeAll(async () => {
    schakel = await startSchakel({ topology, seed: false });
  }, 90_000);
  afterAll(async () => {
    await schakel?.stop();
  });

  it('records a session, written to a file by the CLI verb', { timeout: 90_000 }, async () => {
    const options = ['--lsp-url', schakel.switchPoint, '--data-dir', schakel.dataDir];
    await schakel.control.startRecording();
    const session = Scenario.parse({
      scenario: 'The session that is recorded',
      given: {
        patients: {
          anna: {
            ...anna,
            pharmacies: { 'apotheek-de-vijzel': ['Metformine 500 mg'], 'apotheek-zuid': ['Simvastatine 40 mg'] },
          },
          jan: { ...jan, gp: 'gp-de-linde', episodes: [{ code: 'K86', title: 'Hypertensie' }] },
        },
        consents: [
          { patient: 'anna', at: 'apotheek-de-vijzel', state: 'consent' },
          { patient: 'anna', at: 'apotheek-zuid', state: 'objection' },
          { patient: 'jan', at: 'gp-de-linde', state: 'consent' },
        ],
      },
      when: [
        { consult: { at: 'hap-midden', patient: 'anna', by: '900000001', as: 'annaVisit' } },
        { medication: { consult: 'annaVisit', as: 'meds' } },
        { consult: { at: 'hap-midden', patient: 'jan', by: '900000001', as: 'janVisit' } },
        { summary: { consult: 'janVisit', as: 'summary' } },
      ],
      then: [
        {
          answer: {
            of: 'meds',
            sources: { 'apotheek-de-vijzel': { status: 'ok' }, 'apotheek-zuid': { status: 'refused' } },
          },
        },
        { answer: { of: 'summary', sources: { 'gp-de-linde': { status: 'ok' } } } },
      ],
    });
    const [result] = await runScenarios(schakel, [{ file: 'session', scenario: session }], quiet);
    expect(result?.outcome, result?.detail).toBe('passed');
    const out = join(schakel.dataDir, 'session.json');
    const stopped = await cli('record', 'stop', '--out', out, ...options);
    expect(stopped.stdout).toMatch(/exchanges, 2 patients under pseudonyms/);
    recording = Recording.parse(JSON.parse(readFileSync(out, 'utf8')));
    // Both legs: the requester's queries at the switch point, and the switch point's calls to the sources.
    const legs = recording.exchanges.map((e) => `${e.leg} ${e.org} ${e.route}`);
    expect(legs).toContain('requester lsp /queries/medication');
    expect(legs).toContain('source apotheek-de-vijzel /lsp/medication-queries');
    expect(legs).toContain('source gp-de-linde /lsp/summary-queries');
    expect(legs).not.toContain('source apotheek-zuid /lsp/medication-queries');
    const query = recording.exchanges.find((e) => e.route === '/queries/medication');
    const leg = recording.exchanges.find((e) => e.route === '/lsp/medication-queries');
    expect(leg?.initialRequestId).toBe(query?.initialRequestId);
  });

  it('holds none of the original BSNs, names or free text', () => {
    const text = JSON.stringify(recording);
    const originals = {
      bsns: [anna.bsn, jan.bsn],
      names: [anna.name, jan.name, 'Dr. H. de Wit', 'H. de Wit', 'Dr. A. Bakker', 'A. Bakker'],
    };
    expect(scanForOriginals(text, originals, recording.pseudonyms.bsns)).toEqual([]);
    expect(text).not.toContain('1 maal per dag 1 tablet');
    expect(recording.pseudonyms.bsns).toHaveLength(2);
    // ... and the scan does find them where they are.
    expect(scanForOriginals(`${anna.bsn} ${jan.name}`, originals).map((f) => f.value)).toEqual([anna.bsn, jan.name]);
  });

  it('replays as a scenario to the same per-source statuses and decisions', { timeout: 90_000 }, async () => {
    const { scenario, notes } = scenarioFromRecording(recording, topology);
    const parsed = Scenario.parse(scenario);
    expect(scenario['then']).toEqual([
      {
        answer: {
          of: 'q1',
          status: 200,
          sources: {
            'apotheek-de-vijzel': { status: 'ok', contacted: true, decision: 'CONSENT_GIVEN' },
            'apotheek-zuid': { status: 'refused', contacted: false, decision: 'CONSENT_OBJECTION' },
          },
        },
      },
      {
        answer: {
          of: 'q2',
          status: 200,
          sources: { 'gp-de-linde': { status: 'ok', contacted: true, decision: 'CONSENT_GIVEN' } },
        },
      },
    ]);
    // The consents' registrations went through the switch point too; a replay sets them up as consents.
    expect(notes.join('\n')).toMatch(/not replayed: \d+ × PUT \/reference-index/);
    const [replayed] = await runScenarios(schakel, [{ file: 'replay', scenario: parsed }], quiet);
    expect(replayed?.outcome, replayed?.detail).toBe('passed');

    // A recording that says otherwise does not replay: the replay checks what was recorded.
    const altered = structuredClone(recording);
    const batch = altered.exchanges.find((e) => e.route === '/queries/medication')?.response as {
      sources: { status: string; decision: { code: string } }[];
    };
    for (const s of batch.sources) s.decision.code = 'CONSENT_GIVEN';
    const wrong = Scenario.parse(scenarioFromRecording(altered, topology).scenario);
    const [failed] = await runScenarios(schakel, [{ file: 'altered', scenario: wrong }], quiet);
    expect(failed?.outcome).toBe('failed');
  });
});
