import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Bsn, problem, setClock } from '@schakel/contracts';
import { audience, createServiceApp, type App } from '../src/index.js';

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function testApp(): Promise<App> {
  app = await createServiceApp({ service: 'test', title: 'Test', description: 'test app' }, { logLevel: 'silent' });
  await audience(
    app,
    'front-office',
    async () => undefined,
    (open) => {
      open.post(
        '/things',
        { schema: { body: z.object({ bsn: Bsn, count: z.number().int(), kind: z.enum(['a', 'b']) }).strict() } },
        async (request) => ({ ok: request.body.bsn }),
      );
      open.put('/things/:id', { schema: { params: z.object({ id: z.string() }) } }, async (request) => ({
        id: request.params.id,
      }));
      open.get('/refuse', async () => {
        throw problem('NOT_AUTHORISED', 'no', { decision: { code: 'X', rule: 'R-1', explanation: 'because' } });
      });
      open.get('/crash', async () => {
        throw new Error('secret internals at /etc/passwd');
      });
    },
  );
  return app;
}

describe('createServiceApp', () => {
  it('answers /health (with the domain clock’s now) and /ready', async () => {
    const a = await testApp();
    setClock({ mode: 'frozen', at: '2027-01-01T09:00:00.000Z' });
    try {
      expect((await a.inject('/health')).json()).toEqual({
        status: 'ok',
        service: 'test',
        now: '2027-01-01T09:00:00.000Z',
      });
    } finally {
      setClock({ mode: 'real' });
    }
    expect((await a.inject('/ready')).statusCode).toBe(200);
  });

  it('reports not ready until the service says so', async () => {
    let ready = false;
    app = await createServiceApp(
      { service: 't', title: 't', description: 't' },
      { logLevel: 'silent', readiness: () => ({ ready, detail: 'waiting' }) },
    );
    const starting = await app.inject('/ready');
    expect(starting.statusCode).toBe(503);
    expect(starting.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(starting.json()).toMatchObject({ code: 'NOT_READY', status: 503, detail: 'waiting', instance: '/ready' });
    ready = true;
    expect((await app.inject('/ready')).json()).toEqual({ status: 'ready', service: 't' });
  });

  it('serves an OpenAPI document built from the zod schemas', async () => {
    const a = await testApp();
    const doc = (await a.inject('/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/things');
    expect((await a.inject('/docs/')).statusCode).toBe(200);
  });

  it('serves the docs page (loaded at its first request) with the same document, and 404 below it', async () => {
    const a = await testApp();
    const page = await a.inject('/docs/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/^default-src 'self'/);
    const head = await a.inject({ method: 'HEAD', url: '/docs/' });
    expect(head.headers['content-length']).toBe(page.headers['content-length']);
    const json = await a.inject('/docs/json');
    expect(Object.keys(json.json().paths)).toEqual(Object.keys((await a.inject('/openapi.json')).json().paths));
    expect((await a.inject('/docs/static/swagger-ui.css')).headers['content-type']).toMatch(/^text\/css/);
    const missing = await a.inject('/docs/static/no-such-file.js');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });

  it('turns a BSN failing the 11-proef into INVALID_BSN with the field and what was expected', async () => {
    const a = await testApp();
    const r = await a.inject({ method: 'POST', url: '/things', payload: { bsn: '123456789', count: 1, kind: 'a' } });
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.json()).toMatchObject({
      code: 'INVALID_BSN',
      field: 'body.bsn',
      expected: '9 digits passing the 11-proef',
      hl7: 'VALIDATIEFOUT',
    });
  });

  it('lists every problem with a stable code per field', async () => {
    const a = await testApp();
    const r = await a.inject({
      method: 'POST',
      url: '/things',
      payload: { bsn: '999900146', count: 'x', kind: 'c', extra: true },
    });
    expect(r.statusCode).toBe(400);
    const codes = Object.fromEntries(
      (r.json().errors as { field: string; code: string }[]).map((e) => [e.field, e.code]),
    );
    expect(codes).toEqual({
      'body.count': 'INVALID_TYPE',
      'body.kind': 'INVALID_VALUE',
      'body.extra': 'UNKNOWN_FIELD',
    });
  });

  it('names a missing field', async () => {
    const a = await testApp();
    const r = await a.inject({ method: 'POST', url: '/things', payload: { bsn: '999900146', kind: 'a' } });
    expect(r.json()).toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'body.count',
      errors: [{ code: 'MISSING_FIELD' }],
    });
  });

  it('answers malformed JSON with MALFORMED_BODY and a wrong media type with 415', async () => {
    const a = await testApp();
    const bad = await a.inject({
      method: 'POST',
      url: '/things',
      payload: '{"bsn":',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('MALFORMED_BODY');
    const media = await a.inject({
      method: 'POST',
      url: '/things',
      payload: '<bsn>1</bsn>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(media.statusCode).toBe(415);
    expect(media.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('passes a refusal through with its decision', async () => {
    const a = await testApp();
    const r = await a.inject('/refuse');
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ code: 'NOT_AUTHORISED', hl7: 'NAT', decision: { rule: 'R-1' } });
  });

  it('answers an unexpected error with a bare 500 that leaks nothing', async () => {
    const a = await testApp();
    const r = await a.inject('/crash');
    expect(r.statusCode).toBe(500);
    expect(r.json().code).toBe('INTERNAL_ERROR');
    expect(r.body).not.toContain('passwd');
  });

  it('answers an unknown route with ROUTE_NOT_FOUND', async () => {
    const a = await testApp();
    const r = await a.inject('/nope');
    expect(r.statusCode).toBe(404);
    expect(r.json().code).toBe('ROUTE_NOT_FOUND');
  });

  it('keeps a valid AORTA-ID, starts one when missing, and refuses a malformed one', async () => {
    const a = await testApp();
    const header =
      'initialRequestID=6f1c1f5e-8c7e-4b9a-9a51-2d6f0e0f1a11; requestID=0b8e7d3c-4f5a-4e2b-8c1d-9a7b6c5d4e3f';
    expect((await a.inject({ url: '/health', headers: { 'aorta-id': header } })).headers['aorta-id']).toBe(header);
    expect((await a.inject('/health')).headers['aorta-id']).toMatch(/^initialRequestID=/);
    const bad = await a.inject({ url: '/health', headers: { 'aorta-id': 'x' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'INVALID_AORTA_ID', field: 'header.aorta-id' });
  });
});
