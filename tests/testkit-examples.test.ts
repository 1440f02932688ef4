import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@schakel/topology';

const run = promisify(execFile);

/**
 * The node:test example of tools/testkit/README.md, run as an integrator runs it: node's own test
 * runner in a process of its own. (The vitest example runs in the cross-service project as it is.)
 */
describe('the testkit’s node:test example', () => {
  it('passes under node --test', { timeout: 180_000 }, async () => {
    const result = await run(
      process.execPath,
      ['--conditions=@schakel/source', '--import', 'tsx', '--test', 'tools/testkit/examples/node-test.ts'],
      { cwd: REPO_ROOT },
    ).then(
      (r) => ({ code: 0, out: r.stdout }),
      (err: unknown) => {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        return { code: e.code, out: `${e.stdout}${e.stderr}` };
      },
    );
    expect(result.code, result.out).toBe(0);
    expect(result.out).toMatch(/# pass 2/);
    expect(result.out).toMatch(/# fail 0/);
  });
});
