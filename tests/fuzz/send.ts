import { Readable } from 'node:stream';
import { Agent, errors, type Dispatcher } from 'undici';
import { bodyBytes } from './bodies.js';
import type { FuzzCase } from './cases.js';
import type { FuzzIdentity } from './services.js';

/** What came back for one case: an answer, or why none came. */
export type Answer =
  | {
      kind: 'response';
      status: number;
      headers: Record<string, string | string[] | undefined>;
      text: string;
      ms: number;
    }
  /** The connection failed or broke before a whole answer arrived: the service's fault unless shown otherwise. */
  | { kind: 'socket error'; error: string; ms: number }
  /** The client refused to send it (undici's own argument checks): a bug in the generator, not in the service. */
  | { kind: 'unsendable'; error: string };

/** A service that takes longer than this to answer one request has hung as far as the fuzzer is concerned. */
export const ANSWER_TIMEOUT_MS = 15_000;

/** One connection pool per identity: a certificate belongs to a TLS connection, not to a request. */
export function createDispatchers(identities: FuzzIdentity[]): Map<FuzzIdentity['name'], Agent> {
  // undici takes the TLS server name from the Host header, which is fuzz input here. The fuzzer knows whom
  // it connects to (its own servers on 127.0.0.1): the chain is still checked against the test root, the
  // name is not, so an odd Host reaches the server instead of failing in the client.
  const connect = (tls: FuzzIdentity['tls']) => ({ ...tls, checkServerIdentity: () => undefined });
  return new Map(
    identities.map((i) => [
      i.name,
      new Agent({
        connect: connect(i.tls),
        headersTimeout: ANSWER_TIMEOUT_MS,
        bodyTimeout: ANSWER_TIMEOUT_MS,
        connections: 8,
      }),
    ]),
  );
}

/** Only the first part of an answer is kept: a problem is small, and a report line has to stay short. */
const MAX_ANSWER_CHARS = 64 * 1024;

export async function send(baseUrl: string, c: FuzzCase, dispatcher: Dispatcher): Promise<Answer> {
  const started = performance.now();
  const bytes = c.body !== undefined ? bodyBytes(c.body) : undefined;
  // A stream has no length, so undici sends it chunked: the server only learns the size by reading.
  const body = bytes === undefined ? undefined : c.body?.chunked === true ? Readable.from(chunks(bytes)) : bytes;
  try {
    // origin and path apart: a URL would be normalised first (dot segments, backslashes, fragments), and the
    // point is to send the target exactly as generated.
    const r = await dispatcher.request({
      origin: baseUrl,
      path: c.target,
      method: c.method,
      headers: c.headers,
      ...(body !== undefined ? { body } : {}),
    });
    const text = (await r.body.text()).slice(0, MAX_ANSWER_CHARS);
    return { kind: 'response', status: r.statusCode, headers: r.headers, text, ms: performance.now() - started };
  } catch (err) {
    if (err instanceof errors.InvalidArgumentError || err instanceof errors.NotSupportedError)
      return { kind: 'unsendable', error: err.message };
    const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
    const error = [e.code, e.message, e.cause?.code, e.cause?.message].filter(Boolean).join(': ');
    return { kind: 'socket error', error, ms: performance.now() - started };
  }
}

function* chunks(bytes: Buffer, size = 64 * 1024): Generator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
