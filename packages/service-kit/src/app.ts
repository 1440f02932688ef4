import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifySerializerCompiler,
  type FastifyReply,
  type FastifyRequest,
  type FastifyHttpOptions,
  type FastifyInstance,
  type FastifyServerOptions,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import swagger from '@fastify/swagger';
import fp from 'fastify-plugin';
import helmet from 'helmet';
import {
  serializerCompiler,
  validatorCompiler,
  type FastifyPluginAsyncZod,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pino, type Logger } from 'pino';
import {
  AORTA_ID_HEADER,
  IsoDateTime,
  formatAortaId,
  newAortaId,
  nowIso,
  parseAortaId,
  problem,
  Problem,
  type AortaId,
} from '@schakel/contracts';
import { frameworkProblem, installProblemHandlers, notFoundReply, onClientError, sendProblem } from './problems.js';
import { checkClientCertificate, type ClientCheck, type TlsMaterial } from './tls.js';
import { audience } from './audience.js';
import { redactingSerializers } from './redaction.js';
import { createRouteTable } from './route-table.js';
import { createControls, type Controls } from './controls.js';
import { answerCommands } from './process-control.js';
import { REPLICA_HEADER, replicaNumber } from './replicas.js';
import { describeRoute, keepUsedComponents, securitySchemes, serversFor } from './openapi.js';
import { storeHealth } from './store.js';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/**
 * A route module: an encapsulated plugin whose options (stores, clients, settings) are one typed object,
 * registered inside an audience with `await scope.register(plugin, options)` (the register order of
 * fastify/demo's src/app.ts).
 */
export type RoutePlugin<Options extends Record<string, unknown>> = FastifyPluginAsyncZod<Options>;

declare module 'fastify' {
  interface FastifyRequest {
    /** The AORTA-ID of this hop as received (or started here when the caller sent none). */
    aorta: AortaId;
  }
  interface FastifyInstance {
    /** Faults and the journal the operator controls (controls.ts). */
    controls: Controls;
  }
}

export interface ServiceInfo {
  /** Short service kind: lsp, pharmacy, gp, hap, seh. */
  service: string;
  /** Human title for the docs page, e.g. "Apotheek De Vijzel (AIS)". */
  title: string;
  description: string;
  /** Tags used in OpenAPI, with a description each. */
  tags?: { name: string; description: string }[];
}

export interface KitOptions {
  /** Serve HTTPS with this material, asking every caller for a client certificate (mutual TLS). */
  tls?: TlsMaterial;
  logger?: Logger;
  logLevel?: string;
  /** Resolved once the service can do useful work (store migrated, registered with the switch point...). */
  readiness?: () => { ready: boolean; detail?: string };
  /**
   * Who is calling. Default: the client certificate of the TLS connection. Only tests that use inject()
   * (no socket, so no certificate) give another, to act as a known system.
   */
  identify?: (request: FastifyRequest) => ClientCheck;
}

/**
 * TLS 1.2 with forward-secret AEAD suites only (no CBC, no SHA-1), and TLS 1.3 (whose suites are all AEAD).
 * The same list as the UZI server certificate profile's recommendation for GBZ connections.
 */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

const AORTA = Symbol('aorta');
type RawWithAorta = IncomingMessage & { [AORTA]?: AortaId | 'invalid' };

function aortaOf(raw: RawWithAorta): AortaId | 'invalid' {
  const cached = raw[AORTA];
  if (cached !== undefined) return cached;
  const header = raw.headers[AORTA_ID_HEADER];
  const value = typeof header === 'string' ? (parseAortaId(header) ?? 'invalid') : newAortaId();
  raw[AORTA] = value;
  return value;
}

/**
 * The request's AORTA-ID where it has one: hooks that run after a refusal (onResponse) also see requests
 * whose AORTA-ID header was invalid, which never got one.
 */
export function aortaIfAny(request: FastifyRequest): AortaId | undefined {
  // Its type says always (routes only run once it is set); the decoration starts as null, and a request
  // refused before the onRequest hook set it never gets one.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  return request.aorta ?? undefined;
}

/** Service logs carry route patterns and request ids, never a patient identifier (see redaction.ts). */
export function createLogger(service: string, level = 'info'): Logger {
  // Asynchronous: a request does not wait for the terminal. pino flushes what is buffered when the process exits.
  return pino(
    { level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime, ...redactingSerializers },
    pino.destination({ dest: 1, sync: false }),
  );
}

/**
 * At most one log line per request: Fastify's "request completed" (error level when the request failed),
 * without its "incoming request" line before it.
 */
function oneLinePerRequest(): LogController {
  const controller = new LogController({ requestIdLogLabel: 'requestId' });
  controller.incomingRequest = () => undefined;
  // The one line names the route (redaction.ts: its pattern, never the URL) as the dropped line did.
  controller.requestCompleted = (error, request, reply) => {
    if (error)
      reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  };
  return controller;
}

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
/**
 * Fastify loads its default compilers (ajv, fast-json-stringify) whenever an instance is built
 * (lib/schema-controller.js), a quarter of a second of CPU per process at start-up (docs/performance.md,
 * "Start-up"), though every route here compiles with the zod provider's compilers set below. They are
 * loaded only if something ever asks for them, from where Fastify itself would load them.
 */
const fastifyDefault = <F>(name: string) =>
  createRequire(createRequire(import.meta.url).resolve('fastify'))(name) as () => NonNullable<F>;
const lazyDefaultCompilers: CompilersFactory = {
  buildValidator: (...args) => fastifyDefault<CompilersFactory['buildValidator']>('@fastify/ajv-compiler')()(...args),
  buildSerializer: (...args) =>
    fastifyDefault<CompilersFactory['buildSerializer']>('@fastify/fast-json-stringify-compiler')()(...args),
};

/**
 * Every service is built the same way (after fastify/demo's src/app.ts and fastify-type-provider-zod's
 * README): zod type provider, OpenAPI from the
 * route schemas at /openapi.json with a docs page at /docs, one problem+json error handler, /health and
 * /ready, and pino logging where every request line carries the AORTA-ID.
 */
export async function createServiceApp(info: ServiceInfo, options: KitOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(info.service, options.logLevel);
  const app = Fastify({
    loggerInstance: logger,
    // The received requestID is this hop's request id; a request without an AORTA-ID starts a conversation.
    genReqId: (raw) => {
      const id = aortaOf(raw);
      return id === 'invalid' ? randomUUID() : id.requestId;
    },
    childLoggerFactory: (parent, bindings, opts, raw) => {
      const id = aortaOf(raw);
      const aorta = id === 'invalid' ? {} : { initialRequestId: id.initialRequestId };
      return parent.child({ ...bindings, ...aorta }, opts);
    },
    logController: oneLinePerRequest(),
    schemaController: { compilersFactory: lazyDefaultCompilers },
    bodyLimit: 1024 * 1024,
    // The framework's own refusals (bad percent-encoding, an over-long path parameter) and the HTTP
    // parser's (headers too large, not HTTP) answer problem+json like every other error.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      void sendProblem(reply, { ...frameworkProblem(error).problem, instance: request.url });
    },
    clientErrorHandler: onClientError,
    // The handshake asks for a client certificate but does not fail without a good one: routes that need
    // one refuse with problem+json (see tls.ts), and /health, /ready and /docs stay reachable.
    ...(options.tls !== undefined
      ? {
          https: {
            key: options.tls.key,
            cert: options.tls.cert,
            ca: options.tls.ca,
            requestCert: true,
            rejectUnauthorized: false,
            minVersion: 'TLSv1.2' as const,
            ciphers: TLS12_CIPHERS,
          },
        }
      : {}),
    // Typed as plain HTTP either way: route code does not depend on the transport.
  } as FastifyHttpOptions<RawServerDefault>).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('identifyClient', options.identify ?? checkClientCertificate);
  // Every route is in exactly one audience; the table also answers 405 for a known path (problems.ts).
  const routes = createRouteTable(app);
  installProblemHandlers(app, routes);
  // JSON only: Fastify's default text/plain parser would hand a string to a route that wants an object
  // (and answer 400 where 415 is the truth). A wire that speaks XML registers its parser in its own scope.
  app.removeContentTypeParser('text/plain');
  // Helmet's default security headers on every answer. Its middleware is built once here: @fastify/helmet
  // built it again from the options on every request, 5-9% of a small route's CPU (docs/performance.md).
  const securityHeaders = helmet();
  app.addHook('onRequest', (request, reply, done) => {
    securityHeaders(request.raw, reply.raw, (err) => done(err instanceof Error ? err : undefined));
  });
  const replica = replicaNumber();
  app.addHook('onSend', async (_request, reply, payload) => {
    // Answers may hold patient data: nothing is kept by a browser or a proxy.
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    if (replica !== undefined) reply.header(REPLICA_HEADER, String(replica));
    return payload;
  });

  // The operator's faults and journal (docs/control.md): commands arrive from the launcher over IPC.
  const controls = createControls();
  app.decorate('controls', controls);
  app.addHook('onSend', (request, reply, payload) => controls.capture(request, reply, payload));
  app.addHook('onResponse', (request, reply) => controls.record(request, reply));
  const stopAnswering = answerCommands(controls);
  app.addHook('onClose', async () => {
    stopAnswering();
    controls.close();
  });

  app.decorateRequest('aorta', null as unknown as AortaId);
  app.addHook('onRequest', async (request, reply) => {
    const id = aortaOf(request.raw);
    if (id === 'invalid') {
      const p = problem('INVALID_AORTA_ID', 'The AORTA-ID header must be "initialRequestID=<uuid>; requestID=<uuid>"', {
        field: 'header.aorta-id',
        expected: 'initialRequestID=<uuid>; requestID=<uuid>',
      }).problem;
      return sendProblem(reply, { ...p, instance: request.url });
    }
    request.aorta = id;
    reply.header(AORTA_ID_HEADER, formatAortaId(id));
    return undefined;
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: info.title,
        description: info.description,
        version: '0.1.0',
        license: { name: 'EUPL-1.2', identifier: 'EUPL-1.2' },
      },
      tags: [{ name: 'operations', description: 'Health and readiness' }, ...(info.tags ?? [])],
      // Each route's security comes from its audience (openapi.ts); unused schemes are left out.
      components: { securitySchemes },
    },
    transform: describeRoute,
    transformObject: keepUsedComponents,
  });
  // Operations: liveness, readiness and the API description are open to anyone who can connect.
  await audience(
    app,
    'operations',
    async () => undefined,
    async (scope) => {
      // The docs page (swagger-ui) is loaded when it is first asked for: its modules cost every process a
      // tenth of a second of CPU at start-up otherwise (docs/performance.md, "Start-up").
      const docs = docsPages(app);
      scope.get('/docs', { schema: { hide: true } }, docs);
      scope.get('/docs/*', { schema: { hide: true } }, docs);

      scope.get('/openapi.json', { schema: { hide: true } }, async (request) => ({
        ...app.swagger(),
        servers: serversFor(request),
      }));

      const Health = z
        .object({
          status: z.literal('ok'),
          service: z.string(),
          now: IsoDateTime.describe('the domain clock of this process (docs/control.md, "Clock")'),
          replica: z
            .number()
            .int()
            .optional()
            .describe('which replica answered, when several serve one address (docs/deployment.md)'),
        })
        .meta({ id: 'Health' });
      const Ready = z.object({ status: z.literal('ready'), service: z.string() }).meta({ id: 'Ready' });
      scope.get(
        '/health',
        { schema: { tags: ['operations'], summary: 'Liveness: the process answers', response: { 200: Health } } },
        async () => ({
          status: 'ok' as const,
          service: info.service,
          now: nowIso(),
          ...(replica !== undefined ? { replica } : {}),
        }),
      );
      scope.get(
        '/ready',
        {
          schema: {
            tags: ['operations'],
            summary: 'Readiness: the service can do its work (503 NOT_READY while it starts)',
            response: { 200: Ready, 503: Problem },
          },
        },
        async (request, reply) => {
          const state = options.readiness?.() ?? { ready: true };
          // A service whose database is away is not ready, whatever else it has done (docs/deployment.md).
          const store = await storeHealth();
          if (!store.ok) {
            const p = problem('STORE_UNAVAILABLE', store.detail).problem;
            return sendProblem(reply, { ...p, instance: request.url });
          }
          if (state.ready) return { status: 'ready' as const, service: info.service };
          // Sent here, not thrown: a service polled while it starts is not a failed request worth an error log.
          const p = problem('NOT_READY', state.detail ?? `${info.service} is still starting`).problem;
          return sendProblem(reply, { ...p, instance: request.url });
        },
      );
    },
  );
  return app;
}

/** Headers of one hop that the pages' own instance sets for itself, not for our answer. */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date']);

/**
 * /docs and everything below it, answered by @fastify/swagger-ui as if it were registered here: it runs in a
 * Fastify instance of its own (never listened on), built at the first request, which serves this app's
 * OpenAPI document; each request is passed to it with inject() and its answer passed back as it is. What
 * it does not know is this app's 404 (problem+json), which it also gives for a static file that is not there
 * (once the route /docs/static/* answered that with a 405 saying it takes GET).
 */
function docsPages(app: App) {
  let pages: Promise<FastifyInstance> | undefined;
  const build = async () => {
    const { default: swaggerUi } = await import('@fastify/swagger-ui');
    const inner = Fastify({ logger: false });
    // swagger-ui asks for @fastify/swagger by name, for the document: this app's.
    await inner.register(fp(async (i) => void i.decorate('swagger', app.swagger), { name: '@fastify/swagger' }));
    await inner.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
    await inner.ready();
    return inner;
  };
  return async (request: FastifyRequest, reply: FastifyReply) => {
    pages ??= build().catch((err: unknown) => {
      pages = undefined;
      throw err;
    });
    const inner = await pages;
    // Always GET: Fastify answers our HEAD route from the GET answer (the body dropped, its length kept).
    const answer = await inner.inject({ method: 'GET', url: request.url, headers: request.headers });
    // No such page (or static file): this app's 404, problem+json.
    if (answer.statusCode === 404) return notFoundReply(request, reply, []);
    for (const [name, value] of Object.entries(answer.headers))
      if (value !== undefined && !HOP_HEADERS.has(name)) reply.header(name, value);
    reply.code(answer.statusCode);
    return answer.rawPayload.length > 0 ? reply.send(answer.rawPayload) : reply.send();
  };
}

/**
 * The serializer of a hot route whose 2xx answer our own typed code builds from parts that were already
 * checked (the request, validated source answers): JSON.stringify, without zod parsing our own answer
 * again on every request (docs/performance.md). The schema still describes the answer in OpenAPI, other
 * statuses keep the zod serializer, and the route's tests check real answers against the schema exactly
 * (nothing more, nothing less), which is what zod did at run time.
 */
export const builtAnswerSerializer: FastifySerializerCompiler<unknown> = (route) => {
  // Routes of this app only have zod response schemas (the type provider's).
  const checked = serializerCompiler(route as Parameters<typeof serializerCompiler>[0]);
  return route.httpStatus?.startsWith('2') === true ? (data) => JSON.stringify(data) : checked;
};

/** Response schemas for the common problem statuses, so they appear in OpenAPI. */
export const problemResponses = {
  400: Problem,
  403: Problem,
  404: Problem,
  409: Problem,
  502: Problem,
  503: Problem,
  504: Problem,
} as const;

export function pick<K extends keyof typeof problemResponses>(...statuses: K[]): Pick<typeof problemResponses, K> {
  const out = {} as Pick<typeof problemResponses, K>;
  for (const s of statuses) out[s] = problemResponses[s];
  return out;
}
