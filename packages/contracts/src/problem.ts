import { z } from 'zod';

/**
 * One error vocabulary for servers and clients (RFC 9457 application/problem+json with a stable `code`).
 * `hl7` gives the nearest AORTA acknowledgement detail code where one exists (KEY204, NAT, VALIDATIEFOUT).
 */
export const ERROR_CODES = {
  // request shape
  VALIDATION_ERROR: { status: 400, title: 'The request is not valid', hl7: 'VALIDATIEFOUT' },
  MALFORMED_BODY: { status: 400, title: 'The request body is not valid JSON', hl7: 'VALIDATIEFOUT' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The request body must be application/json', hl7: 'VALIDATIEFOUT' },
  BODY_TOO_LARGE: { status: 413, title: 'The request body is too large', hl7: 'VALIDATIEFOUT' },
  MALFORMED_URL: { status: 400, title: 'The URL is not valid (bad percent-encoding)', hl7: 'VALIDATIEFOUT' },
  URL_TOO_LONG: { status: 414, title: 'A path segment of the URL is too long', hl7: 'VALIDATIEFOUT' },
  HEADERS_TOO_LARGE: { status: 431, title: 'The request line or headers are too large', hl7: 'VALIDATIEFOUT' },
  MALFORMED_REQUEST: { status: 400, title: 'The request is not valid HTTP', hl7: 'VALIDATIEFOUT' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request was not received in time', hl7: undefined },
  METHOD_NOT_ALLOWED: { status: 405, title: 'This endpoint does not take this method', hl7: undefined },
  NOT_SUPPORTED: {
    status: 400,
    title: 'The request asks for something this endpoint does not do (e.g. an update where only create and delete are)',
    hl7: 'VALIDATIEFOUT',
  },
  INVALID_BSN: { status: 400, title: 'The BSN is not valid', hl7: 'VALIDATIEFOUT' },
  INVALID_URA: { status: 400, title: 'The URA is not valid', hl7: 'VALIDATIEFOUT' },
  INVALID_AGB: { status: 400, title: 'The AGB code is not valid', hl7: 'VALIDATIEFOUT' },
  INVALID_UZI_NUMBER: { status: 400, title: 'The UZI number is not valid', hl7: 'VALIDATIEFOUT' },
  INVALID_BIG_NUMBER: { status: 400, title: 'The BIG number is not valid', hl7: 'VALIDATIEFOUT' },
  INVALID_ROLE_CODE: { status: 400, title: 'The UZI role code is not valid', hl7: 'VALIDATIEFOUT' },
  INVALID_APPLICATION_ID: { status: 400, title: 'The application id is not valid', hl7: 'VALIDATIEFOUT' },
  INVALID_AORTA_ID: { status: 400, title: 'The AORTA-ID header is not valid', hl7: 'VALIDATIEFOUT' },
  INVALID_TYPE: { status: 400, title: 'A field has the wrong type', hl7: 'VALIDATIEFOUT' },
  INVALID_VALUE: { status: 400, title: 'A field has a value that is not allowed', hl7: 'VALIDATIEFOUT' },
  MISSING_FIELD: { status: 400, title: 'A required field is missing', hl7: 'VALIDATIEFOUT' },
  UNKNOWN_FIELD: { status: 400, title: 'The request has a field that is not known', hl7: 'VALIDATIEFOUT' },
  // trust: mutual TLS and signed professional assertions
  CLIENT_CERT_REQUIRED: { status: 401, title: 'A client certificate is required (mutual TLS)', hl7: 'NAT' },
  CLIENT_CERT_UNTRUSTED: { status: 401, title: 'The client certificate is not trusted', hl7: 'NAT' },
  CLIENT_CERT_EXPIRED: { status: 401, title: 'The client certificate has expired or is not yet valid', hl7: 'NAT' },
  CLIENT_CERT_REVOKED: { status: 401, title: 'The client certificate is revoked', hl7: 'NAT' },
  CLIENT_NOT_ALLOWED: { status: 403, title: 'This system may not do this', hl7: 'NAT' },
  ASSERTION_MISSING: { status: 401, title: 'A signed professional assertion is required', hl7: 'NAT' },
  ASSERTION_MALFORMED: { status: 401, title: 'The professional assertion is not a valid JWS', hl7: 'NAT' },
  ASSERTION_UNTRUSTED: {
    status: 401,
    title: 'The professional assertion is not signed with a trusted UZI card',
    hl7: 'NAT',
  },
  ASSERTION_BAD_SIGNATURE: { status: 401, title: 'The professional assertion’s signature does not match', hl7: 'NAT' },
  ASSERTION_EXPIRED: { status: 401, title: 'The professional assertion has expired (stale)', hl7: 'NAT' },
  ASSERTION_NOT_YET_VALID: { status: 401, title: 'The professional assertion is not valid yet (future)', hl7: 'NAT' },
  ASSERTION_TOO_LONG: { status: 401, title: 'The professional assertion is valid for longer than allowed', hl7: 'NAT' },
  ASSERTION_REPLAYED: { status: 401, title: 'The professional assertion’s message id was used before', hl7: 'NAT' },
  ASSERTION_MISMATCH: { status: 403, title: 'The professional assertion does not match the request', hl7: 'NAT' },
  CREDENTIAL_EXPIRED: { status: 401, title: 'The professional’s UZI card certificate has expired', hl7: 'NAT' },
  CREDENTIAL_REVOKED: { status: 401, title: 'The professional’s UZI card certificate is revoked', hl7: 'NAT' },
  NO_CREDENTIAL: { status: 403, title: 'No UZI card credential is available for this professional', hl7: 'NAT' },
  PORTAL_LOGIN_REQUIRED: { status: 401, title: 'Log in to the patient portal first', hl7: undefined },
  PORTAL_LOGIN_FAILED: { status: 401, title: 'The portal login failed', hl7: undefined },
  FRONT_OFFICE_LOGIN_REQUIRED: {
    status: 401,
    title: 'Log in to this organisation’s front office first',
    hl7: undefined,
  },
  FRONT_OFFICE_LOGIN_FAILED: { status: 401, title: 'The front-office login failed', hl7: undefined },
  FRONT_OFFICE_USER_MISMATCH: {
    status: 403,
    title: 'The request names another professional than the logged-in user',
    hl7: 'NAT',
  },
  CONSOLE_REQUEST_REFUSED: {
    status: 403,
    title: 'The console answers only its own pages, opened on this machine',
    hl7: undefined,
  },
  TOO_MANY_ATTEMPTS: { status: 429, title: 'Too many failed attempts; wait before trying again', hl7: undefined },
  // who and what
  UNKNOWN_PATIENT: { status: 404, title: 'No data is registered for this BSN', hl7: 'KEY204' },
  UNKNOWN_SYSTEM: { status: 403, title: 'The requesting system is not in the address book', hl7: 'NAT' },
  UNKNOWN_ORGANISATION: { status: 404, title: 'The organisation is not in the address book', hl7: 'KEY204' },
  NOT_AUTHORISED: { status: 403, title: 'The request is not authorised', hl7: 'NAT' },
  NOT_FOUND: { status: 404, title: 'Not found', hl7: 'KEY204' },
  ROUTE_NOT_FOUND: { status: 404, title: 'There is no such endpoint', hl7: undefined },
  CONFLICT: { status: 409, title: 'The request conflicts with what is stored', hl7: undefined },
  NOT_RECORDING: {
    status: 409,
    title: 'No recording runs: start one before stopping it',
    hl7: undefined,
  },
  NO_LAUNCHER: {
    status: 409,
    title: 'Process control needs the Schakel launcher (npm start or startTopology), which did not start this service',
    hl7: undefined,
  },
  // the world around
  UPSTREAM_UNREACHABLE: { status: 502, title: 'A system this request depends on could not be reached', hl7: undefined },
  UPSTREAM_TIMEOUT: { status: 504, title: 'A system this request depends on did not answer in time', hl7: undefined },
  UPSTREAM_ERROR: { status: 502, title: 'A system this request depends on answered with an error', hl7: undefined },
  NOT_READY: { status: 503, title: 'The service is not ready', hl7: undefined },
  INTERNAL_ERROR: { status: 500, title: 'Internal error', hl7: undefined },
} as const satisfies Record<string, { status: number; title: string; hl7: string | undefined }>;

export type ErrorCode = keyof typeof ERROR_CODES;
export const ErrorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const FieldError = z
  .object({
    field: z.string().describe('Where the problem is: body.bsn, params.bsn, query.from, header.aorta-id'),
    code: z.string().describe('Stable code of this problem, e.g. INVALID_BSN'),
    expected: z.string().describe('What was expected there'),
    message: z.string(),
  })
  .meta({ id: 'FieldError' });
export type FieldError = z.infer<typeof FieldError>;

/** Why a decision fell as it did: a stable code, the deciding rule or record, and words for people. */
export const Decision = z
  .object({
    code: z.string().describe('Stable code, e.g. CONSENT_GIVEN, CONSENT_OBJECTION, NO_CONSENT_RECORD, PROTOCOL_DENY'),
    rule: z.string().describe('The rule that decided'),
    consentRecordId: z.number().int().optional().describe('The consent record that decided, if any'),
    explanation: z.string(),
  })
  .meta({ id: 'Decision' });
export type Decision = z.infer<typeof Decision>;

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().describe('Stable, machine-readable code; see the error code list in docs/api.md'),
    detail: z.string().optional(),
    field: z.string().optional().describe('The offending field, for validation problems'),
    expected: z.string().optional().describe('What was expected in that field'),
    errors: z.array(FieldError).optional().describe('Every validation problem found, first one repeated at top level'),
    hl7: z.string().optional().describe('Nearest AORTA detail code (KEY204, NAT, VALIDATIEFOUT)'),
    instance: z.string().optional(),
    aortaId: z.string().optional(),
    decision: Decision.optional().describe('For refusals: the rule and record that decided'),
  })
  .meta({ id: 'Problem', description: 'application/problem+json (RFC 9457) with a stable code' });
export type Problem = z.infer<typeof Problem>;

/** An error that is meant to reach the caller as a problem. */
export class ProblemError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ProblemError';
    this.problem = problem;
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string {
    return this.problem.code;
  }
}

export function problem(code: ErrorCode, detail?: string, extra: Partial<Problem> = {}): ProblemError {
  const def = ERROR_CODES[code];
  return new ProblemError({
    type: `https://schakel.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: def.title,
    status: def.status,
    code,
    ...(detail !== undefined ? { detail } : {}),
    ...(def.hl7 !== undefined ? { hl7: def.hl7 } : {}),
    ...extra,
  });
}

export const notFound = (what: string) => problem('NOT_FOUND', `${what} was not found`);
export const conflict = (detail: string) => problem('CONFLICT', detail);
export const notAuthorised = (detail: string, extra: Partial<Problem> = {}) => problem('NOT_AUTHORISED', detail, extra);

/** Turn anything thrown into a problem; unknown errors become a bare INTERNAL_ERROR with no internals. */
export function toProblem(error: unknown): Problem {
  if (error instanceof ProblemError) return error.problem;
  const parsed = Problem.safeParse(error);
  if (parsed.success) return parsed.data;
  return problem('INTERNAL_ERROR', 'The service could not complete the request; see its log').problem;
}
