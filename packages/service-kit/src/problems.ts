import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import {
  PROBLEM_CONTENT_TYPE,
  problem,
  toProblem,
  type FieldError,
  type Problem,
  ProblemError,
} from '@schakel/contracts';
import type { RouteTable } from './route-table.js';

const CONTEXT_NAMES: Record<string, string> = {
  body: 'body',
  params: 'params',
  querystring: 'query',
  headers: 'header',
};

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
    return {
      field,
      code: custom.code,
      expected: textOr(custom.expected, issue.message ?? ''),
      message: issue.message ?? '',
    };
  }
  const message = issue.message ?? 'invalid';
  switch (issue.keyword) {
    case 'invalid_type': {
      const expected = textOr(params['expected'], 'another type');
      return /received undefined/.test(message)
        ? { field, code: 'MISSING_FIELD', expected, message: `${field} is required` }
        : { field, code: 'INVALID_TYPE', expected, message };
    }
    case 'unrecognized_keys': {
      const keys = (params['keys'] as string[] | undefined) ?? [];
      const where = keys.length === 1 ? [field, keys[0]].filter(Boolean).join('.') : field;
      return {
        field: where,
        code: 'UNKNOWN_FIELD',
        expected: 'only the fields the API documents',
        message: `unknown field(s): ${keys.join(', ')}`,
      };
    }
    case 'invalid_value': {
      const values = (params['values'] as unknown[] | undefined) ?? [];
      return {
        field,
        code: 'INVALID_VALUE',
        expected: `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`,
        message,
      };
    }
    case 'invalid_format':
      // A schema's own message (e.g. "ATC code, e.g. C09AA02") says more than the format's name.
      return {
        field,
        code: 'INVALID_VALUE',
        expected: /^Invalid/.test(message) ? textOr(params['format'], 'another format') : message,
        message,
      };
    default:
      return { field, code: 'INVALID_VALUE', expected: message.replace(/^Invalid input: /, ''), message };
  }
}

/** A validator's parameter as text: the value when it is one, else the fallback (never "[object Object]"). */
function textOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function validationProblem(errors: FieldError[]): ProblemError {
  const first = errors[0];
  const code =
    first !== undefined &&
    /^INVALID_(BSN|URA|AGB|UZI_NUMBER|BIG_NUMBER|ROLE_CODE|APPLICATION_ID|AORTA_ID)$/.test(first.code)
      ? first.code
      : 'VALIDATION_ERROR';
  const p = problem(code as 'VALIDATION_ERROR', errors.map((e) => `${e.field}: ${e.message}`).join('; '), {
    ...(first !== undefined ? { field: first.field, expected: first.expected } : {}),
    errors,
  });
  return p;
}

/** Fastify framework errors that are the caller's fault, mapped to our codes (undefined: not one of them). */
function knownFrameworkProblem(error: FastifyError): ProblemError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem('UNSUPPORTED_MEDIA_TYPE', 'This endpoint takes a JSON body: send Content-Type: application/json', {
        field: 'header.content-type',
        expected: 'application/json',
      });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem('MALFORMED_BODY', 'The body is empty but Content-Type says JSON', {
        field: 'body',
        expected: 'a JSON document',
      });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem('BODY_TOO_LARGE', 'The body is larger than this service accepts (1 MiB)');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problem('MALFORMED_BODY', 'The Content-Length does not match the body');
    case 'FST_ERR_BAD_URL':
      return problem('MALFORMED_URL', 'The path has a percent sign that is not followed by two hexadecimal digits', {
        field: 'path',
        expected: 'a percent-encoded URL (RFC 3986)',
      });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return problem('URL_TOO_LONG', 'A path segment is longer than any identifier this API takes (100 characters)', {
        field: 'path',
        expected: 'path parameters of at most 100 characters',
      });
    case 'FST_ERR_ASYNC_CONSTRAINT':
      return problem('MALFORMED_REQUEST', 'The request does not fit any route constraint');
    default:
      break;
  }
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return problem('MALFORMED_BODY', 'The body is not valid JSON', { field: 'body', expected: 'a JSON document' });
  }
  return undefined;
}

/** For Fastify's frameworkErrors option: always a problem. */
export function frameworkProblem(error: FastifyError): ProblemError {
  return knownFrameworkProblem(error) ?? problem('MALFORMED_REQUEST', 'The request could not be routed');
}

/**
 * Errors of the HTTP parser, before Fastify sees a request (Fastify's clientErrorHandler option): headers
 * or request line too large (431), a request that was not received in time (408), bytes that are not HTTP
 * (400). Answered as problem+json on the raw socket, which is then closed, as Node itself would do.
 */
export function onClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const p =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? problem('HEADERS_TOO_LARGE', 'The request line and headers together are larger than 16 KiB')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? problem('REQUEST_TIMEOUT', 'The request was not received in time')
        : problem('MALFORMED_REQUEST', 'The request is not valid HTTP/1.1');
  const body = JSON.stringify(p.problem);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${p.status} ${p.problem.title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.status(p.status).type(PROBLEM_CONTENT_TYPE).send(p);
}

/**
 * One error handler per service (as in fastify/demo's src/app.ts): validation and framework errors become 4xx problems
 * with a field and what was expected; ProblemErrors pass through; anything else is logged with the request
 * context and answered as a bare 500 that leaks no internals.
 */
export function installProblemHandlers(app: FastifyInstance, routes: RouteTable): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    let p: Problem;
    if (hasZodFastifySchemaValidationErrors(error)) {
      const context = error.validationContext ?? 'body';
      p = validationProblem(
        error.validation.map((issue) => fieldErrorFromIssue(context, issue as unknown as IssueLike)),
      ).problem;
    } else if (error instanceof ProblemError) {
      p = error.problem;
    } else {
      const mapped = knownFrameworkProblem(error);
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
  app.setNotFoundHandler((request, reply) => notFoundReply(request, reply, routes.allowedMethods(request.url)));
}

/**
 * 405 with Allow for a path that exists under other methods, else 404 ROUTE_NOT_FOUND. The kit's not-found
 * handler; a wire whose errors take another shape registers it in its own scope (`setNotFoundHandler`),
 * so that its hooks (e.g. the FHIR wire's OperationOutcome) apply to these answers too.
 */
export function notFoundReply(
  request: FastifyRequest,
  reply: FastifyReply,
  allowed = request.server.allowedMethods(request.url),
): FastifyReply {
  if (allowed.length > 0) {
    reply.header('allow', allowed.join(', '));
    return sendProblem(reply, {
      ...problem('METHOD_NOT_ALLOWED', `This endpoint takes ${allowed.join(', ')}, not ${request.method}`).problem,
      instance: request.url,
    });
  }
  return sendProblem(reply, {
    ...problem('ROUTE_NOT_FOUND', `${request.method} ${request.url} is not an endpoint of this service; see /docs`)
      .problem,
    instance: request.url,
  });
}
