import fc from 'fast-check';
import { refName, resolve, type JsonSchema, type OpenApiDocument } from './openapi.js';

/**
 * Identifiers whose rules (11-proef, known systems) a JSON Schema cannot say: the fuzzer uses values that
 * exist in its own topology (services.ts), so a well-formed request gets past validation into the route.
 * Test BSNs stay in the 9999xxxxx range (docs/domain.md section 3).
 */
const DOMAIN_VALUES: Record<string, string[]> = {
  Bsn: ['999900146', '999900523', '999901199'],
  Ura: ['00000001', '00000000', '01000009', '02000009', '03000009', '04000009', '05000009'],
  Agb: ['01012345'],
  UziNumber: ['900000001', '900000002', '900000003'],
  BigNumber: ['19012345601'],
  ApplicationId: ['1', '0', '100009', '200009', '300009', '400009', '500009'],
  UziRoleCode: ['01.015', '01.071', '80.000', '17.075', '01.008'],
};
const AORTA_UUID = '2f1d6c1e-8a1b-4c5d-9e0f-1a2b3c4d5e6f';

/** Every URL a generated body may name stays on loopback: a fan-out must never reach another host. */
const LOOPBACK_URLS = ['https://127.0.0.1:9', 'https://127.0.0.1:1/nowhere', 'http://localhost:9'];

const MAX_DEPTH = 6;

/** Values that satisfy a schema (as far as the schema says), for bodies, path and query parameters. */
export function validValue(doc: OpenApiDocument, schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const name = refName(schema)?.replace(/Input$/, '');
  if (name !== undefined && DOMAIN_VALUES[name] !== undefined) return fc.constantFrom(...DOMAIN_VALUES[name]);
  if (name === 'AortaIdHeader') return fc.constant(`initialRequestID=${AORTA_UUID}; requestID=${AORTA_UUID}`);
  const s = resolve(doc, schema);
  if (s !== schema) return validValue(doc, s, depth);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum !== undefined) return fc.constantFrom(...s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives !== undefined) return fc.oneof(...alternatives.map((a) => validValue(doc, a, depth + 1)));
  if (s.allOf !== undefined)
    return validValue(doc, Object.assign({}, ...s.allOf.map((a) => resolve(doc, a))) as JsonSchema, depth);
  if (Array.isArray(s.type)) return fc.oneof(...s.type.map((t) => validValue(doc, { ...s, type: t }, depth)));
  switch (s.type) {
    case 'object':
      return objectValue(doc, s, depth);
    case 'array': {
      const minLength = s.minItems ?? 0;
      // Deep trees of arrays are the malformed bodies' job; a valid value stays small.
      const maxLength = Math.max(minLength, Math.min(s.maxItems ?? 3, depth >= MAX_DEPTH ? minLength : 3));
      return fc.array(validValue(doc, s.items ?? {}, depth + 1), { minLength, maxLength });
    }
    case 'string':
      return stringValue(s);
    case 'integer':
      return fc.integer({
        min: s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1_000),
        max: s.maximum ?? 100_000,
      });
    case 'number':
      return fc.double({
        min: s.minimum ?? s.exclusiveMinimum ?? -1_000,
        max: s.maximum ?? 100_000,
        minExcluded: s.exclusiveMinimum !== undefined,
        noNaN: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      // An unconstrained schema ({}): any small JSON value.
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function objectValue(doc: OpenApiDocument, s: JsonSchema, depth: number): fc.Arbitrary<unknown> {
  const properties = s.properties ?? {};
  const required = (s.required ?? []).filter((k) => k in properties);
  if (depth >= MAX_DEPTH) {
    return fc.record(Object.fromEntries(required.map((k) => [k, validValue(doc, properties[k] ?? {}, depth + 1)])));
  }
  return fc.record(Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, validValue(doc, v, depth + 1)])), {
    requiredKeys: required,
  });
}

function stringValue(s: JsonSchema): fc.Arbitrary<string> {
  switch (s.format) {
    case 'date':
      return fc
        .date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
    case 'date-time':
      return fc
        .date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString());
    case 'uuid':
      return fc.uuid();
    case 'uri':
      return fc.constantFrom(...LOOPBACK_URLS);
    default:
      break;
  }
  if (s.examples !== undefined && s.examples.length > 0) return fc.constantFrom(...s.examples.map(String));
  if (s.pattern !== undefined) {
    // fast-check generates from most patterns, but not from every construct (lookarounds): then any string,
    // which the service must refuse with 400 like any other invalid value.
    try {
      return fc.stringMatching(new RegExp(s.pattern));
    } catch {
      return fc.string({ maxLength: 40 });
    }
  }
  return fc.string({
    minLength: s.minLength ?? 0,
    maxLength: Math.max(s.minLength ?? 0, Math.min(s.maxLength ?? 40, 40)),
  });
}
