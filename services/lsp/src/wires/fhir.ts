import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE, Problem, nowIso, problem, toProblem } from '@schakel/contracts';
import { notFoundReply, type App } from '@schakel/service-kit';
import {
  FHIR_CONTENT_TYPE,
  FHIR_VERSION,
  outcomeFromProblem,
  transactionResponse,
  type Bundle,
  type CapabilityStatement,
  type CapabilityStatementRest,
} from '@schakel/fhir';
import { caller } from '../auth.js';
import type { FhirDeps, FhirModule, TransactionEntry } from '../fhir/module.js';
import { FHIR_MODULES } from '../fhir/modules.js';

/** The types a FHIR body may have (R4 http.html#mime); plain JSON too, as FHIR servers commonly take it. */
const FHIR_TYPES = [FHIR_CONTENT_TYPE, 'application/json'];

/**
 * The FHIR R4 wire at the switch point (issue #17), registered inside the system audience: the same mutual
 * TLS system certificates as the JSON and HL7v3 wires, and for signed interactions the professional's
 * assertion in `Authorization: Bearer <JWS>` (as on the JSON wire). One encapsulated plugin under /fhir:
 *
 * - bodies are application/fhir+json (or application/json), parsed by Fastify's safe JSON parser;
 * - every answer is application/fhir+json, and every error an OperationOutcome: whatever refused the
 *   request (the audience's guard, the AORTA-ID check, validation, the pipeline, a 404/405/413/415 of the
 *   framework inside /fhir) answered a problem of the one error list, which the onSend hook below
 *   translates (outcomeFromProblem, @schakel/fhir), keeping the HTTP status;
 * - the kit reads the AORTA-ID header, answers it, logs it with the route pattern, and the pipeline passes
 *   it on to every hop (service-kit app.ts and client.ts), as for every other route;
 * - `GET /fhir/metadata` is the CapabilityStatement (the ping), assembled from the modules;
 * - `POST /fhir` takes a transaction Bundle and hands its entries to the module of their resource type.
 *
 * Routes live in modules (services/lsp/src/fhir/): to add one, see FhirModule in fhir/module.ts.
 */
export async function fhirRoutes(app: App, deps: FhirDeps, modules: FhirModule[] = FHIR_MODULES): Promise<void> {
  await app.register(
    async (scope) => {
      const fhir = scope as unknown as App;
      fhir.removeAllContentTypeParsers();
      fhir.addContentTypeParser(FHIR_TYPES, { parseAs: 'string' }, fhir.getDefaultJsonParser('error', 'error'));
      // The kit's one error handler answers; only the words of a wrong content type are this wire's own.
      fhir.setErrorHandler((error) => {
        if ((error as { code?: string }).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
          throw problem('UNSUPPORTED_MEDIA_TYPE', 'The FHIR endpoint takes Content-Type: application/fhir+json', {
            field: 'header.content-type',
            expected: FHIR_CONTENT_TYPE,
          });
        }
        throw error;
      });
      fhir.addHook('onSend', toFhir);
      fhir.setNotFoundHandler((request, reply) => notFoundReply(request, reply));

      fhir.get(
        '/metadata',
        {
          config: { interaction: 'FHIR capabilities' },
          schema: {
            hide: true,
            querystring: z.object({ _format: z.string().optional(), mode: z.string().optional() }),
          },
        },
        async (request) => capabilityStatement(modules, `https://${request.headers.host ?? '127.0.0.1'}/fhir`),
      );

      fhir.post(
        '/',
        {
          prefixTrailingSlash: 'no-slash',
          config: { interaction: 'FHIR transaction' },
          schema: { hide: true, body: TransactionBundle },
        },
        async (request) => transaction(modules, deps, request, request.body),
      );

      for (const module of modules) await module.routes(fhir, deps);
    },
    { prefix: '/fhir' },
  );
}

/** Every problem answered inside /fhir leaves as an OperationOutcome; every answer as application/fhir+json. */
async function toFhir(_request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  const type = String(reply.getHeader('content-type') ?? '');
  if (type.startsWith(PROBLEM_CONTENT_TYPE) && typeof payload === 'string') {
    const parsed = Problem.safeParse(JSON.parse(payload));
    const p = parsed.success ? parsed.data : toProblem(undefined);
    reply.type(`${FHIR_CONTENT_TYPE}; charset=utf-8`);
    return JSON.stringify(outcomeFromProblem(p));
  }
  if (type.startsWith('application/json')) reply.type(`${FHIR_CONTENT_TYPE}; charset=utf-8`);
  return payload;
}

export function capabilityStatement(modules: FhirModule[], base: string): CapabilityStatement {
  const rest: CapabilityStatementRest = {
    mode: 'server',
    documentation:
      'Schakel switch point, FHIR R4 wire: NVI localisation, addressing (mCSD) and the modules listed here. Errors are OperationOutcomes whose issue.details.coding carries the stable code of https://schakel.dev/fhir/CodeSystem/error-code (docs/api.md).',
    security: {
      cors: false,
      description:
        'Mutual TLS with a system certificate of the test UZI PKI; signed interactions (searches that localise a patient) also carry the professional’s signed assertion in Authorization: Bearer <JWS> (docs/fhir.md).',
    },
    resource: modules.flatMap((m) => m.capability.resource ?? []),
    interaction: [{ code: 'transaction' }, ...modules.flatMap((m) => m.capability.interaction ?? [])],
  };
  const operations = modules.flatMap((m) => m.capability.operation ?? []);
  if (operations.length > 0) rest.operation = operations;
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: nowIso(),
    publisher: 'Schakel',
    kind: 'instance',
    software: { name: 'Schakel switch point', version: '0.1.0' },
    implementation: { description: 'Schakel switch point (LSP), FHIR R4 wire', url: base },
    fhirVersion: FHIR_VERSION,
    format: [FHIR_CONTENT_TYPE, 'json'],
    rest: [rest],
  };
}

const TransactionBundle = z
  .object({
    resourceType: z.literal('Bundle'),
    type: z.literal('transaction'),
    entry: z
      .array(
        z.looseObject({
          fullUrl: z.string().optional(),
          resource: z.looseObject({ resourceType: z.string() }).optional(),
          request: z.object({ method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH']), url: z.string() }),
        }),
      )
      .min(1),
  })
  .loose();

/**
 * A transaction: every entry goes to the module that handles its resource type, all in one call, which
 * applies them all or none. A Bundle that spans the types of several modules is refused as a whole.
 */
async function transaction(
  modules: FhirModule[],
  deps: FhirDeps,
  request: FastifyRequest,
  bundle: z.infer<typeof TransactionBundle>,
): Promise<Bundle> {
  const entries: TransactionEntry[] = bundle.entry.map((entry, index) => ({
    index,
    resourceType: entry.resource?.resourceType ?? entry.request.url.split(/[/?]/)[0] ?? '',
    entry,
  }));
  const types = [...new Set(entries.map((e) => e.resourceType))];
  const handler = modules.find((m) => m.transaction?.resourceType === types[0])?.transaction;
  if (types.length !== 1 || handler === undefined) {
    throw problem(
      'NOT_SUPPORTED',
      `A transaction here holds entries of one resource type that a module takes (${modules
        .flatMap((m) => (m.transaction !== undefined ? [m.transaction.resourceType] : []))
        .join(', ')}); this one holds ${types.join(', ')}`,
      { field: 'body.entry', expected: 'entries of one supported resource type' },
    );
  }
  return transactionResponse(await handler.apply(entries, { client: caller(request), request, deps }));
}
