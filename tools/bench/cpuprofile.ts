import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts of a V8 .cpuprofile (written by node --cpu-prof) that a self-time summary needs. */
interface CpuProfile {
  nodes: {
    id: number;
    hitCount?: number;
    children?: number[];
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  startTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** A stretch of time on the monotonic clock, in microseconds (process.hrtime and V8's profiler share it on Linux). */
export interface Window {
  fromUs: number;
  toUs: number;
}

/** Samples per node id, counting only those taken inside the window (without one, the whole profile). */
function hitsPerNode(profile: CpuProfile, window: Window | undefined): Map<number, number> {
  const hits = new Map<number, number>();
  if (window === undefined || profile.samples === undefined || profile.timeDeltas === undefined) {
    for (const n of profile.nodes) hits.set(n.id, n.hitCount ?? 0);
    return hits;
  }
  let t = profile.startTime;
  for (const [i, id] of profile.samples.entries()) {
    t += profile.timeDeltas[i] ?? 0;
    if (t >= window.fromUs && t <= window.toUs) hits.set(id, (hits.get(id) ?? 0) + 1);
  }
  // No sample in the window means the clocks did not line up: fall back to the whole profile.
  return hits.size > 0 ? hits : hitsPerNode(profile, undefined);
}

export interface ProfileRow {
  what: string;
  where: string;
  selfPercent: number;
}

export interface ProfileSummary {
  samples: number;
  /** Share of samples in which the process was idle (waiting in epoll). */
  idlePercent: number;
  topFunctions: ProfileRow[];
  /** Self time by package (node_modules/<name>), Schakel workspace, Node internals, GC and so on. */
  byArea: { area: string; selfPercent: number }[];
  /** Busy time per step of the routed query (the innermost step on each sample's stack), see STEPS (SOURCE_STEPS for a source). */
  bySteps: { step: string; percent: number }[];
}

type Frame = CpuProfile['nodes'][number]['callFrame'];
/**
 * The steps of the routed query, recognised on a sample's stack. Our own code is bundled (one file per
 * service), so its steps are found by function name, libraries by their package. A sample goes to the
 * innermost frame that names a step (first list); only when none does, to the innermost library frame
 * (second list), so that Kysely under an index lookup counts as the lookup.
 */
const STEPS: [step: string, match: (f: Frame) => boolean][] = [
  ['garbage collection', (f) => f.functionName === '(garbage collector)'],
  ['logging (pino)', (f) => /\/(pino|sonic-boom|thread-stream)\//.test(f.url)],
  ['access-log hash (SHA-256)', (f) => f.functionName === 'entryHash'],
  ['access-log write (SQLite)', (f) => /^(append|appendAll|commitGroup|accessLogWrite)$/.test(f.functionName)],
  ['assertion: ES256 signature (jose)', (f) => /\/jose\//.test(f.url)],
  [
    'assertion: certificate, checks, replay insert',
    (f) => /^(acceptAssertion|card|verify)$/.test(f.functionName) && !f.url.startsWith('node:'),
  ],
  ['fan-out calls (undici)', (f) => /\/undici\//.test(f.url)],
  ['lookups: index, consents, address book', (f) => /^(entries|choices|byUra|current|isRevoked)$/.test(f.functionName)],
  [
    'consent + protocol decision',
    (f) => /^(consentDecision|entriesInForce|choicesInForce|authorise)$/.test(f.functionName),
  ],
  [
    'source answer: parse + validate',
    (f) => /^(call|safeJson|validateAnswer)$/.test(f.functionName) && !f.url.startsWith('node:'),
  ],
  [
    'request validation, response serialization',
    (f) =>
      /\/(fastify-type-provider-zod|fast-json-stringify|ajv)\//.test(f.url) ||
      /^(serialize|validate)/.test(f.functionName),
  ],
];
const LIBRARIES: [step: string, match: (f: Frame) => boolean][] = [
  ['zod (elsewhere)', (f) => /\/zod\//.test(f.url)],
  ['Kysely (elsewhere)', (f) => /\/kysely\//.test(f.url)],
  ['SQLite (elsewhere)', (f) => /\/better-sqlite3\//.test(f.url)],
  ['batch building, pipeline', (f) => /^(fanOut|run)$/.test(f.functionName) && !f.url.startsWith('node:')],
  ['Fastify routing, hooks, reply', (f) => /\/(fastify|@fastify|find-my-way|avvio)\//.test(f.url)],
  [
    'TLS records, sockets, HTTP parser',
    (f) =>
      /^node:(_tls|tls|net|_http|http|internal\/(tls|stream|http|js_stream))/.test(f.url) ||
      f.functionName === 'writev',
  ],
];

/** Our own code: the bundled services (the topology's start) or the workspace sources (tsx). */
const ours = (f: Frame) => /\/schakel-services\/|\/(services|packages)\/[^/]+\/src\//.test(f.url);

/** Which steps a profile is read by: the first list wins on the innermost frame, then the second. */
export interface StepLists {
  first: [step: string, match: (f: Frame) => boolean][];
  fallback: [step: string, match: (f: Frame) => boolean][];
}

/**
 * The steps of a source's leg (a pharmacy's or GP system's answer to the switch point): the same idea as
 * STEPS, for the source side of one routed query (docs/performance.md, "Sources' cost per leg").
 */
export const SOURCE_STEPS: StepLists = {
  first: [
    ['garbage collection', (f) => f.functionName === '(garbage collector)'],
    ['logging (pino)', (f) => /\/(pino|sonic-boom|thread-stream)\//.test(f.url)],
    [
      'source log write (SQLite insert)',
      (f) => ours(f) && /^(write|append|appendAll|commitGroup)$/.test(f.functionName),
    ],
    [
      'store lookups (patient, dispenses, CiO)',
      (f) => ours(f) && /^(getPatient|dispenses|cios|medicationOf|toDispense|toCio|toPatient)$/.test(f.functionName),
    ],
    [
      'client certificate check',
      (f) => /^(checkClientCertificate|checkSocket|identityFromSubjectAltName)$/.test(f.functionName),
    ],
    ['operator controls (fault, journal)', (f) => ours(f) && /^(capture|record|applyFault)$/.test(f.functionName)],
    ['AORTA-ID header', (f) => /^(aortaOf|parseAortaId|formatAortaId)$/.test(f.functionName)],
    ['security headers (helmet)', (f) => /\/(@fastify\/helmet|helmet)\//.test(f.url)],
    [
      'request validation, response serialization',
      (f) =>
        /\/(fastify-type-provider-zod|fast-json-stringify|ajv|zod)\//.test(f.url) ||
        /^(serialize|validate|stringify)/.test(f.functionName),
    ],
  ],
  fallback: [
    ['Kysely (elsewhere)', (f) => /\/kysely\//.test(f.url)],
    ['SQLite (elsewhere)', (f) => /\/better-sqlite3\//.test(f.url)],
    ['answer building (route handler)', (f) => ours(f)],
    ['Fastify routing, hooks, reply', (f) => /\/(fastify|@fastify|find-my-way|avvio|light-my-request)\//.test(f.url)],
    [
      'TLS records, sockets, HTTP parser',
      (f) =>
        /^node:(_tls|tls|net|_http|http|internal\/(tls|stream|http|js_stream))/.test(f.url) ||
        f.functionName === 'writev',
    ],
  ],
};

function stepsOf(
  profile: CpuProfile,
  nodeHits: Map<number, number>,
  lists: StepLists = { first: STEPS, fallback: LIBRARIES },
): { step: string; percent: number }[] {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  let busy = 0;
  for (const [id, hits] of nodeHits) {
    const leaf = byId.get(id);
    if (hits === 0 || leaf === undefined || leaf.callFrame.functionName === '(idle)') continue;
    busy += hits;
    const innermost = (list: StepLists['first']): string | undefined => {
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const frame = byId.get(at)?.callFrame;
        const found = frame !== undefined ? list.find(([, match]) => match(frame)) : undefined;
        if (found !== undefined) return found[0];
      }
      return undefined;
    };
    const step = innermost(lists.first) ?? innermost(lists.fallback) ?? 'other';
    totals.set(step, (totals.get(step) ?? 0) + hits);
  }
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([step, hits]) => ({ step, percent: Math.round((hits / Math.max(1, busy)) * 1000) / 10 }));
}

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') === true ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? path);
  }
  const inRepo = relative(REPO_ROOT, path);
  return inRepo.startsWith('..') ? path : inRepo.split('/').slice(0, 2).join('/');
}

function whereOf(url: string, line: number): string {
  if (url === '') return '';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf('/node_modules/');
  const short =
    nm >= 0
      ? path.slice(nm + '/node_modules/'.length)
      : relative(REPO_ROOT, path).startsWith('..')
        ? path
        : relative(REPO_ROOT, path);
  return `${short}:${line + 1}`;
}

/**
 * Self time per function (samples summed over every node with the same name and place) and per area,
 * within the window when given: the process also loaded its modules and took the seed before the load.
 */
export function summariseProfile(profile: CpuProfile, top = 20, window?: Window, steps?: StepLists): ProfileSummary {
  const nodeHits = hitsPerNode(profile, window);
  const byFunction = new Map<string, ProfileRow & { hits: number }>();
  const byArea = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const node of profile.nodes) {
    const hits = nodeHits.get(node.id) ?? 0;
    if (hits === 0) continue;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += hits;
      continue;
    }
    const what = functionName === '' ? '(anonymous)' : functionName;
    const where = whereOf(url, lineNumber);
    const key = `${what} ${where}`;
    const row = byFunction.get(key) ?? { what, where, selfPercent: 0, hits: 0 };
    row.hits += hits;
    byFunction.set(key, row);
    const area = areaOf(url, functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + hits);
  }
  const busy = Math.max(1, total - idle);
  // Percentages are of busy samples, so they add up to what the process did rather than what it waited for.
  const pct = (n: number) => Math.round((n / busy) * 1000) / 10;
  return {
    samples: total,
    idlePercent: Math.round((idle / Math.max(1, total)) * 1000) / 10,
    topFunctions: [...byFunction.values()]
      .sort((a, b) => b.hits - a.hits)
      .slice(0, top)
      .map(({ what, where, hits }) => ({ what, where, selfPercent: pct(hits) })),
    byArea: [...byArea.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([area, hits]) => ({ area, selfPercent: pct(hits) })),
    bySteps: stepsOf(profile, nodeHits, steps),
  };
}
