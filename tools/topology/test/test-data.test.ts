import { describe, expect, it } from 'vitest';
import { passesElevenTest } from '@schakel/contracts';
import { freshBsn, testBsns } from '../src/test-data.js';

describe('testBsns', () => {
  it('gives distinct 9999-range numbers that all pass the 11-proef', () => {
    const bsns = testBsns(200);
    expect(new Set(bsns).size).toBe(200);
    for (const bsn of bsns) {
      expect(bsn).toMatch(/^9999\d{5}$/);
      expect(passesElevenTest(bsn)).toBe(true);
    }
  });

  it('continues after `offset` valid numbers, so callers with different offsets never share a patient', () => {
    expect(testBsns(5, 3)).toEqual(testBsns(8).slice(3));
  });

  it('says so when the range runs out', () => {
    expect(() => testBsns(1, 1_000_000)).toThrow(/test BSNs are left after offset 1000000/);
  });
});

describe('freshBsn', () => {
  it('never gives the same number twice in one process', () => {
    const bsns = Array.from({ length: 50 }, () => freshBsn());
    expect(new Set(bsns).size).toBe(50);
  });
});
