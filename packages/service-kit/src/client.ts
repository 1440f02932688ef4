import { createSecureContext } from 'node:tls';
import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import type { z } from 'zod';
import {
  AORTA_ID_HEADER,
  formatAortaId,
  nextHop,
  newAortaId,
  PROBLEM_CONTENT_TYPE,
  Problem,
  ProblemError,
  problem,
  type AortaId,
} from '@schakel/contracts';

/**
 * Why a call to another service did not give the answer asked for. `problem` means the other side
 * answered with application/problem+json, which is kept whole so it can be passed on or explained.
 */
export type CallFailureKind = 'timeout' | 'unreachable' | 'problem' | 'bad-response';

export class CallError extends Error {
  constructor(
    readonly kind: CallFailureKind,
    message: string,
    readonly detail: { status?: number; problem?: Problem; url: string; cause?: unknown },
  ) {
    super(message);
    this.name = 'CallError';
  }
}

export interface CallOptions<T> {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  query?: Record<string, string | undefined>;
  /** Parses the 2xx answer; a mismatch is a bad-response failure. */
  schema?: z.ZodType<T>;
  /** The conversation this call belongs to; a new request id is made for this hop. */
  aorta?: Pick<AortaId, 'initialRequestId'>;
  /** Whole-call time-out in milliseconds (connect, headers and body). */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export interface CallResult<T> {
  status: number;
  body: T;
  aorta: AortaId;
  durationMs: number;
}

export interface ClientOptions {
  /** Default per-call time-out. */
  timeoutMs?: number;
  /** Keep-alive connections per origin. */
  connections?: number;
  dispatcher?: Dispatcher;
  /** Mutual TLS: this system's certificate chain and key, and the root to trust (only the root: a person, no certificate). */
  tls?: { cert?: string; key?: string; ca: string };
}

/**
 * The one way services call each other: undici with keep-alive pools per origin, a time-out per call,
 * the AORTA-ID on every hop, and problem+json decoded into CallError (never global fetch on the request path).
 */
export function createServiceClient(options: ClientOptions = {}) {
  const dispatcher =
    options.dispatcher ??
    new Agent({
      connections: options.connections ?? 64,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      connect: {
        timeout: Math.min(options.timeoutMs ?? 5_000, 10_000),
        // One secure context for every connection of the pool: otherwise each new connection parses the
        // root, the certificate chain and the key again.
        ...(options.tls !== undefined
          ? {
              secureContext: createSecureContext({
                ca: options.tls.ca,
                ...(options.tls.cert !== undefined ? { cert: options.tls.cert } : {}),
                ...(options.tls.key !== undefined ? { key: options.tls.key } : {}),
              }),
            }
          : {}),
      },
    });
  const defaultTimeout = options.timeoutMs ?? 5_000;

  /** One exchange over the pool: the time-out, the AORTA-ID, failures classified; problems decoded. */
  async function exchange(
    baseUrl: string,
    opts: Pick<CallOptions<unknown>, 'path' | 'method' | 'query' | 'aorta' | 'timeoutMs' | 'headers'> & {
      body?: { text: string; contentType: string };
      /** Hand a 4xx/5xx answer back as it is (a FHIR OperationOutcome is read by the caller). */
      keepErrors?: boolean;
    },
  ) {
    const url = new URL(opts.path, baseUrl);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const aorta = opts.aorta !== undefined ? nextHop(opts.aorta) : newAortaId();
    const timeoutMs = opts.timeoutMs ?? defaultTimeout;
    const started = performance.now();
    const headers: Record<string, string> = {
      accept: 'application/json',
      [AORTA_ID_HEADER]: formatAortaId(aorta),
      ...opts.headers,
    };
    if (opts.body !== undefined) headers['content-type'] = opts.body.contentType;
    let response: Dispatcher.ResponseData;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      response = await dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
        headers,
        body: opts.body?.text ?? null,
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (cause) {
      throw classify(cause, url.href, timeoutMs, signal);
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (cause) {
      throw classify(cause, url.href, timeoutMs, signal);
    }
    const durationMs = performance.now() - started;
    const contentType = String(response.headers['content-type'] ?? '');
    if (response.statusCode >= 400 && opts.keepErrors !== true) {
      const parsed = contentType.startsWith(PROBLEM_CONTENT_TYPE) ? Problem.safeParse(safeJson(text)) : undefined;
      if (parsed?.success === true) {
        throw new CallError(
          'problem',
          `${url.href} answered ${response.statusCode} ${parsed.data.code}: ${parsed.data.detail ?? parsed.data.title}`,
          { status: response.statusCode, problem: parsed.data, url: url.href },
        );
      }
      throw new CallError('bad-response', `${url.href} answered ${response.statusCode} without a problem document`, {
        status: response.statusCode,
        url: url.href,
      });
    }
    return { status: response.statusCode, text, contentType, url, aorta, durationMs };
  }

  async function call<T = unknown>(baseUrl: string, opts: CallOptions<T>): Promise<CallResult<T>> {
    const { body, ...rest } = opts;
    const r = await exchange(baseUrl, {
      ...rest,
      ...(body !== undefined ? { body: { text: JSON.stringify(body), contentType: 'application/json' } } : {}),
    });
    const json = r.text.length === 0 ? undefined : safeJson(r.text);
    if (opts.schema === undefined)
      return { status: r.status, body: json as T, aorta: r.aorta, durationMs: r.durationMs };
    const parsed = opts.schema.safeParse(json);
    if (!parsed.success) {
      throw new CallError(
        'bad-response',
        `${r.url.href} answered with a body that does not match the contract: ${parsed.error.issues[0]?.message ?? ''}`,
        {
          status: r.status,
          url: r.url.href,
          cause: parsed.error,
        },
      );
    }
    return { status: r.status, body: parsed.data, aorta: r.aorta, durationMs: r.durationMs };
  }

  /** A call with a body that is not JSON (a SOAP envelope to an HL7v3 system): the answer's text. */
  async function send(
    baseUrl: string,
    opts: Pick<CallOptions<unknown>, 'path' | 'aorta' | 'timeoutMs' | 'headers'> & {
      body: string;
      contentType: string;
    },
  ) {
    const { body, contentType, ...rest } = opts;
    const r = await exchange(baseUrl, {
      ...rest,
      method: 'POST',
      body: { text: body, contentType },
      headers: { accept: contentType, ...opts.headers },
    });
    return { status: r.status, text: r.text, durationMs: r.durationMs };
  }

  /**
   * A GET whose answer is not JSON of our contract (a FHIR source's Bundle or OperationOutcome): its status
   * and text, error statuses included, for the caller to read with its own codec.
   */
  async function read(
    baseUrl: string,
    opts: Pick<CallOptions<unknown>, 'path' | 'aorta' | 'timeoutMs' | 'headers'> & { accept: string },
  ) {
    const { accept, ...rest } = opts;
    const r = await exchange(baseUrl, {
      ...rest,
      method: 'GET',
      keepErrors: true,
      headers: { accept, ...opts.headers },
    });
    return { status: r.status, text: r.text, durationMs: r.durationMs };
  }

  return {
    call,
    send,
    read,
    close: () => dispatcher.close(),
  };
}
export type ServiceClient = ReturnType<typeof createServiceClient>;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

function classify(cause: unknown, url: string, timeoutMs: number, signal: AbortSignal): CallError {
  const code = (cause as { code?: string } | undefined)?.code;
  if (
    signal.aborted ||
    cause instanceof undiciErrors.HeadersTimeoutError ||
    cause instanceof undiciErrors.BodyTimeoutError ||
    cause instanceof undiciErrors.ConnectTimeoutError ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return new CallError('timeout', `${url} did not answer within ${timeoutMs} ms`, { url, cause });
  }
  if (code !== undefined && UNREACHABLE_CODES.has(code)) {
    return new CallError('unreachable', `${url} could not be reached (${code})`, { url, cause });
  }
  const nested = (cause as { cause?: { code?: string } } | undefined)?.cause?.code;
  if (nested !== undefined && UNREACHABLE_CODES.has(nested)) {
    return new CallError('unreachable', `${url} could not be reached (${nested})`, { url, cause });
  }
  return new CallError(
    'unreachable',
    `${url} could not be reached: ${(cause as Error | undefined)?.message ?? String(cause)}`,
    { url, cause },
  );
}

/**
 * Turn a failed call into the problem this service answers with: the other side's 4xx problem passes
 * through unchanged (same status and code), anything else becomes UPSTREAM_UNREACHABLE / _TIMEOUT / _ERROR.
 */
export function upstreamProblem(err: unknown, what: string): ProblemError {
  if (!(err instanceof CallError))
    return problem('UPSTREAM_ERROR', `${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  const p = err.detail.problem;
  if (err.kind === 'problem' && p !== undefined && p.status < 500) {
    const { instance: _instance, aortaId: _aortaId, ...rest } = p;
    return new ProblemError(rest);
  }
  switch (err.kind) {
    case 'timeout':
      return problem('UPSTREAM_TIMEOUT', `${what}: ${err.message}`);
    case 'unreachable':
      return problem('UPSTREAM_UNREACHABLE', `${what}: ${err.message}`);
    case 'problem':
    case 'bad-response':
      return problem('UPSTREAM_ERROR', `${what}: ${err.message}`);
  }
}
