import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPseudonymService } from '../src/nvi/pseudonym-service.js';

describe('the pseudonym service', () => {
  const service = createPseudonymService(randomBytes(32));

  it('gives a patient the same pseudonym at one organisation and an unrelated one at another', () => {
    const nvi = service.pseudonymFor('999900146', '00000001');
    expect(service.pseudonymFor('999900146', '00000001')).toBe(nvi);
    expect(service.pseudonymFor('999900146', '02000001')).not.toBe(nvi);
    expect(service.pseudonymFor('999900523', '00000001')).not.toBe(nvi);
    expect(nvi).not.toContain('999900146');
  });

  it('turns a pseudonym back for the organisation it was made for only', () => {
    const p = service.pseudonymFor('999900146', '00000001');
    expect(service.reverse(p, '00000001')).toBe('999900146');
    expect(() => service.reverse(p, '02000001')).toThrow(/not made for this organisation/);
    expect(() => createPseudonymService(randomBytes(32)).reverse(p, '00000001')).toThrow();
  });
});
