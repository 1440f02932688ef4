import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseXml } from '@schakel/hl7v3';
import { REPO_ROOT } from '@schakel/topology';
import { junitXml, loadScenarios, mismatches } from '@schakel/testkit';

describe('mismatches (what a scenario expects of an answer)', () => {
  it('matches on the keys given, lists by position and length, and /pattern/ strings by pattern', () => {
    const actual = { status: 'refused', decision: { code: 'PROTOCOL_DENY', rule: 'AP-DENY-1: never' }, extra: 1 };
    expect(mismatches(actual, { status: 'refused', decision: { rule: '/^AP-DENY-1/' } })).toEqual([]);
    expect(mismatches(actual, { status: 'ok' })).toEqual(['$.status: expected "ok", got "refused"']);
    expect(mismatches(actual, { decision: { rule: '/^AP-MED/' } })[0]).toMatch(/expected to match/);
    expect(mismatches([{ a: 1 }, { a: 2 }], [{ a: 1 }])[0]).toMatch(/expected 1 item/);
    expect(mismatches(undefined, { a: 1 })[0]).toMatch(/expected an object/);
  });
});

describe('loading scenario files', () => {
  it('reads every shipped scenario as valid', () => {
    const loaded = loadScenarios([join(REPO_ROOT, 'scenarios')], REPO_ROOT);
    expect(loaded.length).toBeGreaterThanOrEqual(10);
    expect(loaded.filter((l) => l.error !== undefined)).toEqual([]);
  });

  it('refuses a clock in given that is none of the settings, with the reason, and a step that is two things at once', () => {
    const [clock] = loadScenarios([join(REPO_ROOT, 'tools/testkit/test/fixtures/failing/bad-clock.yaml')]);
    expect(clock?.error).toMatch(/given\.clock\.offset: an ISO 8601 duration/);
    const dir = join(REPO_ROOT, 'tools/testkit/test/fixtures/invalid');
    const [twoThings] = loadScenarios([join(dir, 'two-actions-in-one-step.yaml')]);
    expect(twoThings?.error).toMatch(/a step is one of .*found stop, start/);
  });
});

describe('JUnit XML', () => {
  it('counts passed, failed and skipped scenarios and escapes what it quotes', () => {
    const xml = junitXml([
      { file: 'a.yaml', name: 'passes', outcome: 'passed', durationMs: 1200 },
      {
        file: 'b.yaml',
        name: 'fails <here> & "there"',
        outcome: 'failed',
        durationMs: 10,
        message: 'x',
        detail: 'a<b',
      },
      { file: 'c.yaml', name: 'skips', outcome: 'skipped', durationMs: 0, message: 'no professional' },
    ]);
    const doc = parseXml(xml);
    const suite = doc.getElementsByTagName('testsuite')[0];
    expect(suite?.getAttribute('tests')).toBe('3');
    expect(suite?.getAttribute('failures')).toBe('1');
    expect(suite?.getAttribute('skipped')).toBe('1');
    const failed = doc.getElementsByTagName('testcase')[1];
    expect(failed?.getAttribute('name')).toBe('fails <here> & "there"');
    expect(failed?.getElementsByTagName('failure')[0]?.textContent).toBe('a<b');
  });
});
