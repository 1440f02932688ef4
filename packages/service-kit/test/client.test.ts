import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createServer, type Server } from 'node:http';
import { parseAortaId, problem } from '@schakel/contracts';
import { CallError, audience, createServiceApp, createServiceClient, upstreamProblem, type App } from '../src/index.js';

let app: App;
let base: string;
let silent: Server;
let silentUrl: string;
const client = createServiceClient({ timeoutMs: 2_000 });

beforeAll(async () => {
  app = await createServiceApp({ service: 'upstream', title: 'u', description: 'u' }, { logLevel: 'silent' });
  await audience(
    app,
    'front-office',
    async () => undefined,
    (open) => {
      open.get('/echo-aorta', async (request) => ({
        initial: request.aorta.initialRequestId,
        request: request.aorta.requestId,
      }));
      open.get('/refuse', async () => {
        throw problem('UNKNOWN_PATIENT', 'nobody');
      });
      open.get('/plain-500', async (_req, reply) => reply.status(500).type('text/plain').send('boom'));
      open.get('/wrong-shape', async () => ({ n: 'not a number' }));
    },
  );
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  // A server that accepts connections and never answers: a hung system.
  silent = createServer(() => undefined);
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const addr = silent.address();
  silentUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(async () => {
  await app.close();
  silent.closeAllConnections();
  silent.close();
  await client.close();
});

describe('createServiceClient', () => {
  it('sends the AORTA-ID with the same initial id and a new request id per hop', async () => {
    const initialRequestId = '6f1c1f5e-8c7e-4b9a-9a51-2d6f0e0f1a11';
    const r = await client.call<{ initial: string; request: string }>(base, {
      path: '/echo-aorta',
      aorta: { initialRequestId },
    });
    expect(r.body.initial).toBe(initialRequestId);
    expect(r.body.request).not.toBe(initialRequestId);
    expect(parseAortaId(`initialRequestID=${r.body.initial}; requestID=${r.body.request}`)).toBeDefined();
  });

  it('decodes a problem answer into a CallError that keeps the problem', async () => {
    const err = await client.call(base, { path: '/refuse' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallError);
    expect((err as CallError).kind).toBe('problem');
    expect((err as CallError).detail.problem?.code).toBe('UNKNOWN_PATIENT');
    // and a server passes a 4xx problem on unchanged
    expect(upstreamProblem(err, 'x').problem).toMatchObject({ status: 404, code: 'UNKNOWN_PATIENT' });
  });

  it('calls an error without a problem document a bad response', async () => {
    const err = (await client.call(base, { path: '/plain-500' }).catch((e: unknown) => e)) as CallError;
    expect(err.kind).toBe('bad-response');
    expect(upstreamProblem(err, 'x').code).toBe('UPSTREAM_ERROR');
  });

  it('checks the answer against the contract', async () => {
    const err = (await client
      .call(base, { path: '/wrong-shape', schema: z.object({ n: z.number() }) })
      .catch((e: unknown) => e)) as CallError;
    expect(err.kind).toBe('bad-response');
  });

  it('gives up on a system that does not answer within the time-out', async () => {
    const err = (await client.call(silentUrl, { path: '/', timeoutMs: 300 }).catch((e: unknown) => e)) as CallError;
    expect(err.kind).toBe('timeout');
    expect(upstreamProblem(err, 'x').code).toBe('UPSTREAM_TIMEOUT');
  });

  it('reports a closed port as unreachable', async () => {
    const closed = await createServiceApp({ service: 'c', title: 'c', description: 'c' }, { logLevel: 'silent' });
    const url = await closed.listen({ host: '127.0.0.1', port: 0 });
    await closed.close();
    const err = (await client.call(url, { path: '/health' }).catch((e: unknown) => e)) as CallError;
    expect(err.kind).toBe('unreachable');
    expect(upstreamProblem(err, 'x').code).toBe('UPSTREAM_UNREACHABLE');
  });
});
