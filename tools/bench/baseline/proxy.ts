import { Pool } from 'undici';
import { transportFromEnv } from '../transport.js';
import { readBody, serve } from './serve.js';

/**
 * A minimal undici fan-out proxy: per request, POST to every upstream in parallel over keep-alive pools
 * (64 connections each, like the services' client), parse the answers and return them combined. No
 * authorisation, no index, no consent, no access log: the floor of what a two-way fan-out costs.
 */
const transport = transportFromEnv(process.env);
const upstreams = (process.env['BENCH_UPSTREAMS'] ?? '').split(',').filter((u) => u.length > 0);
if (upstreams.length === 0) throw new Error('BENCH_UPSTREAMS is empty');
const pools = upstreams.map(
  (origin) =>
    new Pool(origin, {
      connections: 64,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      ...(transport.kind === 'https' ? { connect: { ...transport.tls } } : {}),
    }),
);

async function fanOut(body: string): Promise<string> {
  const query = JSON.parse(body) as { bsn?: unknown };
  const forward = JSON.stringify({ bsn: query.bsn });
  const answers = await Promise.all(
    pools.map(async (pool) => {
      const r = await pool.request({
        path: '/lsp/medication-queries',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: forward,
      });
      return JSON.parse(await r.body.text()) as unknown;
    }),
  );
  return JSON.stringify({ bsn: query.bsn, sources: answers });
}

serve(transport, (request, response) => {
  readBody(request)
    .then(fanOut)
    .then(
      (text) => {
        response.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(text),
        });
        response.end(text);
      },
      (err: unknown) => {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(err instanceof Error ? err.message : String(err));
      },
    );
});
