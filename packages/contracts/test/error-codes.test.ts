import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/index.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const LIST = join(REPO, 'packages/contracts/src/problem.ts');

/** The source of every package and service (tests left out), apart from the list itself. */
function sources(): string {
  const out: string[] = [];
  for (const top of ['packages', 'services']) {
    for (const entry of readdirSync(join(REPO, top), { recursive: true, encoding: 'utf8' })) {
      const path = join(REPO, top, entry);
      if (!/\/src\//.test(path) || !path.endsWith('.ts') || path.includes('node_modules') || path === LIST) continue;
      out.push(readFileSync(path, 'utf8'));
    }
  }
  return out.join('\n');
}

// docs/api.md is where an integrator looks a code up: it lists every code of the one list, and every code
// on the list is one some service or package really answers with (issue #11).
describe('the error code list', () => {
  const doc = readFileSync(join(REPO, 'docs/api.md'), 'utf8');
  const code = sources();
  for (const [name, def] of Object.entries(ERROR_CODES)) {
    it(`documents ${name} (${def.status})`, () => {
      expect(doc).toContain(`\`${name}\``);
    });
    it(`uses ${name} somewhere in the source`, () => {
      expect(code).toMatch(new RegExp(`['"\`]${name}['"\`]`));
    });
  }
});
