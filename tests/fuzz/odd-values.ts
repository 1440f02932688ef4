import fc from 'fast-check';

/**
 * Percent-encode everything but RFC 3986 unreserved characters. Unlike encodeURIComponent it never throws
 * (a lone surrogate becomes U+FFFD), so any generated string can be put in a URL.
 */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Characters a client can put in a request target as they are: undici sends 0x21-0xff (latin1, one byte
 * each) and refuses the rest, which is the client's rule, not the server's; everything else is percent-encoded.
 */
const RAW_SEGMENT_CHARS = [...Array.from({ length: 0xff - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i))].filter(
  (c) => !'/?#'.includes(c),
);

/** Odd values for one path parameter, as they go on the wire (already encoded where they need to be). */
export function oddSegment(valid: string): fc.Arbitrary<{ mutation: string; segment: string }> {
  return fc.oneof(
    fc
      .constantFrom(
        '%',
        '%ZZ',
        '%2',
        '%00',
        '%2F',
        '%2f..%2f',
        '..',
        '.',
        '%2e%2e',
        '%2E',
        '~',
        '+',
        '%20',
        ';',
        ',',
        '*',
        '$',
        '@',
        "'",
        '"',
        '<script>',
        '{bsn}',
        ':bsn',
        '__proto__',
        'constructor',
        'hasOwnProperty',
        'null',
        'undefined',
        '-1',
        '0',
        '1e9',
        'NaN',
        '%C3%A9',
        '%FF',
        '%C0%AE',
        '%EF%BC%99',
        '\u00e9',
        '\u00ff',
        '\u0080',
      )
      .map((segment) => ({ mutation: JSON.stringify(segment), segment })),
    // Fastify's router refuses parameters over maxParamLength (100) itself.
    fc.integer({ min: 101, max: 4_000 }).map((n) => ({ mutation: `${n} characters`, segment: 'x'.repeat(n) })),
    fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
      .map((s) => ({ mutation: `unicode ${JSON.stringify(s)}`, segment: percentEncode(s) })),
    fc
      .string({ unit: fc.constantFrom(...RAW_SEGMENT_CHARS), minLength: 1, maxLength: 12 })
      .map((segment) => ({ mutation: `raw ${JSON.stringify(segment)}`, segment })),
    fc
      .constantFrom<[string, (v: string) => string]>(
        ['every byte percent-encoded', (v) => Array.from(Buffer.from(v), (b) => `%${b.toString(16)}`).join('')],
        ['upper case', (v) => v.toUpperCase()],
        ['trailing NUL', (v) => `${v}%00`],
        ['with extension', (v) => `${v}.json`],
        ['leading space', (v) => `%20${v}`],
        ['matrix parameter', (v) => `${v};x=1`],
        ['doubled', (v) => `${v}${v}`],
        ['empty', () => ''],
      )
      .map(([mutation, f]) => ({ mutation, segment: f(percentEncode(valid)) })),
  );
}

/** Odd shapes of a whole path: slashes, dot segments, case. */
export const oddPathShape: fc.Arbitrary<{ mutation: string; apply: (path: string) => string }> = fc.constantFrom(
  { mutation: 'trailing slash', apply: (p: string) => `${p}/` },
  { mutation: 'double slash inside', apply: (p: string) => p.replace(/\/([^/]*)$/, '//$1') },
  { mutation: 'leading double slash', apply: (p: string) => `/${p}` },
  { mutation: 'upper case', apply: (p: string) => p.toUpperCase() },
  { mutation: 'dot segment', apply: (p: string) => p.replace(/^\//, '/./') },
  { mutation: 'dot-dot segment', apply: (p: string) => `/x/..${p}` },
  { mutation: 'encoded dot-dot', apply: (p: string) => `/x/%2e%2e${p}` },
  { mutation: 'encoded slashes', apply: (p: string) => `/${p.slice(1).replaceAll('/', '%2F')}` },
  { mutation: 'backslashes', apply: (p: string) => p.replaceAll('/', '\\').replace(/^\\/, '/') },
  { mutation: 'semicolon', apply: (p: string) => `${p};jsessionid=1` },
  { mutation: 'fragment', apply: (p: string) => `${p}#frag` },
);

/** Paths no service has, including ones that try to climb out of /docs. */
export const unknownPaths: fc.Arbitrary<{ mutation: string; path: string }> = fc.oneof(
  fc
    .constantFrom(
      '/',
      '//',
      '/.',
      '/..',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/../../etc/passwd',
      '/.env',
      '/admin',
      '/docs/../package.json',
      '/docs/%2e%2e/%2e%2e/package.json',
      '/docs/static/..%2f..%2fpackage.json',
      '/docs/json',
      '/docs/yaml',
      '/openapi.json/x',
      '/health/',
      '/health/x',
      '/HEALTH',
      '/%',
      '/%ZZ',
      '/*',
      '/\u00e9',
      '/index.html',
    )
    .map((path) => ({ mutation: JSON.stringify(path), path })),
  fc
    .array(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 4 })
    .map((segments) => ({ mutation: 'random segments', path: `/${segments.map(percentEncode).join('/')}` })),
);

/** A query string that breaks the rules: unknown keys, wrong types, bad encoding, ~20 KB values. */
export function oddQuery(declared: string[]): fc.Arbitrary<{ mutation: string; query: string }> {
  const key = fc.oneof(
    declared.length > 0 ? fc.constantFrom(...declared) : fc.constant('bsn'),
    fc.constantFrom('__proto__', 'constructor', 'constructor[prototype][x]', 'a[b]', 'a[]', '', '%', '%ZZ', 'unknown'),
    fc.string({ minLength: 1, maxLength: 10 }).map(percentEncode),
  );
  const value = fc.oneof(
    fc.constantFrom(
      '',
      'abc',
      '-1',
      '0',
      '1.5',
      '1e3',
      '99999999999999999999',
      'true',
      'null',
      '%',
      '%ZZ',
      '%00',
      '+',
      '%26',
      '999900146',
      '2026-02-30',
      '\u00e9',
    ),
    fc.string({ maxLength: 20 }).map(percentEncode),
    fc.integer({ min: 2_000, max: 8_000 }).map((n) => 'v'.repeat(n)),
  );
  return fc.oneof(
    fc.array(fc.tuple(key, fc.option(value, { nil: undefined })), { minLength: 1, maxLength: 6 }).map((entries) => ({
      mutation: `${entries.length} odd entries`,
      query: `?${entries.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join('&')}`,
    })),
    // Past Node's 16 KB header limit (the request line counts): only a real socket shows what happens then.
    fc
      .tuple(key, fc.integer({ min: 16_500, max: 24_000 }))
      .map(([k, n]) => ({ mutation: `${n}-character value`, query: `?${k}=${'q'.repeat(n)}` })),
    fc
      .constantFrom('?', '??a=1', '?&&&', '?=', '?==', '?a=1&a=2&a=3', '?a=%', '?%=1')
      .map((query) => ({ mutation: JSON.stringify(query), query })),
  );
}

/** Headers the services do not expect: odd AORTA-IDs, bearer junk, odd Accept and Host, oversized values. */
export const oddHeaders: fc.Arbitrary<{ mutation: string; headers: Record<string, string> }> = fc.oneof(
  fc
    .oneof(
      fc.constantFrom(
        '',
        'x',
        'initialRequestID=x; requestID=y',
        'initialRequestID=; requestID=',
        ';;;',
        'requestID=2f1d6c1e-8a1b-4c5d-9e0f-1a2b3c4d5e6f',
      ),
      fc.string({ maxLength: 60 }),
      fc.integer({ min: 1_000, max: 8_000 }).map((n) => 'a'.repeat(n)),
    )
    .map((v) => ({ mutation: 'odd AORTA-ID', headers: { 'aorta-id': v } })),
  fc
    .oneof(
      fc.constantFrom('Bearer', 'Bearer ', 'Bearer a.b.c', 'Bearer ....', 'Basic Zm9vOmJhcg==', 'Negotiate x'),
      fc.string({ maxLength: 80 }).map((s) => `Bearer ${s}`),
    )
    .map((v) => ({ mutation: 'odd Authorization', headers: { authorization: v } })),
  fc
    .constantFrom('text/html', 'application/xml', '*/*;q=0', 'application/problem+json', '', 'x/y;q=abc')
    .map((v) => ({ mutation: 'odd Accept', headers: { accept: v } })),
  fc
    .constantFrom('', 'example.invalid', '127.0.0.1:1', '[::1]', 'a b', '\u00e9')
    .map((v) => ({ mutation: `Host ${JSON.stringify(v)}`, headers: { host: v } })),
  fc
    .constantFrom('gzip', 'br', 'deflate', 'x-unknown')
    .map((v) => ({ mutation: `Content-Encoding ${v}`, headers: { 'content-encoding': v } })),
  // Past Node's 16 KB header limit.
  fc
    .integer({ min: 17_000, max: 40_000 })
    .map((n) => ({ mutation: `${n}-byte header`, headers: { 'x-fuzz': 'h'.repeat(n) } })),
  fc.integer({ min: 50, max: 300 }).map((n) => ({
    mutation: `${n} headers`,
    headers: Object.fromEntries(Array.from({ length: n }, (_, i) => [`x-fuzz-${i}`, String(i)])),
  })),
);

/** Content types that are application/json, spelled the ways clients spell it. */
export const JSON_MEDIA_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=UTF-8',
  'APPLICATION/JSON',
  'application/json; charset="utf-8"',
];

/**
 * Content types that are not application/json. Left out on purpose: +json suffixes and charset variants,
 * where refusing or accepting are both defensible. `undefined` sends no Content-Type at all.
 */
export const WRONG_MEDIA_TYPES: (string | undefined)[] = [
  undefined,
  '',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/xml',
  'text/xml',
  'text/html',
  'multipart/form-data; boundary=fuzz',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  'application/jsonx',
  'json',
  'image/png',
];

/** Other media types to send JSON as, that are judged only by the general rules. */
export const BORDERLINE_MEDIA_TYPES = [
  'application/problem+json',
  'application/merge-patch+json',
  'application/json; charset=utf-16',
  'application/json; charset=iso-8859-1',
  'application/json, text/plain',
  'application/json; foo',
];

/** Methods outside the usual five, including ones Node's parser does not know. */
export const ODD_METHODS = ['OPTIONS', 'TRACE', 'PROPFIND', 'PURGE', 'M-SEARCH', 'FOO', 'get'];
