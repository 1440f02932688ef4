import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@schakel/topology';

/** The README's examples are the files that run (tools/testkit/examples), word for word. */
describe('tools/testkit/README.md', () => {
  const readme = readFileSync(join(REPO_ROOT, 'tools/testkit/README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  it.each(['vitest.test.ts', 'node-test.ts'])('shows examples/%s as it is', (file) => {
    const source = readFileSync(join(REPO_ROOT, 'tools/testkit/examples', file), 'utf8');
    expect(blocks).toContain(source);
  });
});
