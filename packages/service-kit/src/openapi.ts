import { STATUS_CODES } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { FastifyDynamicSwaggerOptions, SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { ERROR_CODES, Problem, type ErrorCode } from '@schakel/contracts';
import type { AudienceName } from './audience.js';

/**
 * The OpenAPI document of every service, fit for code generation (issue #14, docs/api.md "OpenAPI
 * documents"): what a route declares (summary, params, body, a response per status) comes from its zod
 * schemas; what the kit knows better than the route is derived here, once, for every route:
 * - its operationId, from its method and path (a route may still name its own with `schema.operationId`);
 * - its security, from the audience it is registered in (audience.ts), AND-ed with what the route itself
 *   asks on top (the signed assertion of a professional: `schema.security: [{ assertion: [] }]`);
 * - a description for every response, and the refusals of the audience's guard (401/403), as
 *   application/problem+json, which is how every error is sent (problems.ts).
 * Linted with Redocly's recommended rules in tests/openapi.test.ts.
 */

/** A security requirement object: scheme name -> scopes (for mutualTLS: the role the certificate must have). */
export type SecurityRequirement = Record<string, string[]>;

export const SECURITY_SCHEMES = {
  mutualTLS: {
    type: 'mutualTLS',
    description:
      'Mutual TLS with a certificate from the test PKI (data/pki, docs/security.md). The role says which: `system` a connected system’s certificate (data/pki/systems/<id>.cert.pem), trusted and not revoked; `operator` the operator’s admin certificate (data/pki/systems/schakel-admin.cert.pem); `switch-point` the switch point’s own certificate; `gp-system` the system certificate of a GP practice (organisation type Z3, K3 or H1).',
  },
  assertion: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWS',
    description:
      'Signed professional assertion: an ES256 JWS with the professional’s UZI card certificate in x5c, naming the interaction and the BSN, valid at most 5 minutes and used once (docs/security.md). Sent as Authorization: Bearer <JWS>, beside the system’s mutual TLS.',
  },
  portal: {
    type: 'http',
    scheme: 'bearer',
    description: 'Patient portal session, from POST /portal/login (Authorization: Bearer <token>)',
  },
  frontOffice: {
    type: 'http',
    scheme: 'bearer',
    description: 'Front-office session of a local user, from POST /front-office/login (Authorization: Bearer <token>)',
  },
} as const;

type SecuritySchemes = NonNullable<
  NonNullable<NonNullable<FastifyDynamicSwaggerOptions['openapi']>['components']>['securitySchemes']
>;
/** As @fastify/swagger's options take them: its types (openapi-types) lack `mutualTLS`, which OpenAPI 3.1 added. */
export const securitySchemes = SECURITY_SCHEMES as unknown as SecuritySchemes;

const CERTIFICATE_REFUSALS: ErrorCode[] = ['CLIENT_CERT_REQUIRED', 'CLIENT_CERT_UNTRUSTED', 'CLIENT_CERT_EXPIRED'];

/** Who an audience lets in, as OpenAPI says it, and the codes its guard refuses with. */
export const AUDIENCE_ACCESS: Record<AudienceName, { security: SecurityRequirement[]; refusals: ErrorCode[] }> = {
  operations: { security: [], refusals: [] },
  system: {
    security: [{ mutualTLS: ['system'] }],
    refusals: [...CERTIFICATE_REFUSALS, 'CLIENT_CERT_REVOKED'],
  },
  operator: {
    security: [{ mutualTLS: ['operator'] }],
    refusals: [...CERTIFICATE_REFUSALS, 'CLIENT_CERT_REVOKED', 'CLIENT_NOT_ALLOWED'],
  },
  portal: { security: [{ portal: [] }], refusals: ['PORTAL_LOGIN_REQUIRED'] },
  'portal-login': { security: [], refusals: [] },
  'switch-point-legs': {
    security: [{ mutualTLS: ['switch-point'] }],
    refusals: [...CERTIFICATE_REFUSALS, 'CLIENT_NOT_ALLOWED'],
  },
  'front-office': { security: [{ frontOffice: [] }], refusals: ['FRONT_OFFICE_LOGIN_REQUIRED'] },
  'front-office-login': { security: [], refusals: [] },
  referrers: { security: [{ mutualTLS: ['gp-system'] }], refusals: [...CERTIFICATE_REFUSALS, 'CLIENT_NOT_ALLOWED'] },
  // The demo console: plain HTTP on the loopback address, no credential; its guard refuses other hosts,
  // foreign origins and changes without htmx's header (services/console/src/guard.ts).
  console: { security: [], refusals: ['CONSOLE_REQUEST_REFUSED'] },
};

/** The assertion's refusals (trust/assertion.ts), for routes that ask for one. */
const ASSERTION_REFUSALS = (Object.keys(ERROR_CODES) as ErrorCode[]).filter((c) => c.startsWith('ASSERTION_'));

/** `GET /patients/:bsn/contra-indications` -> `getPatientsByBsnContraIndications`. */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .split('/')
    .filter((segment) => segment.length > 0)
    .map((segment) => (segment.startsWith(':') ? `by-${segment.slice(1).replace(/\(.*$/, '')}` : segment));
  return [method.toLowerCase(), ...words]
    .join('-')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w, i) => (i === 0 ? w : `${w.charAt(0).toUpperCase()}${w.slice(1)}`))
    .join('');
}

/** Each alternative the route declares also needs the audience's own credential (its certificate). */
function securityOf(audience: SecurityRequirement[], declared: SecurityRequirement[] | undefined) {
  if (declared === undefined) return audience;
  if (audience.length === 0) return declared;
  return declared.flatMap((alternative) => audience.map((base) => ({ ...base, ...alternative })));
}

function problemDescription(status: number, codes: ErrorCode[]): string {
  const reason = STATUS_CODES[status] ?? `Status ${status}`;
  const known = [...new Set(codes.filter((c) => ERROR_CODES[c].status === status))];
  return known.length > 0
    ? `${reason} (problem+json), with code ${known.join(', ')} or another code from docs/api.md`
    : `${reason} (problem+json): its code says why (docs/api.md)`;
}

interface JsonSchemaish {
  type?: string;
  description?: string;
}

/** The swagger `transform`: the zod provider's, then what every route gets from the kit. */
export const describeRoute: SwaggerTransform = (document) => {
  const { schema, url } = jsonSchemaTransform(document);
  const { route } = document;
  // Typed as always there; a route declared without any schema has none (zod provider's core.ts).
  const out = ((schema as typeof schema | undefined) ?? {}) as Record<string, unknown> & { hide?: boolean };
  if (out.hide === true) return { schema: out, url };
  // Nothing here throws: a route that lacks a summary, or takes several methods under one derived
  // operationId, fails the lint in tests/openapi.test.ts rather than the running service's /openapi.json.
  const method = [route.method].flat()[0] ?? 'GET';
  const summary = typeof out.summary === 'string' ? out.summary : 'the answer';
  const access = AUDIENCE_ACCESS[route.config?.audience ?? 'operations'];
  const security = securityOf(access.security, out.security as SecurityRequirement[] | undefined);
  // What the kit itself answers 400 with: a bad AORTA-ID header on any route (app.ts), and a request that
  // does not fit the route's schemas (problems.ts).
  const validated = ['body', 'querystring', 'params', 'headers'].some((part) => out[part] !== undefined);
  const codes: ErrorCode[] = [
    ...access.refusals,
    ...(validated ? (['VALIDATION_ERROR'] as const) : []),
    'INVALID_AORTA_ID',
    ...(security.some((s) => 'assertion' in s) ? ASSERTION_REFUSALS : []),
  ];

  const zodResponses = (route.schema?.response ?? {}) as Record<string, unknown>;
  const problemJson = jsonSchemaTransform({ ...document, schema: { response: { 400: Problem } } }).schema as {
    response: Record<string, unknown>;
  };
  const asProblem = (status: number, json: unknown) => ({
    description: problemDescription(status, codes),
    content: { 'application/problem+json': { schema: json } },
  });
  const responses: Record<string, unknown> = {};
  const declared = (out.response ?? {}) as Record<string, JsonSchemaish>;
  for (const [key, json] of Object.entries(declared)) {
    const status = Number(key);
    if (zodResponses[key] === Problem) responses[key] = asProblem(status, json);
    else {
      const description = json.description ?? `${STATUS_CODES[status] ?? key}: ${summary}`;
      // @fastify/swagger reads the response's description from `x-response-description` of the resolved
      // schema (and drops it from the schema), or from `description` of the raw one: a $ref keeps only the
      // latter, an inline schema would also carry the former into its own description.
      responses[key] = '$ref' in json ? { ...json, description } : { ...json, 'x-response-description': description };
    }
  }
  // The guard's refusals and the AORTA-ID check happen before the route runs: the kit lists them.
  for (const status of new Set([400, ...access.refusals.map((c) => ERROR_CODES[c].status)]))
    responses[String(status)] ??= asProblem(status, problemJson.response[400]);

  return {
    schema: {
      ...out,
      operationId: (out.operationId as string | undefined) ?? operationIdOf(method, route.url),
      security,
      response: responses,
    },
    url,
  };
};

/**
 * The swagger `transformObject`: the zod provider's (every schema with an id), then only what this service's
 * operations use. The zod registry is one per process: the all-in-one tests build every service in it.
 */
export const keepUsedComponents: SwaggerTransformObject = (document) => {
  const full = jsonSchemaTransformObject(document) as {
    paths?: Record<string, unknown>;
    components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
  };
  const schemas = full.components?.schemas ?? {};
  const used = new Set<string>();
  const schemesUsed = new Set<string>();
  const walk = (node: unknown, key?: string): void => {
    if (Array.isArray(node)) {
      if (key === 'security')
        for (const requirement of node as SecurityRequirement[])
          for (const name of Object.keys(requirement)) schemesUsed.add(name);
      for (const item of node) walk(item);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [k, value] of Object.entries(node)) {
      if (k === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
        const name = decodeURIComponent(value.slice('#/components/schemas/'.length));
        if (!used.has(name)) {
          used.add(name);
          walk(schemas[name]);
        }
      } else walk(value, k);
    }
  };
  walk(full.paths);
  const keep = <T>(all: Record<string, T> | undefined, names: Set<string>) =>
    Object.fromEntries(Object.entries(all ?? {}).filter(([name]) => names.has(name)));
  return {
    ...full,
    components: {
      ...full.components,
      schemas: keep(schemas, used),
      securitySchemes: keep(full.components?.securitySchemes, schemesUsed),
    },
  } as ReturnType<SwaggerTransformObject>;
};

/** `servers`: this service, at the address the caller reached it by (its own URL: no configuration to drift). */
export function serversFor(request: FastifyRequest) {
  return [{ url: `${request.protocol}://${request.host}`, description: 'This service, as you reached it' }];
}
