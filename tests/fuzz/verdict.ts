import { ERROR_CODES, PROBLEM_CONTENT_TYPE } from '@schakel/contracts';
import { bodySize } from './bodies.js';
import { BODY_METHODS, type FuzzCase } from './cases.js';
import type { Answer } from './send.js';

/** One broken rule for one case. `key` groups failures of the same class across cases and services. */
export interface Failure {
  rule: Rule;
  key: string;
  /** What came back, short. */
  answer: string;
}

/** The rules an answer is judged by; each failure names one. */
export const RULES = {
  unsendable: 'unsendable (a generator bug)',
  noAnswer: 'no answer',
  serverError: '5xx',
  notProblem: 'not problem+json',
  unlistedCode: 'unlisted code',
  statusDiffers: 'status differs from the problem',
  not415: 'wrong media type not refused with 415',
  not405: 'method not allowed not refused with 405',
  noAllow: '405 without Allow',
  not413: 'oversized body not refused with 413',
  malformedAccepted: 'malformed JSON accepted',
} as const;
export type Rule = (typeof RULES)[keyof typeof RULES];

/**
 * Refusals that may come before a body or a method is looked at: a caller without an acceptable
 * certificate is turned away first, whatever else is wrong with its request.
 */
const REFUSED_FIRST = [401, 403];

const header = (a: Extract<Answer, { kind: 'response' }>, name: string) => {
  const v = a.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
};

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A short, stable description of a non-problem answer: Fastify's own errors say who made them in code/error. */
function shape(a: Extract<Answer, { kind: 'response' }>): string {
  if (a.text.length === 0 && a.status >= 400)
    return `${a.status} ${header(a, 'content-type') ?? 'no content-type'} (no body)`;
  const json = parse(a.text);
  const hint =
    json !== undefined
      ? JSON.stringify({ code: json['code'], error: json['error'] })
      : JSON.stringify(a.text.slice(0, 40));
  return `${a.status} ${header(a, 'content-type') ?? 'no content-type'} ${hint}`;
}

/**
 * The rules every answer keeps (issue #10 item 7): an answer always comes; never a 5xx; every 4xx is
 * application/problem+json (RFC 9457) with a code from the one list, ERROR_CODES, whose status it keeps.
 * Then what the kind of case adds: a body that is not JSON gets 415, a method the path does not have
 * gets 405 with Allow (RFC 9110 15.5.6), a body over the limit gets 413, malformed JSON is never accepted.
 */
export function judge(c: FuzzCase, a: Answer): Failure[] {
  if (a.kind === 'unsendable') return [{ rule: RULES.unsendable, key: `unsendable: ${a.error}`, answer: a.error }];
  if (a.kind === 'socket error') {
    const error = a.error.replace(/\d+/g, 'N');
    return [{ rule: RULES.noAnswer, key: `no answer (${error}) to ${c.kind}`, answer: a.error }];
  }
  const failures: Failure[] = [];
  // The kind of case is part of the class: the same answer to an odd method and to an odd path are two findings.
  const fail = (rule: Rule, key: string, answer = shape(a)) =>
    failures.push({ rule, key: `${rule}: ${key}, to ${c.kind}`, answer });
  const contentType = header(a, 'content-type') ?? '';
  const problem = parse(a.text);
  const code = typeof problem?.['code'] === 'string' ? problem['code'] : undefined;

  if (a.status >= 500) fail(RULES.serverError, shape(a));
  if (a.status >= 400) {
    if (!contentType.toLowerCase().startsWith(PROBLEM_CONTENT_TYPE)) {
      fail(RULES.notProblem, shape(a));
    } else if (c.method !== 'HEAD') {
      // A HEAD answer has no body to read a code from (RFC 9110 9.3.2); its headers are judged above.
      if (code === undefined || !(code in ERROR_CODES))
        fail(RULES.unlistedCode, `${a.status} ${JSON.stringify(code ?? problem?.['code'] ?? null)}`);
      else if (ERROR_CODES[code as keyof typeof ERROR_CODES].status !== a.status || problem?.['status'] !== a.status) {
        fail(
          RULES.statusDiffers,
          `HTTP ${a.status}, ${code} (listed ${ERROR_CODES[code as keyof typeof ERROR_CODES].status}, body says ${JSON.stringify(problem?.['status'])})`,
        );
      }
    }
  }

  const refusedFirst = REFUSED_FIRST.includes(a.status);
  const describe = `${a.status} ${code ?? (c.method === 'HEAD' ? '(HEAD, no body)' : contentType)}`;
  switch (c.kind) {
    case 'wrong media type':
      if (
        BODY_METHODS.includes(c.method) &&
        c.body !== undefined &&
        bodySize(c.body) > 0 &&
        a.status !== 415 &&
        !refusedFirst
      ) {
        fail(RULES.not415, describe);
      }
      break;
    case 'method not allowed':
      if (a.status === 405) {
        if (header(a, 'allow') === undefined) fail(RULES.noAllow, describe);
      } else if (!refusedFirst) {
        fail(RULES.not405, describe);
      }
      break;
    case 'huge body':
      if (BODY_METHODS.includes(c.method) && a.status !== 413 && !refusedFirst)
        fail(RULES.not413, `${describe}${c.body?.chunked === true ? ' (chunked)' : ''}`);
      break;
    case 'malformed body':
      if (BODY_METHODS.includes(c.method) && /^(malformed|truncated) JSON$/.test(c.mutation) && a.status < 400)
        fail(RULES.malformedAccepted, describe);
      break;
    default:
      break;
  }
  return failures;
}
