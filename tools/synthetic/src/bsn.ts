import { passesElevenTest } from '@schakel/contracts';

/**
 * Where generated BSNs come from (documented in docs/data.md).
 *
 * 1. The test range 9999xxxxx (docs/domain.md section 3), from 999902000 up: 999900000-999901999 are kept for
 *    the demo patients and hand-made examples (999900146, 999900523, 999901199). About 8,900 valid numbers.
 * 2. Beyond that, the synthetic range 980000000-999899999: about 1.8 million valid numbers. These are not
 *    reserved test numbers; they are fine on a machine that never talks to real systems, which is the only
 *    place Schakel runs.
 */
export const BSN_RANGES = [
  { name: 'test', from: 99990200, to: 99999999 },
  { name: 'synthetic', from: 98000000, to: 99989999 },
] as const;

/** The check digit that makes an 8-digit prefix pass the 11-proef, or undefined when none does. */
export function checkDigit(prefix: number): number | undefined {
  let sum = 0;
  let rest = prefix;
  // Digits d8..d1 from the right carry weights 2..9.
  for (let weight = 2; weight <= 9; weight++) {
    sum += (rest % 10) * weight;
    rest = Math.floor(rest / 10);
  }
  const digit = sum % 11;
  return digit === 10 || sum === 0 ? undefined : digit;
}

/** Every generated BSN, in a fixed order: the n-th patient always gets the same number. */
export function* bsnSequence(): Generator<string> {
  for (const range of BSN_RANGES) {
    for (let prefix = range.from; prefix <= range.to; prefix++) {
      const digit = checkDigit(prefix);
      if (digit === undefined) continue;
      const bsn = `${String(prefix).padStart(8, '0')}${digit}`;
      // Belt and braces: the contracts' own check decides.
      if (passesElevenTest(bsn)) yield bsn;
    }
  }
}

export function bsnCapacity(): number {
  let n = 0;
  for (const range of BSN_RANGES) for (let p = range.from; p <= range.to; p++) if (checkDigit(p) !== undefined) n++;
  return n;
}
