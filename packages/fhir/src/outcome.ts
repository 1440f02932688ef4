import { ERROR_CODES, problem, type Decision, type ErrorCode, type Problem } from '@schakel/contracts';
import { SCHAKEL_SYSTEM } from './systems.js';
import type { OperationOutcome, OperationOutcomeIssue } from './types.js';

/** R4 issue-type (http://hl7.org/fhir/issue-type) nearest to an HTTP status of the one error list. */
function issueType(p: Problem): OperationOutcomeIssue['code'] {
  switch (p.code) {
    case 'MISSING_FIELD':
      return 'required';
    case 'MALFORMED_BODY':
      return 'structure';
    case 'NOT_SUPPORTED':
      return 'not-supported';
    case 'UNKNOWN_PATIENT':
    case 'UNKNOWN_ORGANISATION':
    case 'NOT_FOUND':
    case 'ROUTE_NOT_FOUND':
      return 'not-found';
    default:
      break;
  }
  if (p.status === 401) return 'login';
  if (p.status === 403) return 'forbidden';
  if (p.status === 404) return 'not-found';
  if (p.status === 405 || p.status === 415) return 'not-supported';
  if (p.status === 408 || p.status === 504) return 'timeout';
  if (p.status === 409) return 'conflict';
  if (p.status === 413 || p.status === 414 || p.status === 431) return 'too-long';
  if (p.status === 429) return 'throttled';
  if (p.status === 502 || p.status === 503) return 'transient';
  if (p.status >= 500) return 'exception';
  return 'invalid';
}

/**
 * The FHIR face of a problem (the one error list, packages/contracts): one error issue whose
 * details.coding carries the stable code under Schakel's error-code system, the detail as its text and
 * where/what was expected as diagnostics; a refusal's decision (rule and consent record) follows as an
 * information issue. The HTTP status is the problem's own; nothing is lost that problemFromOutcome needs.
 */
export function outcomeFromProblem(p: Problem): OperationOutcome {
  const where = [
    p.field !== undefined ? `field ${p.field}` : undefined,
    p.expected !== undefined ? `expected ${p.expected}` : undefined,
    p.aortaId ? `AORTA-ID ${p.aortaId}` : undefined,
  ].filter((s): s is string => s !== undefined);
  const issues: OperationOutcomeIssue[] = [
    {
      severity: p.status >= 500 ? 'fatal' : 'error',
      code: issueType(p),
      details: {
        coding: [{ system: SCHAKEL_SYSTEM.errorCode, code: p.code, display: p.title }],
        text: p.detail ?? p.title,
      },
      ...(where.length > 0 ? { diagnostics: where.join('; ') } : {}),
    },
  ];
  for (const e of p.errors?.slice(1) ?? []) {
    issues.push({
      severity: 'error',
      code: e.code === 'MISSING_FIELD' ? 'required' : 'invalid',
      details: { coding: [{ system: SCHAKEL_SYSTEM.errorCode, code: e.code }], text: e.message },
      diagnostics: `field ${e.field}; expected ${e.expected}`,
    });
  }
  if (p.decision !== undefined) issues.push(decisionIssue(p.decision, 'error'));
  return { resourceType: 'OperationOutcome', issue: issues };
}

/** A decision as an issue: its code under the decision-code system, the rule and record as diagnostics. */
export function decisionIssue(
  d: Decision,
  severity: OperationOutcomeIssue['severity'] = 'information',
): OperationOutcomeIssue {
  return {
    severity: severity === 'error' ? 'information' : severity,
    code: 'informational',
    details: { coding: [{ system: SCHAKEL_SYSTEM.decisionCode, code: d.code }], text: d.explanation },
    diagnostics: `rule ${d.rule}${d.consentRecordId !== undefined ? `; consent record ${d.consentRecordId}` : ''}`,
  };
}

/** The decision an information issue carries (decisionIssue's inverse), if it is one. */
export function decisionOfIssue(issue: OperationOutcomeIssue): Decision | undefined {
  const code = issue.details?.coding?.find((c) => c.system === SCHAKEL_SYSTEM.decisionCode)?.code;
  if (code === undefined) return undefined;
  const m = /^rule (.*?)(?:; consent record (\d+))?$/.exec(issue.diagnostics ?? '');
  return {
    code,
    rule: m?.[1] ?? '',
    explanation: issue.details?.text ?? '',
    ...(m?.[2] !== undefined ? { consentRecordId: Number(m[2]) } : {}),
  };
}

/** The stable code of an OperationOutcome's first error issue (Schakel's error-code system), if any. */
export function errorCodeOf(outcome: OperationOutcome): string | undefined {
  for (const issue of outcome.issue) {
    const code = issue.details?.coding?.find((c) => c.system === SCHAKEL_SYSTEM.errorCode)?.code;
    if (code !== undefined) return code;
  }
  return undefined;
}

/**
 * The problem an OperationOutcome answered with `status` stands for: for a client of a FHIR party (the
 * switch point calling a FHIR source, a test): our own code when the outcome carries one, else the code
 * of the one list nearest to the status.
 */
export function problemFromOutcome(outcome: OperationOutcome, status: number): Problem {
  const first = outcome.issue.find((i) => i.severity === 'error' || i.severity === 'fatal') ?? outcome.issue[0];
  const code = errorCodeOf(outcome);
  const known: ErrorCode =
    code !== undefined && code in ERROR_CODES
      ? (code as ErrorCode)
      : status === 404
        ? 'NOT_FOUND'
        : status === 403
          ? 'NOT_AUTHORISED'
          : status >= 500
            ? 'UPSTREAM_ERROR'
            : 'VALIDATION_ERROR';
  const decisionIssueOf = outcome.issue.map(decisionOfIssue).find((d) => d !== undefined);
  return {
    ...problem(known, first?.details?.text ?? first?.diagnostics).problem,
    status,
    ...(decisionIssueOf !== undefined ? { decision: decisionIssueOf } : {}),
  };
}
