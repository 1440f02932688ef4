import { Agent, request } from 'undici';

/** What came back from one HTTP call: the status, the headers and the parsed JSON body (if it was JSON). */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests and scenarios read loosely typed JSON answers
  json: any;
  text: string;
}

/** TLS for a caller: the root to trust, and optionally a client certificate (mutual TLS). */
export interface CallerTls {
  ca: string;
  cert?: string;
  key?: string;
}

/**
 * Plain HTTPS as an outside client does it, trusting the test root, never throwing on 4xx/5xx: the
 * scenarios and the front offices assert on the status and the problem code themselves.
 */
export function httpCaller(tls: CallerTls, timeoutMs = 30_000) {
  const agent = new Agent({ connect: { ...tls }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  return {
    async call(
      method: string,
      url: string,
      options: { body?: unknown; raw?: string; headers?: Record<string, string>; signal?: AbortSignal } = {},
    ): Promise<Answer> {
      const headers: Record<string, string> = { ...options.headers };
      let body = options.raw;
      if (options.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = JSON.stringify(options.body);
      }
      const r = await request(url, {
        method: method as 'GET',
        headers,
        dispatcher: agent,
        ...(body !== undefined ? { body } : {}),
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
      });
      const text = await r.body.text();
      let json: unknown;
      try {
        json = text.length > 0 ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: r.statusCode, headers: r.headers, json, text };
    },
    close: () => agent.close(),
  };
}
export type HttpCaller = ReturnType<typeof httpCaller>;
