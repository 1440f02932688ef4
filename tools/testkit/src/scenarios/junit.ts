/** The outcome of one scenario, as the runner reports it and JUnit XML carries it. */
export interface ScenarioResult {
  file: string;
  name: string;
  outcome: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  /** Failed: the step that failed and what differed; skipped: why. */
  message?: string;
  detail?: string;
}

const escape = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // XML 1.0 allows no control characters but tab, newline and carriage return.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/**
 * JUnit XML as CI systems read it (the Ant/Surefire shape): one testsuite per scenario folder, one
 * testcase per scenario (classname: the file), a failure or skipped element with the reason.
 */
export function junitXml(results: ScenarioResult[], suiteName = 'scenarios'): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const count = (o: ScenarioResult['outcome']) => results.filter((r) => r.outcome === o).length;
  const total = results.reduce((s, r) => s + r.durationMs, 0);
  const cases = results.map((r) => {
    const open = `    <testcase classname="${escape(r.file)}" name="${escape(r.name)}" time="${seconds(r.durationMs)}"`;
    if (r.outcome === 'passed') return `${open}/>`;
    if (r.outcome === 'skipped')
      return `${open}>\n      <skipped message="${escape(r.message ?? '')}"/>\n    </testcase>`;
    return `${open}>\n      <failure message="${escape(r.message ?? 'failed')}" type="ScenarioFailure">${escape(r.detail ?? '')}</failure>\n    </testcase>`;
  });
  const attrs = `tests="${results.length}" failures="${count('failed')}" errors="0" skipped="${count('skipped')}" time="${seconds(total)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escape(suiteName)}" ${attrs}>`,
    `  <testsuite name="${escape(suiteName)}" ${attrs} timestamp="${new Date().toISOString().slice(0, 19)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
