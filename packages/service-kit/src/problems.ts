import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { PROBLEM_CONTENT_TYPE, problem, toProblem, type FieldError, type Problem, ProblemError } from '@schakel/contracts';

const CONTEXT_NAMES: Record<string, string> = { body: 'body', params: 'params', querystring: 'query', headers: 'header' };

interface IssueLike {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Map one zod issue (as fastify-type-provider-zod hands it over) to a field error with a stable code. */
export function fieldErrorFromIssue(context: string, issue: IssueLike): FieldError {
  const path = issue.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
  const field = [CONTEXT_NAMES[context] ?? context, path].filter(Boolean).join('.');
  const params = issue.params;
  const custom = params['params'] as { code?: unknown; expected?: unknown } | undefined;
  if (custom !== undefined && typeof custom.code === 'string') {
    return { field, code: custom.code, expected: String(custom.expected ?? issue.message), message: issue.message ?? '' };
  }
  const message = issue.message ?? 'invalid';
  switch (issue.keyword) {
    case 'invalid_type': {
      const expected = String(params['expected'] ?? 'another type');
      return /received undefined/.test(message)
        ? { field, code: 'MISSING_FIELD', expected, message: `${field} is required` }
        : { field, code: 'INVALID_TYPE', expected, message };
    }
    case 'unrecognized_keys': {
      const keys = (params['keys'] as string[] | undefined) ?? [];
      const where = keys.length === 1 ? [field, keys[0]].filter(Boolean).join('.') : field;
      return { field: where, code: 'UNKNOWN_FIELD', expected: 'only the fields the API documents', message: `unknown field(s): ${keys.join(', ')}` };
    }
    case 'invalid_value': {
      const values = (params['values'] as unknown[] | undefined) ?? [];
      return { field, code: 'INVALID_VALUE', expected: `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`, message };
    }
    case 'invalid_format':
      // A schema's own message (e.g. "ATC code, e.g. C09AA02") says more than the format's name.
      return { field, code: 'INVALID_VALUE', expected: /^Invalid/.test(message) ? String(params['format'] ?? 'another format') : message, message };
    default:
      return { field, code: 'INVALID_VALUE', expected: message.replace(/^Invalid input: /, ''), message };
  }
}

function validationProblem(errors: FieldError[]): ProblemError {
  const first = errors[0];
  const code = first !== undefined && /^INVALID_(BSN|URA|AGB|UZI_NUMBER|BIG_NUMBER|ROLE_CODE|APPLICATION_ID|AORTA_ID)$/.test(first.code) ? first.code : 'VALIDATION_ERROR';
  const p = problem(code as 'VALIDATION_ERROR', errors.map((e) => `${e.field}: ${e.message}`).join('; '), {
    ...(first !== undefined ? { field: first.field, expected: first.expected } : {}),
    errors,
  });
  return p;
}

/** Fastify framework errors that are the caller's fault, mapped to our codes. */
function frameworkProblem(error: FastifyError): ProblemError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem('UNSUPPORTED_MEDIA_TYPE', error.message, { expected: 'Content-Type: application/json' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem('MALFORMED_BODY', 'The body is empty but Content-Type says JSON', { field: 'body', expected: 'a JSON document' });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem('BODY_TOO_LARGE', error.message);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problem('MALFORMED_BODY', error.message);
    default:
      break;
  }
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return problem('MALFORMED_BODY', `The body is not valid JSON: ${error.message}`, { field: 'body', expected: 'a JSON document' });
  }
  return undefined;
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.status(p.status).type(PROBLEM_CONTENT_TYPE).send(p);
}

/**
 * One error handler per service (style.md habit 8): validation and framework errors become 4xx problems
 * with a field and what was expected; ProblemErrors pass through; anything else is logged with the request
 * context and answered as a bare 500 that leaks no internals.
 */
export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    let p: Problem;
    if (hasZodFastifySchemaValidationErrors(error)) {
      const context = error.validationContext ?? 'body';
      p = validationProblem(error.validation.map((issue) => fieldErrorFromIssue(context, issue as unknown as IssueLike))).problem;
    } else if (error instanceof ProblemError) {
      p = error.problem;
    } else {
      const mapped = frameworkProblem(error);
      if (mapped !== undefined) {
        p = mapped.problem;
      } else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
        p = problem('VALIDATION_ERROR', error.message).problem;
        p = { ...p, status: error.statusCode };
      } else {
        p = toProblem(error);
      }
    }
    if (p.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: p.code, status: p.status, field: p.field }, 'request refused');
    return sendProblem(reply, { ...p, instance: request.url, aortaId: String(reply.getHeader('aorta-id') ?? '') });
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, { ...problem('ROUTE_NOT_FOUND', `${request.method} ${request.url} is not an endpoint of this service; see /docs`).problem, instance: request.url }),
  );
}
