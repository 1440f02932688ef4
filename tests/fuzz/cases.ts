import fc from 'fast-check';
import { hugeBodies, malformedBodies, textBody, type Body } from './bodies.js';
import { HTTP_METHODS, resolve, type Operation } from './openapi.js';
import {
  BORDERLINE_MEDIA_TYPES,
  JSON_MEDIA_TYPES,
  ODD_METHODS,
  WRONG_MEDIA_TYPES,
  oddHeaders,
  oddPathShape,
  oddQuery,
  oddSegment,
  percentEncode,
  unknownPaths,
} from './odd-values.js';
import { validValue } from './schema-values.js';
import type { FuzzIdentity } from './services.js';

/** What one case gets wrong on purpose; the verdict's extra expectations depend on it. */
export const CASE_KINDS = [
  'well-formed',
  'odd path',
  'odd query',
  'malformed body',
  'huge body',
  'wrong media type',
  'method not allowed',
  'odd method',
  'unknown path',
  'odd headers',
] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

/** One request, complete: everything needed to send it again. */
export interface FuzzCase {
  service: string;
  /** The operation it was made from, e.g. POST /queries/medication. */
  operation: string;
  kind: CaseKind;
  /** What exactly is odd, in words: 'wrong type at requester.professional', '"%ZZ" in {bsn}'. */
  mutation: string;
  identity: FuzzIdentity['name'];
  method: string;
  /** Path and query as they go on the wire. */
  target: string;
  headers: Record<string, string>;
  body?: Body;
}

/** Methods whose body a server is expected to read (a DELETE's body has no defined meaning: RFC 9110 9.3.5). */
export const BODY_METHODS = ['POST', 'PUT', 'PATCH'];

/** Who calls, weighted towards identities that get past the switch point's certificate check. */
const identities = fc.oneof(
  { arbitrary: fc.constant<FuzzIdentity['name']>('admin'), weight: 3 },
  { arbitrary: fc.constant<FuzzIdentity['name']>('system'), weight: 2 },
  { arbitrary: fc.constant<FuzzIdentity['name']>('switch point'), weight: 2 },
  { arbitrary: fc.constant<FuzzIdentity['name']>('none'), weight: 2 },
  { arbitrary: fc.constant<FuzzIdentity['name']>('foreign CA'), weight: 1 },
);

/** The kinds that make sense for an operation. */
export function kindsFor(op: Operation): CaseKind[] {
  const standardMissing = HTTP_METHODS.some((m) => !op.methodsOnPath.includes(m));
  return CASE_KINDS.filter((kind) => {
    switch (kind) {
      case 'odd path':
        return true;
      case 'malformed body':
      case 'huge body':
      case 'wrong media type':
        return op.method !== 'GET' && op.method !== 'HEAD';
      case 'method not allowed':
        return standardMissing;
      default:
        return true;
    }
  });
}

function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? '');
}

/** The valid pieces of a request to an operation, before one of them is broken. */
function validParts(op: Operation) {
  const params = fc.record(
    Object.fromEntries(
      op.pathParams.map((p) => [p.name, validValue(op.doc, p.schema).map((v) => percentEncode(String(v)))]),
    ),
  );
  const entry = (q: Operation['query'][number]) =>
    validValue(op.doc, q.schema).map((v) => `${percentEncode(q.name)}=${percentEncode(String(v))}`);
  const query = fc
    .tuple(...op.query.map((q) => (q.required ? entry(q) : fc.option(entry(q), { nil: undefined }))))
    .map((pairs) => pairs.filter((p) => p !== undefined))
    .map((pairs) => (pairs.length > 0 ? `?${pairs.join('&')}` : ''));
  // Without a body schema, a POST or PUT gets no body or an empty object: clients send both.
  const body: fc.Arbitrary<Body | undefined> =
    op.body !== undefined
      ? validValue(op.doc, op.body).map((v) => textBody(JSON.stringify(v) ?? 'null'))
      : op.method === 'GET' || op.method === 'DELETE'
        ? fc.constant(undefined)
        : fc.constantFrom(undefined, textBody('{}'));
  return { params, query, body };
}

const withJson = (body: Body | undefined, contentType = 'application/json'): Record<string, string> =>
  body === undefined ? {} : { 'content-type': contentType };

/** Top-level property names of an operation's body schema, for mutations that need a field to aim at. */
function propertyNames(op: Operation): string[] {
  if (op.body === undefined) return [];
  const s = resolve(op.doc, op.body);
  const alternatives = s.anyOf ?? s.oneOf ?? [s];
  return [...new Set(alternatives.flatMap((a) => Object.keys(resolve(op.doc, a).properties ?? {})))];
}

type Draft = Omit<FuzzCase, 'service' | 'operation' | 'kind' | 'identity'>;

/** Cases of one kind for one operation. */
export function casesFor(op: Operation, kind: CaseKind): fc.Arbitrary<FuzzCase> {
  const { params, query, body } = validParts(op);
  const path = params.map((values) => fillPath(op.path, values));
  let draft: fc.Arbitrary<Draft>;
  switch (kind) {
    case 'well-formed':
      draft = fc
        .tuple(path, query, body, fc.constantFrom(...JSON_MEDIA_TYPES, ...BORDERLINE_MEDIA_TYPES))
        .map(([p, q, b, type]) => ({
          mutation: b === undefined ? 'none' : `as ${type}`,
          method: op.method,
          target: p + q,
          headers: withJson(b, type),
          ...(b !== undefined ? { body: b } : {}),
        }));
      break;
    case 'odd path': {
      const names = op.pathParams.map((p) => p.name);
      const oddParam =
        names.length === 0
          ? undefined
          : fc.tuple(params, fc.constantFrom(...names)).chain(([values, name]) =>
              oddSegment(decodeURIComponent(values[name] ?? '')).map((odd) => ({
                mutation: `${odd.mutation} in {${name}}`,
                path: fillPath(op.path, { ...values, [name]: odd.segment }),
              })),
            );
      const oddShape = fc
        .tuple(path, oddPathShape)
        .map(([p, shape]) => ({ mutation: shape.mutation, path: shape.apply(p) }));
      draft = fc
        .tuple(oddParam === undefined ? oddShape : fc.oneof(oddParam, oddShape), query, body)
        .map(([odd, q, b]) => ({
          mutation: odd.mutation,
          method: op.method,
          target: odd.path + q,
          headers: withJson(b),
          ...(b !== undefined ? { body: b } : {}),
        }));
      break;
    }
    case 'odd query':
      draft = fc.tuple(path, oddQuery(op.query.map((q) => q.name)), body).map(([p, q, b]) => ({
        mutation: q.mutation,
        method: op.method,
        target: p + q.query,
        headers: withJson(b),
        ...(b !== undefined ? { body: b } : {}),
      }));
      break;
    case 'malformed body':
      draft = fc
        .tuple(
          path,
          query,
          malformedBodies(op.body !== undefined ? validValue(op.doc, op.body) : fc.constant({}), propertyNames(op)),
        )
        .map(([p, q, m]) => ({
          mutation: m.mutation,
          method: op.method,
          target: p + q,
          headers: withJson(m.body),
          body: m.body,
        }));
      break;
    case 'huge body':
      draft = fc.tuple(path, query, hugeBodies).map(([p, q, m]) => ({
        mutation: m.mutation,
        method: op.method,
        target: p + q,
        headers: withJson(m.body),
        body: m.body,
      }));
      break;
    case 'wrong media type': {
      const json = body.map((b) => b ?? textBody('{}'));
      const text = fc.oneof(
        json,
        fc
          .constantFrom(
            'bsn=999900146',
            '<bsn>999900146</bsn>',
            '--fuzz\r\nContent-Disposition: form-data; name="bsn"\r\n\r\n999900146\r\n--fuzz--\r\n',
            'plain words',
          )
          .map(textBody),
      );
      draft = fc.tuple(path, query, text, fc.constantFrom(...WRONG_MEDIA_TYPES)).map(([p, q, b, type]): Draft => ({
        mutation: type === undefined ? 'no Content-Type' : `Content-Type ${JSON.stringify(type)}`,
        method: op.method,
        target: p + q,
        headers: type === undefined ? {} : { 'content-type': type },
        body: b,
      }));
      break;
    }
    case 'method not allowed': {
      const others = HTTP_METHODS.filter((m) => !op.methodsOnPath.includes(m));
      draft = fc.tuple(path, query, fc.constantFrom(...others)).map(([p, q, method]) => {
        const b = BODY_METHODS.includes(method) ? textBody('{}') : undefined;
        return {
          mutation: `${method} on ${op.path}`,
          method,
          target: p + q,
          headers: withJson(b),
          ...(b !== undefined ? { body: b } : {}),
        };
      });
      break;
    }
    case 'odd method':
      draft = fc
        .tuple(path, query, fc.constantFrom(...ODD_METHODS))
        .map(([p, q, method]) => ({ mutation: method, method, target: p + q, headers: {} }));
      break;
    case 'unknown path':
      draft = fc.tuple(unknownPaths, fc.constantFrom(...HTTP_METHODS), body).map(([u, method, b]) => {
        const sent = BODY_METHODS.includes(method) ? b : undefined;
        return {
          mutation: u.mutation,
          method,
          target: u.path,
          headers: withJson(sent),
          ...(sent !== undefined ? { body: sent } : {}),
        };
      });
      break;
    case 'odd headers':
      draft = fc.tuple(path, query, body, oddHeaders).map(([p, q, b, h]) => ({
        mutation: h.mutation,
        method: op.method,
        target: p + q,
        headers: { ...withJson(b), ...h.headers },
        ...(b !== undefined ? { body: b } : {}),
      }));
      break;
  }
  return fc
    .tuple(identities, draft)
    .map(([identity, d]) => ({ service: op.service, operation: `${op.method} ${op.path}`, kind, identity, ...d }));
}
