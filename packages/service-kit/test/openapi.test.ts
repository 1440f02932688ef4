import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Bsn, Problem } from '@schakel/contracts';
import { audience, createServiceApp, operationIdOf, pick, type App } from '../src/index.js';

let app: App;
// Registered with an id, used by no route of this app: it stays out of the document.
z.object({ unused: z.string() }).meta({ id: 'NotUsedHere' });
const Thing = z.object({ bsn: Bsn }).meta({ id: 'Thing' });

beforeAll(async () => {
  app = await createServiceApp({ service: 'test', title: 'Test', description: 'test app' }, { logLevel: 'silent' });
  await audience(
    app,
    'system',
    async () => undefined,
    (system) => {
      system.get(
        '/things/:bsn',
        {
          schema: {
            summary: 'One thing',
            params: z.object({ bsn: Bsn }),
            security: [{ assertion: [] }],
            response: { 200: Thing, 404: Problem },
          },
        },
        async (request) => ({ bsn: request.params.bsn }),
      );
    },
  );
  await audience(
    app,
    'front-office',
    async () => undefined,
    (front) => {
      front.post(
        '/things',
        { schema: { summary: 'Make a thing', operationId: 'makeThing', response: { 201: Thing, ...pick(409) } } },
        async (_request, reply) => reply.status(201).send({ bsn: '999900146' }),
      );
    },
  );
});
afterAll(async () => app.close());

interface Doc {
  servers: { url: string }[];
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        security: Record<string, string[]>[];
        responses: Record<string, { description: string; content?: Record<string, unknown> }>;
      }
    >
  >;
}
const doc = async () =>
  (await app.inject({ url: '/openapi.json', headers: { host: 'schakel.test:7000' } })).json<Doc>();

describe('the OpenAPI document the kit serves', () => {
  it('names every operation after its method and path, unless the route names it', async () => {
    const d = await doc();
    expect(d.paths['/things/{bsn}']?.get?.operationId).toBe('getThingsByBsn');
    expect(d.paths['/things']?.post?.operationId).toBe('makeThing');
    expect(d.paths['/health']?.get?.operationId).toBe('getHealth');
    expect(operationIdOf('POST', '/consults/:id/medication')).toBe('postConsultsByIdMedication');
  });

  it('declares the audience’s security, joined with what the route asks on top', async () => {
    const d = await doc();
    expect(d.paths['/things/{bsn}']?.get?.security).toEqual([{ mutualTLS: ['system'], assertion: [] }]);
    expect(d.paths['/things']?.post?.security).toEqual([{ frontOffice: [] }]);
    expect(d.paths['/health']?.get?.security).toEqual([]);
    // Only the schemes in use: no patient portal in this service.
    expect(Object.keys(d.components.securitySchemes).sort()).toEqual(['assertion', 'frontOffice', 'mutualTLS']);
  });

  it('describes every response, errors as problem+json with the guard’s refusals added', async () => {
    const responses = (await doc()).paths['/things/{bsn}']?.get?.responses ?? {};
    expect(Object.keys(responses).sort()).toEqual(['200', '400', '401', '404']);
    expect(responses['200']?.description).toBe('OK: One thing');
    expect(Object.keys(responses['404']?.content ?? {})).toEqual(['application/problem+json']);
    expect(responses['401']?.description).toContain('CLIENT_CERT_REQUIRED');
    expect(responses['401']?.description).toContain('ASSERTION_MISSING');
    expect(responses['400']?.description).toContain('VALIDATION_ERROR');
    for (const r of Object.values(responses)) expect(r.description).not.toBe('Default Response');
  });

  it('lists the address it was reached by as its server, and only the schemas it uses', async () => {
    const d = await doc();
    expect(d.servers).toEqual([{ url: 'http://schakel.test:7000', description: 'This service, as you reached it' }]);
    expect(Object.keys(d.components.schemas)).toContain('Thing');
    expect(Object.keys(d.components.schemas)).not.toContain('NotUsedHere');
  });
});
