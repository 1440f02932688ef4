import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@schakel/topology';

// A reader can follow every path README.md and docs/*.md name to a file in the repository (issue #11).
// Paths are found three ways: in backticks, as the target of a relative Markdown link, and bare in prose.
const DOCS = [
  'README.md',
  ...readdirSync(join(REPO_ROOT, 'docs')).flatMap((f) => (f.endsWith('.md') ? [`docs/${f}`] : [])),
];
const TOP = '(?:services|packages|tools|docs|tests|examples|topology|bench|\\.ci)/';

/** Every repository path a Markdown file names, relative to the repository root. */
function namedPaths(file: string, text: string): string[] {
  const paths = new Set<string>();
  for (const m of text.matchAll(new RegExp(`(?<![\\w./-])(${TOP}[\\w./<>*{}-]*[\\w/])`, 'g'))) paths.add(m[1] ?? '');
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = (m[1] ?? '').replace(/#.*$/, '');
    if (target !== '' && !/^[a-z]+:/i.test(target)) paths.add(normalize(join(dirname(file), target)));
  }
  // Placeholders such as services/<kind>/src/main.ts and globs name no one file.
  return [...paths].filter((p) => !/[<>*{}]/.test(p));
}

describe('paths named in README.md and docs/', () => {
  it('finds paths in backticks, links and prose (and leaves placeholders alone)', () => {
    const text =
      'See `services/lsp/src/app.ts`, [the API](api.md#codes), packages/trust/src/pki.ts. Not services/<kind>/x.ts.';
    expect(namedPaths('docs/x.md', text).sort()).toEqual([
      'docs/api.md',
      'packages/trust/src/pki.ts',
      'services/lsp/src/app.ts',
    ]);
  });

  it.each(DOCS)('%s names only paths that exist', (file) => {
    const missing = namedPaths(file, readFileSync(join(REPO_ROOT, file), 'utf8')).filter(
      (p) => !existsSync(join(REPO_ROOT, p)),
    );
    expect(missing).toEqual([]);
  });
});
