import { describe, expect, it } from 'vitest';
import { formatAortaId, newAortaId, nextHop, parseAortaId } from '../src/index.js';

describe('AORTA-ID', () => {
  it('round-trips through the header form', () => {
    const id = newAortaId();
    expect(parseAortaId(formatAortaId(id))).toEqual(id);
    expect(formatAortaId(id)).toMatch(/^initialRequestID=[0-9a-f-]{36}; requestID=[0-9a-f-]{36}$/);
  });

  it('keeps the initial request id on the next hop and makes a new request id', () => {
    const first = newAortaId();
    const hop = nextHop(first);
    expect(hop.initialRequestId).toBe(first.initialRequestId);
    expect(hop.requestId).not.toBe(first.requestId);
  });

  it('refuses headers that are not two uuids', () => {
    for (const bad of ['', 'nope', 'initialRequestID=1; requestID=2', 'requestID=6f1c1f5e-8c7e-4b9a-9a51-2d6f0e0f1a11'])
      expect(parseAortaId(bad)).toBeUndefined();
  });
});
