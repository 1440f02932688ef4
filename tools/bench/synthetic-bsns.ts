/**
 * Valid BSNs for the national-scale index, outside the 9999xxxxx test range (which holds under a million
 * valid numbers). They exist only in a temporary file and never leave the machine.
 *
 * Number i is built from a 7-digit stem (1000000 + i / 4) and the (i mod 4)-th eighth digit for which the
 * 11-proef gives a check digit of 0-9; at least 9 of the 10 eighth digits do, so every stem gives four.
 * The numbers rise with i, so a bulk load inserts in key order, as an import sorted by BSN would.
 */
const WEIGHTS = [9, 8, 7, 6, 5, 4, 3];

export function syntheticBsn(i: number): string {
  const stem = String(1_000_000 + Math.floor(i / 4));
  let sum = 0;
  for (let k = 0; k < 7; k++) sum += (WEIGHTS[k] ?? 0) * Number(stem[k]);
  let wanted = i % 4;
  for (let d8 = 0; d8 <= 9; d8++) {
    const s = sum + 2 * d8;
    const d9 = s % 11;
    // 11-proef: s - d9 must be a non-zero multiple of 11, and d9 a single digit.
    if (d9 > 9 || s - d9 === 0) continue;
    if (wanted-- === 0) return `${stem}${d8}${d9}`;
  }
  throw new Error(`no valid BSN for stem ${stem}`);
}

/** Largest count syntheticBsn supports before leaving the 7-digit stems. */
export const SYNTHETIC_BSN_LIMIT = 4 * 8_999_999;
