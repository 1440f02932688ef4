/**
 * Does `actual` contain `expected`? Like vitest's toMatchObject: objects match on the keys given, arrays
 * element by element and of the same length, other values by equality, and a string written as
 * '/pattern/' matches by regular expression. Answers what differs, one line per path (empty: a match).
 */
export function mismatches(actual: unknown, expected: unknown, path = '$'): string[] {
  if (typeof expected === 'string' && expected.length > 2 && expected.startsWith('/') && expected.endsWith('/')) {
    const pattern = new RegExp(expected.slice(1, -1));
    return typeof actual === 'string' && pattern.test(actual)
      ? []
      : [`${path}: expected to match ${expected}, got ${show(actual)}`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected a list, got ${show(actual)}`];
    if (actual.length !== expected.length)
      return [`${path}: expected ${expected.length} item(s), got ${actual.length}: ${show(actual)}`];
    return expected.flatMap((e, i) => mismatches(actual[i], e, `${path}[${i}]`));
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
      return [`${path}: expected an object, got ${show(actual)}`];
    return Object.entries(expected).flatMap(([k, e]) =>
      mismatches((actual as Record<string, unknown>)[k], e, `${path}.${k}`),
    );
  }
  return Object.is(actual, expected) ? [] : [`${path}: expected ${show(expected)}, got ${show(actual)}`];
}

function show(v: unknown): string {
  // JSON.stringify gives undefined (whatever its type says) for undefined and functions.
  const text = JSON.stringify(v) as string | undefined;
  if (text === undefined) return String(v);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
