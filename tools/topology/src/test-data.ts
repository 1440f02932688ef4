import { passesElevenTest } from '@schakel/contracts';

/**
 * Test BSNs in the 9999xxxxx range, which passes the 11-proef for about one number in eleven and is
 * reserved for testing. `testBsns(n, offset)` gives n distinct valid numbers starting after `offset`
 * valid ones, so each test can take its own fresh patients.
 */
export function testBsns(count: number, offset = 0): string[] {
  const out: string[] = [];
  let skip = offset;
  for (let n = 99990000; n <= 99999999 && out.length < count; n++) {
    for (let last = 0; last <= 9 && out.length < count; last++) {
      const bsn = `${n}${last}`;
      if (!passesElevenTest(bsn)) continue;
      if (skip > 0) skip--;
      else out.push(bsn);
    }
  }
  if (out.length < count) throw new Error(`Only ${out.length} test BSNs are left after offset ${offset}`);
  return out;
}

let next = 0;
/** A fresh valid test BSN for this process, never the same twice. */
export function freshBsn(): string {
  const [bsn] = testBsns(1, 1000 + next++);
  if (bsn === undefined) throw new Error('no test BSN left');
  return bsn;
}
