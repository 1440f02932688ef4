import { parseArgs } from 'node:util';

export const SECTIONS = ['routed', 'profile', 'leg', 'floors', 'index', 'startup', 'soak', 'replicas'] as const;
export type Section = (typeof SECTIONS)[number];
/** The profile slows the switch point down and is read by people, not compared, so it is opt-in. */
const DEFAULT_SECTIONS: Section[] = ['routed', 'index', 'startup'];

export interface BenchOptions {
  quick: boolean;
  national: boolean;
  sections: Section[];
  /** Seconds of load per step, after `warmupS` seconds that are not counted. */
  durationS: number;
  warmupS: number;
  connections: number[];
  indexSizes: number[];
  lookups: number;
  startupRuns: number;
  /** Patients in the switch point's index for the national routed run (--national; --national-patients). */
  nationalPatients?: number;
  /** Minutes of the soak (--soak). */
  soakMinutes: number;
  /** Heap snapshots of the switch point during the soak (--soak-heap). */
  soakHeap: boolean;
  /** The processes the profile section profiles, by topology id (--profile-target; default the switch point). */
  profileTargets: string[];
}

export const HELP = `Usage: npm run bench [-- options]

Measures the routed medication query against a bare fan-out baseline in the same run, the reference
index at 10k / 100k / 1M patients, and start-up time. Results go to tools/bench/results/.

Options:
  --quick           short steps (1 s warm-up + 4 s load) and index sizes 10k and 100k only
  --national        also measure the reference index at 20M patients (about 3 GB, several minutes), and
                    the routed query against a switch point whose index holds 20M patients
  --national-patients N   that size instead of 20M (the index section and the routed run)
  --profile         also run the switch point once under load with --cpu-prof and summarise the profile
                    per step of the routed query (add floors for the measured floors beside it)
  --profile-target LIST   comma-separated processes to profile (topology ids: lsp, apotheek-de-vijzel,
                    apotheek-zuid, ...; default lsp); implies --profile. A source's profile is
                    summarised per step of its leg (certificate check, store lookups, source log, ...)
  --leg             also a source's leg alone: the bench calls a pharmacy's switch-point leg itself (with
                    the switch point's certificate) and a bare upstream with the same answer, CPU per
                    request of each (same as adding leg to --only)
  --soak            only the soak: the routed query at half the measured maximum for 10 minutes, errors,
                    p50/p99 and RSS per process per minute (same as --only soak)
  --soak-minutes N  minutes of the soak (default 10)
  --soak-heap       also write heap snapshots of the switch point before the warm-up and at the end
                    (each stops it for seconds; compare RSS from a run without them)
  --replicas        also the routed query with 1 and 3 switch-point replicas, on SQLite and on PostgreSQL
                    (SCHAKEL_BENCH_DATABASE_URL, a role that may create databases; left out with the reason
                    when no server answers)
  --only LIST       comma-separated sections: ${SECTIONS.join(',')} (default: ${DEFAULT_SECTIONS.join(',')})
  --duration S      seconds of load per step (default 10; 4 with --quick)
  -h, --help        this text`;

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      national: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'profile-target': { type: 'string' },
      only: { type: 'string' },
      duration: { type: 'string' },
      soak: { type: 'boolean', default: false },
      'national-patients': { type: 'string' },
      'soak-minutes': { type: 'string' },
      'soak-heap': { type: 'boolean', default: false },
      replicas: { type: 'boolean', default: false },
      leg: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const sections =
    values.only !== undefined
      ? values.only.split(',').map((s) => s.trim())
      : values.soak
        ? ['soak']
        : [...DEFAULT_SECTIONS];
  if (values.soak && !sections.includes('soak')) sections.push('soak');
  const soakMinutes = values['soak-minutes'] !== undefined ? Number(values['soak-minutes']) : 10;
  if (!Number.isInteger(soakMinutes) || soakMinutes < 1)
    throw new Error(`--soak-minutes: expected a whole number of minutes, got "${values['soak-minutes']}"`);
  const profileTargets = (values['profile-target'] ?? 'lsp')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if ((values.profile || values['profile-target'] !== undefined) && !sections.includes('profile'))
    sections.push('profile');
  if (values.replicas && !sections.includes('replicas')) sections.push('replicas');
  if (values.leg && !sections.includes('leg')) sections.push('leg');
  for (const s of sections)
    if (!(SECTIONS as readonly string[]).includes(s))
      throw new Error(`--only: unknown section "${s}" (expected ${SECTIONS.join(', ')})`);
  const durationS = values.duration !== undefined ? Number(values.duration) : values.quick ? 4 : 10;
  if (!Number.isFinite(durationS) || durationS <= 0)
    throw new Error(`--duration: expected a positive number of seconds, got "${values.duration}"`);
  const indexSizes = values.quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
  const nationalPatients =
    values['national-patients'] !== undefined
      ? Number(values['national-patients'])
      : values.national
        ? 20_000_000
        : undefined;
  if (nationalPatients !== undefined && (!Number.isInteger(nationalPatients) || nationalPatients < 1))
    throw new Error(`--national-patients: expected a whole number, got "${values['national-patients']}"`);
  if (nationalPatients !== undefined) indexSizes.push(nationalPatients);
  return {
    quick: values.quick,
    national: nationalPatients !== undefined,
    ...(nationalPatients !== undefined ? { nationalPatients } : {}),
    sections: sections as Section[],
    durationS,
    warmupS: values.quick ? 1 : 3,
    connections: [50, 100],
    indexSizes,
    lookups: values.quick ? 5_000 : 20_000,
    startupRuns: values.quick ? 1 : 3,
    soakMinutes,
    soakHeap: values['soak-heap'],
    profileTargets,
  };
}
