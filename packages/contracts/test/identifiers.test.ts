import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Bsn, Ura, UziRoleCode, passesElevenTest } from '../src/index.js';

describe('BSN', () => {
  it('accepts the test BSNs named in the domain notes', () => {
    for (const bsn of ['999900146', '999900523', '999901199']) expect(Bsn.safeParse(bsn).success).toBe(true);
  });

  it('refuses a number failing the 11-proef with code INVALID_BSN and what was expected', () => {
    const result = Bsn.safeParse('999900147');
    expect(result.success).toBe(false);
    const issue = result.error?.issues[0];
    expect(issue?.code).toBe('custom');
    expect((issue as { params?: { code: string; expected: string } }).params).toEqual({
      code: 'INVALID_BSN',
      expected: '9 digits passing the 11-proef',
    });
  });

  it('refuses wrong lengths, letters and the all-zero number', () => {
    for (const bad of ['', '12345678', '1234567890', '99990014a', '000000000'])
      expect(Bsn.safeParse(bad).success).toBe(false);
  });

  it('catches every single-digit error in a valid BSN (property)', () => {
    const validBsn = fc
      .array(fc.integer({ min: 0, max: 9 }), { minLength: 8, maxLength: 8 })
      .map((digits) => {
        for (let last = 0; last <= 9; last++) {
          const bsn = `${digits.join('')}${last}`;
          if (passesElevenTest(bsn)) return bsn;
        }
        return undefined;
      })
      .filter((b): b is string => b !== undefined);
    fc.assert(
      fc.property(validBsn, fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 9 }), (bsn, position, delta) => {
        const digit = (Number(bsn[position]) + delta) % 10;
        const changed = `${bsn.slice(0, position)}${digit}${bsn.slice(position + 1)}`;
        expect(passesElevenTest(changed)).toBe(false);
      }),
    );
  });
});

describe('other identifiers', () => {
  it('wants 8 digits for a URA', () => {
    expect(Ura.safeParse('01000001').success).toBe(true);
    expect(Ura.safeParse('1000001').success).toBe(false);
  });
  it('wants a UZI role code of the form NN.NNN', () => {
    expect(UziRoleCode.safeParse('01.015').success).toBe(true);
    expect(UziRoleCode.safeParse('huisarts').success).toBe(false);
  });
});
