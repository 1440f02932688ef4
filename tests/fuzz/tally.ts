import type { FuzzCase } from './cases.js';
import type { Answer } from './send.js';
import type { Failure, Rule } from './verdict.js';

export interface Outcome {
  seed: number;
  index: number;
  case: FuzzCase;
  answer: Answer;
  failures: Failure[];
}

/** Failures of one class: how often, where, and the first case that showed it (to replay). */
export interface FailureClass {
  rule: Rule;
  key: string;
  count: number;
  services: Set<string>;
  kinds: Set<string>;
  example: Outcome;
  answer: string;
}

export interface ServiceCounts {
  requests: number;
  byStatus: Map<string, number>;
  failing: number;
}

const bump = <K>(map: Map<K, number>, key: K, by = 1) => map.set(key, (map.get(key) ?? 0) + by);

/** Counts what the fuzz sent and got, keeping one example per failure class rather than every case. */
export function createTally() {
  const services = new Map<string, ServiceCounts>();
  const codes = new Map<string, number>();
  const kinds = new Map<string, number>();
  const operations = new Map<string, number>();
  const classes = new Map<string, FailureClass>();
  const seeds = new Set<number>();
  let requests = 0;
  let failing = 0;
  const started = performance.now();

  return {
    record(o: Outcome) {
      requests++;
      seeds.add(o.seed);
      bump(kinds, o.case.kind);
      bump(operations, `${o.case.service} ${o.case.operation}`);
      const s = services.get(o.case.service) ?? { requests: 0, byStatus: new Map<string, number>(), failing: 0 };
      services.set(o.case.service, s);
      s.requests++;
      const status = o.answer.kind === 'response' ? String(o.answer.status) : o.answer.kind;
      bump(s.byStatus, status);
      if (o.answer.kind === 'response' && o.answer.status >= 400) {
        const code =
          /"code"\s*:\s*"([^"]+)"/.exec(o.answer.text)?.[1] ?? (o.answer.text.length === 0 ? '(no body)' : '(no code)');
        bump(codes, `${o.answer.status} ${code}`);
      }
      if (o.failures.length > 0) {
        failing++;
        s.failing++;
      }
      for (const f of o.failures) {
        const known = classes.get(f.key);
        if (known !== undefined) {
          known.count++;
          known.services.add(o.case.service);
          known.kinds.add(o.case.kind);
        } else {
          classes.set(f.key, {
            rule: f.rule,
            key: f.key,
            count: 1,
            services: new Set([o.case.service]),
            kinds: new Set([o.case.kind]),
            example: o,
            answer: f.answer,
          });
        }
      }
    },
    get requests() {
      return requests;
    },
    get failing() {
      return failing;
    },
    seconds: () => (performance.now() - started) / 1000,
    services,
    codes,
    kinds,
    /** Requests per operation they were made from ("lsp POST /queries/medication"). */
    operations,
    seeds,
    /** Failure classes, most frequent first. */
    classes: () => [...classes.values()].sort((a, b) => b.count - a.count || a.key.localeCompare(b.key)),
  };
}
export type Tally = ReturnType<typeof createTally>;
