import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/index.js';

// docs/api.md is where an integrator looks a code up: it lists every code of the one list.
describe('the error code list', () => {
  const doc = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');
  for (const [code, def] of Object.entries(ERROR_CODES)) {
    it(`documents ${code} (${def.status})`, () => {
      expect(doc).toContain(`\`${code}\``);
    });
  }
});
