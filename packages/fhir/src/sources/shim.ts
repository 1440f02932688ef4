// TEMPORARY until the fhir-nvi skeleton is merged (its outcome.ts, systems.ts, types.ts replace this file).
import { ERROR_CODES, problem, type Decision, type ErrorCode, type Problem } from '@schakel/contracts';
import type { OperationOutcome as R4Outcome, OperationOutcomeIssue as R4Issue } from './r4.js';
import { CODE_SYSTEM, ID_SYSTEM } from './systems.js';

export type OperationOutcome = R4Outcome;
export type OperationOutcomeIssue = R4Issue;
export const SYSTEM = ID_SYSTEM;
export const SCHAKEL_SYSTEM = { errorCode: CODE_SYSTEM.problem, decisionCode: CODE_SYSTEM.decision };

export function outcomeFromProblem(p: Problem): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: p.status >= 500 ? 'fatal' : 'error',
        code: p.status === 403 ? 'forbidden' : p.status === 404 ? 'not-found' : 'invalid',
        details: { coding: [{ system: SCHAKEL_SYSTEM.errorCode, code: p.code }], text: p.detail ?? p.title },
      },
    ],
  };
}
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
export function problemFromOutcome(outcome: OperationOutcome, status: number): Problem {
  const code = outcome.issue[0]?.details?.coding?.find((c) => c.system === SCHAKEL_SYSTEM.errorCode)?.code;
  const known: ErrorCode = code !== undefined && code in ERROR_CODES ? (code as ErrorCode) : 'UPSTREAM_ERROR';
  return { ...problem(known, outcome.issue[0]?.details?.text).problem, status };
}
