import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { request } from 'undici';
import { z } from 'zod';
import type { ERROR_CODES } from '@schakel/contracts';
import { audience, createServiceApp, redactingSerializers, type App } from '../src/index.js';

// The framework's own refusals, over a real socket: every one is problem+json with a code from the list.
const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  },
});
let app: App;
let base: string;

beforeAll(async () => {
  const logger = pino({ level: 'info', ...redactingSerializers }, sink);
  app = await createServiceApp({ service: 'edges', title: 'e', description: 'e' }, { logger });
  await audience(
    app,
    'front-office',
    async () => undefined,
    (open) => {
      open.post(
        '/patients/:bsn/notes',
        { schema: { params: z.object({ bsn: z.string() }), body: z.object({ text: z.string() }).strict() } },
        async (r) => {
          r.log.info({ bsn: r.params.bsn, body: r.body }, 'note received');
          return { ok: true };
        },
      );
    },
  );
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => app.close());

/** Raw HTTP/1.1 over a socket, for requests a well-behaved client library would refuse to send. */
function raw(text: string): Promise<{ status: number; headers: string; body: string }> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(text));
    let data = '';
    socket.on('data', (c) => (data += c.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body });
    });
    setTimeout(() => socket.end(), 500);
  });
}

function expectProblem(
  r: { status: number; headers: string; body: string },
  status: number,
  code: keyof typeof ERROR_CODES,
) {
  expect(r.status).toBe(status);
  expect(r.headers).toContain('content-type: application/problem+json');
  expect(JSON.parse(r.body)).toMatchObject({ status, code });
}

describe('the framework’s own errors', () => {
  it('answers bad percent-encoding with 400 MALFORMED_URL', async () => {
    expectProblem(
      await raw('POST /patients/%ZZ/notes HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'),
      400,
      'MALFORMED_URL',
    );
    expectProblem(await raw('GET /patients/% HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), 400, 'MALFORMED_URL');
  });

  it('answers an over-long path parameter with 414 URL_TOO_LONG', async () => {
    expectProblem(
      await raw(
        `POST /patients/${'9'.repeat(150)}/notes HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      ),
      414,
      'URL_TOO_LONG',
    );
  });

  it('answers headers or a query string over 16 KiB with 431 HEADERS_TOO_LARGE', async () => {
    expectProblem(
      await raw(`GET /health?q=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      431,
      'HEADERS_TOO_LARGE',
    );
  });

  it('answers bytes that are not HTTP with 400 MALFORMED_REQUEST', async () => {
    expectProblem(await raw('HELLO THERE\r\n\r\n'), 400, 'MALFORMED_REQUEST');
  });

  it('answers a text/plain body with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const r = await request(`${base}/patients/999900146/notes`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(r.statusCode).toBe(415);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(((await r.body.json()) as { code: string }).code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers a method the path does not take with 405 and Allow', async () => {
    const r = await request(`${base}/patients/999900146/notes`, { method: 'DELETE' });
    expect(r.statusCode).toBe(405);
    expect(r.headers.allow).toBe('POST');
    expect(((await r.body.json()) as { code: string }).code).toBe('METHOD_NOT_ALLOWED');
  });

  it('answers an unknown path with 404 ROUTE_NOT_FOUND', async () => {
    const r = await request(`${base}/nowhere`);
    expect(r.statusCode).toBe(404);
    expect(((await r.body.json()) as { code: string }).code).toBe('ROUTE_NOT_FOUND');
  });

  it('answers a body over the limit with 413 BODY_TOO_LARGE that a Node client receives', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(2 * 1024 * 1024) });
    const r = await request(`${base}/patients/999900146/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    expect(r.statusCode).toBe(413);
    expect(((await r.body.json()) as { code: string }).code).toBe('BODY_TOO_LARGE');
  });
});

describe('every answer', () => {
  it('carries security headers and is never cached', async () => {
    const r = await request(`${base}/health`);
    await r.body.text();
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['strict-transport-security']).toBeDefined();
    expect(r.headers['cache-control']).toBe('no-store');
  });
});

describe('service logs', () => {
  it('name the route pattern, never the URL, and censor patient fields', async () => {
    lines.length = 0;
    const r = await request(`${base}/patients/999900146/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'pijn op de borst' }),
    });
    expect(r.statusCode).toBe(200);
    await r.body.text();
    const text = lines.join('\n');
    expect(text).toContain('/patients/:bsn/notes');
    expect(text).not.toContain('999900146');
    expect(text).not.toContain('pijn op de borst');
  });
});

describe('the route table', () => {
  it('refuses to start with a route outside an audience', async () => {
    const loose = await createServiceApp({ service: 'loose', title: 'l', description: 'l' }, { logLevel: 'silent' });
    loose.get('/loose', async () => ({}));
    await expect(loose.ready()).rejects.toThrow(/outside an audience.*GET \/loose/);
    await loose.close();
  });
});
