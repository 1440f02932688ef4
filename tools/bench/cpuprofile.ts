import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts of a V8 .cpuprofile (written by node --cpu-prof) that a self-time summary needs. */
interface CpuProfile {
  nodes: { id: number; hitCount?: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
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
export function summariseProfile(profile: CpuProfile, top = 20, window?: Window): ProfileSummary {
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
  };
}
