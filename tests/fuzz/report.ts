import { bodyHead } from './bodies.js';
import type { FuzzCase } from './cases.js';
import type { Answer } from './send.js';
import type { FailureClass, Tally } from './tally.js';

/** Runs of one character shown as ‹c×n›, so a 20 KB query still shows what else is in it. */
const squeeze = (text: string) => text.replace(/(.)\1{15,}/gsu, (run, c: string) => `‹${c}×${Array.from(run).length}›`);
const clip = (text: string, max = 160) => {
  const short = squeeze(text);
  return short.length > max ? `${short.slice(0, max)}… (${text.length} chars)` : short;
};
const n = (x: number) => x.toLocaleString('en-GB');

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** How to send one case again by itself. */
export const replayCommand = (seed: number, index: number) => `npm run fuzz -- --seed ${seed} --case ${index}`;

/** A case in full (long parts clipped), as a reproduction. */
export function describeCase(c: FuzzCase): string {
  const headers = Object.entries(c.headers).map(([k, v]) => `${k}: ${clip(v, 80)}`);
  return [
    `${c.method} ${clip(c.target)}  [${c.service}, identity: ${c.identity}; ${c.kind}: ${clip(c.mutation, 80)}; from ${c.operation}]`,
    ...(headers.length > 0 ? [`  headers: ${clip(headers.join(' | '), 300)}`] : []),
    ...(c.body !== undefined
      ? [`  body: ${squeeze(bodyHead(c.body))}${c.body.chunked === true ? ' (chunked)' : ''}`]
      : []),
  ].join('\n');
}

export function describeAnswer(a: Answer): string {
  if (a.kind !== 'response') return `${a.kind}: ${a.error}`;
  return `${a.status} ${String(a.headers['content-type'] ?? 'no content-type')} ${clip(a.text.replace(/\s+/g, ' '), 200)}`;
}

/** One failure class with its first reproduction. */
export function describeClass(f: FailureClass): string {
  return [
    `${f.key}  (${n(f.count)}×; ${[...f.services].join(', ')}; ${[...f.kinds].join(', ')})`,
    `    e.g. ${describeCase(f.example.case).replaceAll('\n', '\n         ')}`,
    `    got  ${describeAnswer(f.example.answer)}`,
    `    replay: ${replayCommand(f.example.seed, f.example.index)}`,
  ].join('\n');
}

/** The summary `npm run fuzz` prints: requests per service, statuses, codes, and every failure class. */
export function summary(t: Tally): string {
  const statuses = [...new Set([...t.services.values()].flatMap((s) => [...s.byStatus.keys()]))].sort();
  const rows = [...t.services.entries()].map(([service, s]) => [
    service,
    n(s.requests),
    ...statuses.map((st) => n(s.byStatus.get(st) ?? 0)),
    n(s.failing),
  ]);
  const total = [
    'total',
    n(t.requests),
    ...statuses.map((st) => n([...t.services.values()].reduce((sum, s) => sum + (s.byStatus.get(st) ?? 0), 0))),
    n(t.failing),
  ];
  const codes = [...t.codes.entries()].sort((a, b) => b[1] - a[1]).map(([code, count]) => [code, n(count)]);
  const kinds = [...t.kinds.entries()].map(([kind, count]) => [kind, n(count)]);
  const classes = t.classes();
  const seconds = t.seconds();
  return [
    `Fuzzed ${n(t.requests)} requests in ${seconds.toFixed(1)} s (${Math.round(t.requests / seconds)}/s), seeds ${[...t.seeds].join(', ')}`,
    '',
    table(['service', 'requests', ...statuses, 'failing'], [...rows, total]),
    '',
    table(['kind of case', 'requests'], kinds),
    '',
    table(['status and code of refusals', 'answers'], codes),
    '',
    classes.length === 0
      ? 'No failures.'
      : `${classes.length} failure classes in ${n(t.failing)} requests:\n\n${classes.map(describeClass).join('\n\n')}`,
  ].join('\n');
}
