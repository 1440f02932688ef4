import { readFileSync } from 'node:fs';
import createClient, { type Client } from 'openapi-fetch';
import { Agent, fetch as undiciFetch, Request as UndiciRequest } from 'undici';
import type { paths } from './lsp-api.js';

export type { paths as LspPaths, components as LspComponents, operations as LspOperations } from './lsp-api.js';

/** Who calls: PEM files of a system's certificate and key (e.g. `schakel.pki.admin`), and the root to trust. */
export interface LspClientOptions {
  /** The switch point's base URL, e.g. `schakel.switchPoint`. */
  baseUrl: string;
  /** The client certificate (mutual TLS): a path to its PEM file. */
  cert: string;
  /** Its private key: a path to the PEM file. */
  key: string;
  /** The root CA that signed the switch point's certificate: a path (`schakel.pki.rootCa`). */
  ca: string;
}

export type LspClient = Client<paths> & {
  /** Close the connections of this client's own agent. */
  close: () => Promise<void>;
};

/**
 * A typed client of the switch point, generated from its own OpenAPI document (lsp-api.ts, `npm run
 * openapi:types`) and built on openapi-fetch: paths, parameters, bodies and answers are checked by the
 * compiler, and an error answer is the problem+json the document describes.
 *
 * ```ts
 * const lsp = lspClient({ baseUrl: schakel.switchPoint, ...schakel.pki.admin, ca: schakel.pki.rootCa });
 * const { data, error } = await lsp.GET('/access-log', { params: { query: { bsn: '999900523' } } });
 * ```
 * Mutual TLS goes through one undici Agent per client (undici's own fetch and Request with it, so the
 * dispatcher and the fetch are of one version); a signed professional assertion, where a route asks for one,
 * is a header: `{ headers: { authorization: `Bearer ${jws}` } }`.
 */
export function lspClient(options: LspClientOptions): LspClient {
  const dispatcher = new Agent({
    connect: {
      cert: readFileSync(options.cert, 'utf8'),
      key: readFileSync(options.key, 'utf8'),
      ca: readFileSync(options.ca, 'utf8'),
    },
  });
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    // openapi-fetch types these as the global fetch and Request; undici's are the same API.
    fetch: undiciFetch as unknown as typeof globalThis.fetch,
    Request: UndiciRequest as unknown as typeof globalThis.Request,
    requestInitExt: { dispatcher },
  });
  return Object.assign(client, { close: () => dispatcher.close() });
}
