import fc from 'fast-check';

/**
 * A request body as a recipe of repeated parts, so that a case with a 2 MiB body stays a few bytes until
 * it is sent, and its reproduction prints in one line.
 */
export interface Body {
  parts: [text: string, times: number][];
  /** latin1 sends each character as one byte: the way to put bytes that are not UTF-8 on the wire. */
  encoding?: 'utf8' | 'latin1';
  /** Send without Content-Length (Transfer-Encoding: chunked), so the server only learns the size by reading. */
  chunked?: boolean;
}

export const textBody = (text: string): Body => ({ parts: [[text, 1]] });

export function bodyBytes(body: Body): Buffer {
  return Buffer.from(body.parts.map(([text, times]) => text.repeat(times)).join(''), body.encoding ?? 'utf8');
}

export function bodySize(body: Body): number {
  return body.parts.reduce((n, [text, times]) => n + Buffer.byteLength(text, body.encoding ?? 'utf8') * times, 0);
}

/** The first characters of a body and its size, for a reproduction line. */
export function bodyHead(body: Body, max = 120): string {
  let head = '';
  for (const [text, times] of body.parts) {
    for (let i = 0; i < times && head.length < max; i++) head += text;
    if (head.length >= max) break;
  }
  const size = bodySize(body);
  return head.length > max || size > max
    ? `${JSON.stringify(head.slice(0, max))}… (${size} bytes)`
    : JSON.stringify(head);
}

export const ONE_MIB = 1024 * 1024;

/** Bodies that are not JSON (RFC 8259): no parser may take them. */
const MALFORMED = [
  '{',
  '}',
  '{"a":',
  '[1,2',
  '{"bsn":"999900146",}',
  "{'bsn':'999900146'}",
  '{bsn: 999900146}',
  'nul',
  'undefined',
  'NaN',
  '{"a":NaN}',
  '{"a":1}}',
  '{"a":"\\x41"}',
  '"unterminated',
  '\u0000',
  ' ',
  '<?xml version="1.0"?><a/>',
  '{"a":1,"a":2,',
  '01',
  '--',
];

/** JSON that parsers treat differently: a lone surrogate, a number no double holds, a byte order mark. */
const ODD_JSON = ['{"a":"\\ud800"}', '{"bsn":"\\ud800"}', '{"a":1e99999}', '{"limit":-0}', '\ufeff{}', '{"a":1,"a":2}'];

/** Valid JSON of the wrong shape for any operation here (all take an object, or nothing). */
const WRONG_TOP_LEVEL = ['[]', '"999900146"', '0', '-1', 'null', 'true', '[{}]', '1e400', '{}'];

/** Values of every JSON type, to put where a schema wants another one. */
export const WRONG_VALUES: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    0,
    -1,
    -0,
    1.5,
    1e308,
    Number.MAX_SAFE_INTEGER + 2,
    true,
    false,
    '',
    ' ',
    '0',
    'null',
    [],
    {},
    [null],
    { '': '' },
    '999900146',
    '999900147',
    '2026-02-30',
    '12345678901234567890',
  ),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ minLength: 300, maxLength: 5_000 }),
  fc.double(),
  fc.integer(),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Add a key to a serialised object at the front; textual, so __proto__ and duplicate keys reach the parser as sent. */
function withKey(json: string, key: string, value: unknown): string {
  const entry = `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`;
  if (!json.startsWith('{')) return `{${entry}}`;
  return json === '{}' ? `{${entry}}` : `{${entry},${json.slice(1)}`;
}

/** Every path (list of keys) into a JSON value, to pick a place for a wrong type. */
function pathsOf(
  value: unknown,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  if (prefix.length > 0) out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

function replaceAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaceAt(v, rest, replacement) : v));
  const obj = value as Record<string, unknown>;
  return { ...obj, [head]: replaceAt(obj[head], rest, replacement) };
}

/**
 * JSON bodies that break an operation's schema one way at a time: malformed text, wrong top-level type,
 * a wrong type at one place, a required field missing, an unknown or duplicate field, deep nesting,
 * a huge array, bytes that are not UTF-8.
 */
export function malformedBodies(
  valid: fc.Arbitrary<unknown>,
  propertyNames: string[],
): fc.Arbitrary<{ mutation: string; body: Body }> {
  const keys = propertyNames.length > 0 ? propertyNames : ['bsn'];
  const object = valid.map((v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {},
  );
  return fc.oneof(
    fc.constantFrom(...MALFORMED).map((text) => ({ mutation: 'malformed JSON', body: textBody(text) })),
    fc.constantFrom(...ODD_JSON).map((text) => ({ mutation: 'odd JSON', body: textBody(text) })),
    valid.chain((v) => {
      const text = JSON.stringify(v) ?? '';
      return fc
        .integer({ min: 0, max: Math.max(0, text.length - 1) })
        .map((n) => ({ mutation: 'truncated JSON', body: textBody(text.slice(0, n)) }));
    }),
    fc.constantFrom(...WRONG_TOP_LEVEL).map((text) => ({ mutation: 'wrong top-level type', body: textBody(text) })),
    valid.chain((v) => {
      const paths = pathsOf(v);
      if (paths.length === 0)
        return WRONG_VALUES.map((w) => ({
          mutation: 'wrong type',
          body: textBody(JSON.stringify({ [keys[0] ?? 'bsn']: w })),
        }));
      return fc.tuple(fc.constantFrom(...paths), WRONG_VALUES).map(([path, w]) => ({
        mutation: `wrong type at ${path.join('.')}`,
        body: textBody(JSON.stringify(replaceAt(v, path, w))),
      }));
    }),
    object.chain((o) => {
      const present = Object.keys(o);
      if (present.length === 0) return fc.constant({ mutation: 'missing fields', body: textBody('{}') });
      return fc.constantFrom(...present).map((k) => {
        const { [k]: _dropped, ...rest } = o;
        return { mutation: `missing ${k}`, body: textBody(JSON.stringify(rest)) };
      });
    }),
    fc
      .tuple(
        object,
        fc.oneof(
          fc.constantFrom(
            '__proto__',
            'constructor',
            'prototype',
            'extra',
            ...keys.map((k) => k.toUpperCase()),
            ...keys.map((k) => `${k} `),
          ),
          fc.string({ maxLength: 20 }),
        ),
        fc.jsonValue({ maxDepth: 2 }),
      )
      .map(([o, key, value]) => ({
        mutation: `extra field ${key}`,
        body: textBody(withKey(JSON.stringify(o), key, value)),
      })),
    fc.tuple(object, fc.constantFrom(...keys), WRONG_VALUES).map(([o, key, value]) => ({
      mutation: `duplicate ${key}`,
      body: textBody(withKey(JSON.stringify(o), key, value)),
    })),
    fc.tuple(fc.integer({ min: 500, max: 200_000 }), fc.boolean()).map(([depth, arrays]) => ({
      mutation: `nesting ${depth} deep`,
      body: arrays
        ? {
            parts: [
              ['[', depth],
              [']', depth],
            ] as [string, number][],
          }
        : {
            parts: [
              ['{"a":', depth],
              ['1', 1],
              ['}', depth],
            ] as [string, number][],
          },
    })),
    fc
      .tuple(
        fc.constantFrom(...keys),
        fc.integer({ min: 10_000, max: 200_000 }),
        fc.constantFrom('0,', '{},', '"999900146",', 'null,'),
      )
      .map(([key, n, item]) => ({
        mutation: `array of ${n} at ${key}`,
        body: {
          parts: [
            [`{${JSON.stringify(key)}:[`, 1],
            [item, n],
            ['0]}', 1],
          ] as [string, number][],
        },
      })),
    object.map((o) => ({
      mutation: 'bytes that are not UTF-8',
      body: {
        parts: [[withKey(JSON.stringify(o), keys[0] ?? 'bsn', 'AAAA').replace('AAAA', '\xff\xfe\xc3('), 1]] as [
          string,
          number,
        ][],
        encoding: 'latin1' as const,
      },
    })),
  );
}

/** Bodies over the 1 MiB limit: as JSON that would otherwise be fine, with and without Content-Length. */
export const hugeBodies: fc.Arbitrary<{ mutation: string; body: Body }> = fc
  .tuple(
    // Mostly just over the limit; now and then far over it, where a server that stops reading early shows.
    fc.oneof(
      { arbitrary: fc.constant(ONE_MIB + 1), weight: 1 },
      { arbitrary: fc.integer({ min: ONE_MIB + 2, max: 3 * ONE_MIB }), weight: 3 },
      { arbitrary: fc.integer({ min: 4 * ONE_MIB, max: 8 * ONE_MIB }), weight: 1 },
    ),
    fc.boolean(),
    fc.constantFrom('string', 'array'),
  )
  .map(([size, chunked, shape]) => ({
    mutation: `${shape} body of ${size} bytes${chunked ? ', chunked' : ''}`,
    body:
      shape === 'string'
        ? {
            parts: [
              ['{"bsn":"', 1],
              ['9', size - 10],
              ['"}', 1],
            ] as [string, number][],
            chunked,
          }
        : {
            parts: [
              ['[', 1],
              ['0,', Math.ceil((size - 2) / 2)],
              ['0]', 1],
            ] as [string, number][],
            chunked,
          },
  }));
